"""Multi-agency meetings: recorded with agencies, children and actions; the actions chased on
the owner's home page, in the triage queue and by an overdue notification; the meeting on the
children's timelines and chronologies; partners and persons of concern kept out; minutes
exported restricted; and a strategy-discussion meeting meets the high-risk rule
(test_meetings_strategy.py: recorded from the episode page)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from safehub.access.models import Agency, AgencyType, Role, User
from safehub.access.policy import SYSTEM, AccessDeniedError
from safehub.audit.models import AuditEvent
from safehub.casefile import chronology, records_check
from safehub.casefile import queries as casefile
from safehub.geo import services as geo
from safehub.intelligence import services as intelligence
from safehub.meetings import export, queries, services
from safehub.meetings.checks import meeting_actions_overdue
from safehub.meetings.models import Meeting, MeetingAction
from safehub.notifications.models import Notification
from safehub.people import services as people
from safehub.people import sharing
from safehub.people.models import Child
from safehub.referrals import services as referrals
from tests.factories import AgencyFactory
from tests.integration.conftest import sign_in_verified
from tests.integration.due import due_items

DECISIONS = "Disrupt the address; joint visit by police and the Youth Service"


@pytest.fixture
def manager(make_user: Callable[..., User]) -> User:
    geo.load_reference_data(acting_user=SYSTEM)
    return make_user(Role.HUB_MANAGER)


@pytest.fixture
def practitioner(make_user: Callable[..., User]) -> User:
    return make_user(Role.HUB_PRACTITIONER)


@pytest.fixture
def agencies() -> list[Agency]:
    return [
        AgencyFactory(name="Meeting police", agency_type=AgencyType.POLICE),
        AgencyFactory(name="Meeting youth service", agency_type=AgencyType.YOUTH_SERVICE),
        AgencyFactory(name="Meeting health", agency_type=AgencyType.HEALTH),
    ]


def _child(by: User, given: str) -> Child:
    return people.register_child(
        acting_user=by,
        given_name=given,
        family_name="Discussed",
        date_of_birth=dt.date(2010, 5, 6),
        sex="F",
    )


@pytest.fixture
def children(manager: User) -> list[Child]:
    return [_child(manager, "Ada"), _child(manager, "Bea")]


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=timezone.get_current_timezone())


def _held() -> dt.datetime:
    return timezone.now() - dt.timedelta(days=3)


def _form(held: dt.datetime, agencies: list[Agency], children: list[Child]) -> dict[str, object]:
    local = timezone.localtime(held)
    return {
        "kind": "mace",
        "held_at_0_0": str(local.day),
        "held_at_0_1": str(local.month),
        "held_at_0_2": str(local.year),
        "held_at_1": f"{local:%H:%M}",
        "agencies": [a.pk for a in agencies],
        "children": ", ".join(str(c.pk) for c in children),
        "decisions": DECISIONS,
    }


def test_a_mace_meeting_with_three_agencies_two_children_and_an_action(
    manager: User, practitioner: User, agencies: list[Agency], children: list[Child]
) -> None:
    client = sign_in_verified(Client(), manager)
    response = client.post("/meetings/new", _form(_held(), agencies, children))
    assert response.status_code == 302, response.content.decode()
    meeting = Meeting.objects.get()
    assert response["Location"] == f"/meetings/{meeting.pk}"
    assert meeting.kind == "mace"
    assert set(meeting.agencies.all()) == set(agencies)
    assert set(meeting.children.all()) == set(children)
    assert AuditEvent.objects.filter(action="meeting:recorded").count() == 1
    assert AuditEvent.objects.filter(action="child:meeting:recorded").count() == 2

    due = timezone.localdate()
    response = client.post(
        f"/meetings/{meeting.pk}/actions/new",
        {
            "text": "Arrange the joint visit",
            "owner": practitioner.pk,
            "due_on_0": str(due.day),
            "due_on_1": str(due.month),
            "due_on_2": str(due.year),
        },
    )
    assert response.status_code == 302, response.content.decode()
    action = MeetingAction.objects.get()
    assert (action.owner, action.due_on, action.status) == (practitioner, due, "open")

    page = client.get(f"/meetings/{meeting.pk}").content.decode()
    for text in ("Meeting police", "Meeting youth service", "Meeting health", DECISIONS):
        assert text in page
    assert "Arrange the joint visit" in page

    # The owner sees it on their home page, and it is in the triage queue today.
    home = sign_in_verified(Client(), practitioner).get("/").content.decode()
    assert 'id="my-actions"' in home
    assert "Arrange the joint visit" in home
    assert "Action from a meeting" in home
    assert 'id="my-actions"' not in client.get("/").content.decode()
    items = [i for i in due_items(practitioner) if i.kind == "meeting_action"]
    assert [(i.child, i.link) for i in items] == [
        (min(children, key=lambda c: (c.family_name, c.given_name)), f"/meetings/{meeting.pk}")
    ]


def _meeting(by: User, agencies: list[Agency], children: list[Child], **extra: object) -> Meeting:
    values: dict[str, object] = {
        "kind": "mace",
        "held_at": _held(),
        "chair": by,
        "agencies": agencies,
        "children": children,
        "decisions": DECISIONS,
    }
    values.update(extra)
    return services.record_meeting(**values, acting_user=by)  # type: ignore[arg-type]


def test_an_action_not_yet_due_or_done_leaves_the_queue(
    manager: User, agencies: list[Agency], children: list[Child]
) -> None:
    meeting = _meeting(manager, agencies, children)
    later = services.add_action(
        meeting,
        text="Later",
        owner=manager,
        due_on=timezone.localdate() + dt.timedelta(days=5),
        acting_user=manager,
    )
    now = services.add_action(
        meeting, text="Now", owner=manager, due_on=timezone.localdate(), acting_user=manager
    )
    assert [a.pk for a in queries.actions_due(Child.objects.all())] == [now.pk]
    assert [a.pk for a in queries.my_actions(manager)] == [now.pk, later.pk]
    services.set_action_status(now, status="done", acting_user=manager)
    assert queries.actions_due(Child.objects.all()) == []
    assert [a.pk for a in queries.my_actions(manager)] == [later.pk]
    assert AuditEvent.objects.filter(action="meeting:action:done").count() == 1


def test_an_overdue_action_notifies_its_owner_once(
    manager: User, practitioner: User, agencies: list[Agency], children: list[Child]
) -> None:
    meeting = _meeting(manager, agencies, children)
    action = services.add_action(
        meeting,
        text="Overdue",
        owner=practitioner,
        due_on=timezone.localdate() - dt.timedelta(days=1),
        acting_user=manager,
    )
    services.add_action(
        meeting, text="Today", owner=manager, due_on=timezone.localdate(), acting_user=manager
    )
    assert meeting_actions_overdue(timezone.now()) == 1
    assert meeting_actions_overdue(timezone.now()) == 0
    note = Notification.objects.get()
    assert (note.recipient, note.key) == (practitioner, f"meeting-action:{action.pk}:overdue")
    assert note.link == f"/meetings/{meeting.pk}"
    assert "Ada" not in note.title


def test_implausible_meetings_and_actions_are_refused(
    manager: User, agencies: list[Agency], children: list[Child]
) -> None:
    with pytest.raises(ValidationError) as refused:
        _meeting(manager, [], children, held_at=timezone.now() + dt.timedelta(days=2))
    assert set(refused.value.message_dict) == {"held_at", "agencies"}
    meeting = _meeting(manager, agencies, children)
    with pytest.raises(ValidationError) as refused:
        services.add_action(
            meeting,
            text="Before",
            owner=manager,
            due_on=timezone.localdate() - dt.timedelta(days=10),
            acting_user=manager,
        )
    assert set(refused.value.message_dict) == {"due_on"}
    with pytest.raises(ValidationError) as refused:
        _meeting(manager, agencies, children, held_at=at(dt.date(2009, 1, 1)))
    assert refused.value.message_dict == {
        "held_at": ["The date of the meeting must be on or after the child's date of birth"] * 2
    }


def test_the_records_check_finds_stored_meetings_that_break_the_rules(
    manager: User, agencies: list[Agency], children: list[Child]
) -> None:
    meeting = _meeting(manager, agencies, children[:1])
    action = services.add_action(
        meeting, text="Do", owner=manager, due_on=timezone.localdate(), acting_user=manager
    )
    assert records_check.find() == []
    Meeting.objects.filter(pk=meeting.pk).update(held_at=at(dt.date(2009, 1, 1)))
    MeetingAction.objects.filter(pk=action.pk).update(due_on=dt.date(2008, 1, 1))
    found = {(f.kind, f.record_id, f.child_id, f.field) for f in records_check.find()}
    assert found == {
        ("meeting", meeting.pk, children[0].pk, "held_at"),
        ("meeting action", action.pk, children[0].pk, "due_on"),
    }


def test_the_timeline_and_chronology_show_the_meeting_and_its_decisions(
    manager: User, agencies: list[Agency], children: list[Child]
) -> None:
    meeting = _meeting(manager, agencies, children)
    for child in children:
        timeline = casefile.record_as_of(child, timezone.localdate()).timeline
        entry = next(e for e in timeline if e.kind == "meeting")
        assert (entry.title, entry.link) == ("MACE meeting held", f"/meetings/{meeting.pk}")
        assert DECISIONS in entry.detail
        rows = chronology.chronology_for(manager, child, timezone.localdate()).rows
        assert any(r.event.key == f"meeting:{meeting.pk}" and r.significant for r in rows)
    # Not on a day before the meeting.
    before = (timezone.localtime(meeting.held_at) - dt.timedelta(days=1)).date()
    assert all(e.kind != "meeting" for e in casefile.record_as_of(children[0], before).timeline)


def test_partners_see_no_meeting_and_only_police_and_managers_see_persons(
    manager: User,
    practitioner: User,
    agencies: list[Agency],
    children: list[Child],
    make_user: Callable[..., User],
) -> None:
    location = intelligence.record_location(
        name="The arcade", kind="public_space", first_noted=dt.date(2020, 1, 1), acting_user=manager
    )
    person = intelligence.record_person(name="Known as 'Zed'", acting_user=manager)
    with pytest.raises(ValidationError) as refused:
        _meeting(practitioner, agencies, children, persons=[person])
    assert set(refused.value.message_dict) == {"persons"}
    meeting = _meeting(manager, agencies, children, locations=[location], persons=[person])

    as_practitioner = sign_in_verified(Client(), practitioner).get(f"/meetings/{meeting.pk}")
    assert "The arcade" in as_practitioner.content.decode()
    assert "Zed" not in as_practitioner.content.decode()
    as_police = sign_in_verified(Client(), make_user(Role.POLICE_HUB_OFFICER))
    assert "Zed" in as_police.get(f"/meetings/{meeting.pk}").content.decode()

    partner = make_user(Role.PARTNER_WORKER)
    sharing.share_child(
        children[0],
        agency=partner.agency,
        lawful_basis="public_task",
        purpose="p",
        sections=["notes", "risk", "referrals", "missing"],
        expires_on=timezone.localdate(),
        reasons="r",
        acting_user=manager,
    )
    client = sign_in_verified(Client(), partner)
    assert client.get(f"/meetings/{meeting.pk}").status_code == 404
    assert AuditEvent.objects.filter(action="access:denied", object_id=str(meeting.pk)).exists()
    child_page = client.get(f"/children/{children[0].pk}").content.decode()
    assert "MACE meeting" not in child_page
    assert DECISIONS not in child_page
    with pytest.raises(AccessDeniedError):
        _meeting(partner, agencies, children)


def test_the_minutes_pdf_is_restricted_on_every_page_and_in_its_name(
    manager: User, agencies: list[Agency], children: list[Child]
) -> None:
    import pdfplumber  # noqa: PLC0415

    meeting = _meeting(manager, agencies, children)
    for n in range(40):
        services.add_action(
            meeting,
            text=f"Action number {n} with enough words to take up a line of the table",
            owner=manager,
            due_on=timezone.localdate() + dt.timedelta(days=n),
            acting_user=manager,
        )
    response = sign_in_verified(Client(), manager).get(f"/meetings/{meeting.pk}/minutes.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="RESTRICTED-not-for-publication-minutes-{meeting.reference}-'
    )
    with pdfplumber.open(io.BytesIO(response.content)) as pdf:
        assert len(pdf.pages) >= 2
        for page in pdf.pages:
            assert (page.extract_text() or "").count(export.MARKING) == 2
        assert DECISIONS in "".join(p.extract_text() or "" for p in pdf.pages)
    assert AuditEvent.objects.filter(action="meeting:exported:pdf").count() == 1


def _high_risk_child(practitioner: User) -> Child:
    child = _child(practitioner, "Cleo")
    referral = referrals.receive_referral(
        child=child,
        received_at=timezone.now() - dt.timedelta(hours=2),
        source="6",
        concerns="Concerns",
        exploitation_types=["cse"],
        acting_user=practitioner,
    )
    referrals.record_screening(referral, {"disclosure": True}, acting_user=practitioner)
    referrals.record_decision(referral, outcome="strategy_discussion", acting_user=practitioner)
    return child


def test_a_strategy_discussion_meeting_satisfies_the_high_risk_rule(
    practitioner: User, agencies: list[Agency]
) -> None:
    child = _high_risk_child(practitioner)
    assert "strategy_discussion" in {i.kind for i in due_items(practitioner)}
    _meeting(practitioner, agencies, [child], kind="mace", held_at=timezone.now())
    assert "strategy_discussion" in {i.kind for i in due_items(practitioner)}
    _meeting(practitioner, agencies, [child], kind="strategy_discussion", held_at=timezone.now())
    assert "strategy_discussion" not in {i.kind for i in due_items(practitioner)}
