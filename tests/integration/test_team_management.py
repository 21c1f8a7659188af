"""Running the hub: allocation with history, caseloads, manager sign-off, the triage queue."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from safehub.access.models import Agency, Role, User
from safehub.access.policy import SYSTEM, AccessDeniedError
from safehub.audit.models import AuditEvent
from safehub.casefile import queries as casefile
from safehub.episodes import allocation, allocation_views
from safehub.episodes import services as episodes
from safehub.episodes.models import Allocation, Episode, SignOffRequest
from safehub.geo import services as geo
from safehub.people import services as people
from safehub.people.models import Child
from safehub.referrals import services as referrals
from safehub.referrals import signoff
from safehub.referrals.models import Decision, Referral
from safehub.rules.working_time import Rag
from safehub.triage import store
from safehub.triage.caseloads import caseloads
from safehub.triage.models import DueRow
from safehub.triage.queries import Filters, queue_page
from tests.integration.conftest import sign_in_verified


@pytest.fixture
def practitioner(make_user: Callable[..., User]) -> User:
    geo.load_reference_data(acting_user=SYSTEM)
    return make_user(Role.HUB_PRACTITIONER)


@pytest.fixture
def manager(make_user: Callable[..., User]) -> User:
    return make_user(Role.HUB_MANAGER)


def _child(user: User, name: str) -> Child:
    return people.register_child(
        acting_user=user,
        given_name=name,
        family_name="Samplewell",
        date_of_birth=dt.date(2011, 3, 4),
        sex="F",
        ethnicity="WBRI",
        ethnicity_source="self_identified",
    )


def _referral(user: User, child: Child, hours_ago: float = 1) -> Referral:
    return referrals.receive_referral(
        child=child,
        received_at=timezone.now() - dt.timedelta(hours=hours_ago),
        source="6",
        concerns="Seen getting into cars with unknown adults near the station.",
        exploitation_types=["cse"],
        acting_user=user,
    )


def _held(
    user: User, name: str, answers: dict[str, bool] | None = None, hours_ago: float = 1
) -> Episode:
    child = _child(user, name)
    referral = _referral(user, child, hours_ago)
    referrals.record_screening(referral, answers or {"going_missing": True}, acting_user=user)
    return Episode.objects.get(child=child)


# --- allocation ----------------------------------------------------------------------------


def test_bulk_allocation_keeps_who_held_each_child_when(
    practitioner: User, manager: User, make_user: Callable[..., User]
) -> None:
    held = [_held(practitioner, name) for name in ("Ada", "Bea", "Cai")]
    assert all(e.allocated_worker_id is None for e in held)  # episodes open unallocated
    assert {e.pk for e in allocation.open_episodes(manager)} == {e.pk for e in held}
    agency = Agency.objects.get(pk=practitioner.agency_id)

    made = allocation.allocate(
        held, worker=practitioner, lead_agency=agency, reason="New cases", acting_user=manager
    )
    assert len(made) == 3
    assert allocation.open_episodes(manager) == []
    assert {e.child.given_name for e in allocation.allocated_to(practitioner)} == {
        "Ada",
        "Bea",
        "Cai",
    }

    other = make_user(Role.POLICE_HUB_OFFICER)
    allocation.allocate(
        held[:1],
        worker=other,
        lead_agency=Agency.objects.get(pk=other.agency_id),
        reason="Police lead: county lines",
        acting_user=manager,
    )
    rows = list(Allocation.objects.filter(episode=held[0]).order_by("started_at", "id"))
    assert [(a.worker, a.ended_at is None) for a in rows] == [(practitioner, False), (other, True)]
    assert rows[0].ended_at == rows[1].started_at
    assert AuditEvent.objects.filter(action="episode:allocated").count() == 4
    timeline = casefile.record_as_of(held[0].child, timezone.localdate()).timeline
    assert [e.title for e in timeline if e.kind == "allocation"] == [
        f"Allocated to {other.get_full_name()}",
        f"Allocated to {practitioner.get_full_name()}",
    ]

    # The same holder again changes nothing.
    assert (
        allocation.allocate(
            held[1:2], worker=practitioner, lead_agency=agency, reason="x", acting_user=manager
        )
        == []
    )


def test_allocation_is_for_managers_and_needs_a_worker_agency_and_reason(
    practitioner: User, manager: User
) -> None:
    episode = _held(practitioner, "Dee")
    agency = Agency.objects.get(pk=practitioner.agency_id)
    with pytest.raises(AccessDeniedError):
        allocation.allocate(
            [episode], worker=practitioner, lead_agency=agency, reason="r", acting_user=practitioner
        )
    with pytest.raises(ValidationError) as refused:
        allocation.allocate([], worker=None, lead_agency=None, reason=" ", acting_user=manager)
    assert set(refused.value.message_dict) == {"episodes", "worker", "lead_agency", "reason"}
    assert not Allocation.objects.exists()


def test_caseloads_count_open_episodes_by_risk_and_mark_the_soft_limit(
    practitioner: User, manager: User, settings: Any
) -> None:
    settings.SAFEHUB_CASELOAD_SOFT_LIMIT = 1
    low = _held(practitioner, "Eve")
    high = _held(practitioner, "Fay", {"disclosure": True})
    agency = Agency.objects.get(pk=practitioner.agency_id)
    allocation.allocate(
        [low, high], worker=practitioner, lead_agency=agency, reason="r", acting_user=manager
    )
    load = next(c for c in caseloads(manager) if c.worker == practitioner)
    assert (load.open, load.high, load.low, load.over_limit) == (2, 1, 1, True)
    # Each child's decision, Fay's strategy discussion and both reviews are due; none overdue.
    assert (load.due, load.overdue) == (5, 0)
    with pytest.raises(AccessDeniedError):
        caseloads(practitioner)


# --- sign-off ------------------------------------------------------------------------------


def test_no_further_action_on_high_risk_waits_for_approval_and_stays_in_the_queue(
    practitioner: User, manager: User
) -> None:
    child = _child(practitioner, "Gia")
    referral = _referral(practitioner, child)
    referrals.record_screening(referral, {"disclosure": True}, acting_user=practitioner)
    with pytest.raises(ValidationError) as refused:
        referrals.record_decision(referral, outcome="no_further_action", acting_user=practitioner)
    assert "rationale" in refused.value.message_dict

    asked = referrals.record_decision(
        referral,
        outcome="no_further_action",
        rationale="Family moved away",
        acting_user=practitioner,
    )
    assert isinstance(asked, SignOffRequest)
    assert not Decision.objects.filter(referral=referral).exists()
    kinds = [i.kind for i in queue_page(practitioner).items]
    assert sorted(kinds) == ["decision", "review", "sign_off", "strategy_discussion"]
    with pytest.raises(ValidationError):  # no second decision while one waits
        referrals.record_decision(referral, outcome="advice", acting_user=practitioner)
    with pytest.raises(AccessDeniedError):  # only a hub manager signs off
        signoff.approve(asked.pk, note="", acting_user=practitioner)

    signoff.approve(asked.pk, note="Agreed", acting_user=manager)
    decision = Decision.objects.get(referral=referral)
    assert (decision.outcome, decision.decided_by) == ("no_further_action", practitioner)
    kinds = [i.kind for i in queue_page(practitioner).items]
    assert sorted(kinds) == ["review", "strategy_discussion"]
    assert AuditEvent.objects.filter(action="sign_off:requested").count() == 1
    assert AuditEvent.objects.filter(action="sign_off:approved").count() == 1
    titles = [e.title for e in casefile.record_as_of(child, timezone.localdate()).timeline]
    assert "Sign-off approved" in titles
    assert any(t.startswith("Sign-off asked") for t in titles)
    with pytest.raises(ValidationError):
        signoff.approve(asked.pk, note="", acting_user=manager)


def test_low_risk_no_further_action_and_a_managers_own_take_effect_at_once(
    practitioner: User, manager: User
) -> None:
    low = _referral(practitioner, _child(practitioner, "Hal"))
    referrals.record_screening(low, {"going_missing": True}, acting_user=practitioner)
    made = referrals.record_decision(low, outcome="no_further_action", acting_user=practitioner)
    assert isinstance(made, Decision)
    high = _referral(manager, _child(manager, "Ivy"))
    referrals.record_screening(high, {"disclosure": True}, acting_user=manager)
    made = referrals.record_decision(high, outcome="no_further_action", acting_user=manager)
    assert isinstance(made, Decision)


def test_a_returned_closure_changes_nothing_and_an_approved_one_closes_from_approval(
    practitioner: User, manager: User
) -> None:
    episode = _held(practitioner, "Joy", hours_ago=72)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    asked = episodes.close_episode(
        episode, closed_on=yesterday, reason="Risk reduced", acting_user=practitioner
    )
    assert isinstance(asked, SignOffRequest)
    episode.refresh_from_db()
    assert episode.closed_on is None
    with pytest.raises(ValidationError) as refused:
        signoff.send_back(asked.pk, note=" ", acting_user=manager)
    assert "note" in refused.value.message_dict
    signoff.send_back(asked.pk, note="Review first", acting_user=manager)
    episode.refresh_from_db()
    assert episode.closed_on is None

    again = episodes.close_episode(
        episode, closed_on=yesterday, reason="Reviewed: risk reduced", acting_user=practitioner
    )
    signoff.approve(again.pk, note="", acting_user=manager)
    episode.refresh_from_db()
    assert (episode.closed_on, episode.closure_reason) == (
        timezone.localdate(),
        "Reviewed: risk reduced",
    )
    assert "review" not in [i.kind for i in queue_page(practitioner).items]


def test_an_override_takes_effect_only_when_approved(practitioner: User, manager: User) -> None:
    child = _child(practitioner, "Kit")
    referral = _referral(practitioner, child)
    screening = referrals.record_screening(
        referral,
        {"going_missing": True},
        override_level="high",
        override_reason="Police intelligence",
        acting_user=practitioner,
    )
    assert (screening.computed_level, screening.final_level) == ("low", "low")
    assert episodes.level_on(Episode.objects.get(child=child), timezone.localdate()) == "low"
    asked = SignOffRequest.objects.get(kind="override")
    signoff.approve(asked.pk, note="", acting_user=manager)
    screening.refresh_from_db()
    assert (screening.final_level, screening.override_reason) == ("high", "Police intelligence")
    assert episodes.level_on(Episode.objects.get(child=child), timezone.localdate()) == "high"
    assert screening.override_review.reviewed_by == manager


def test_sign_off_pages(practitioner: User, manager: User) -> None:
    child = _child(practitioner, "Lou")
    referral = _referral(practitioner, child)
    referrals.record_screening(referral, {"disclosure": True}, acting_user=practitioner)
    asked = referrals.record_decision(
        referral, outcome="no_further_action", rationale="Moved away", acting_user=practitioner
    )
    client = sign_in_verified(Client(), manager)
    page = client.get("/oversight/sign-off").content.decode()
    assert "Lou Samplewell" in page
    assert "Moved away" in page
    assert client.post(f"/oversight/sign-off/{asked.pk}", {"note": ""}).status_code == 302
    assert not Decision.objects.filter(referral=referral).exists()  # no button, no decision
    done = client.post(f"/oversight/sign-off/{asked.pk}", {"outcome": "approve", "note": ""})
    assert done.status_code == 302
    assert Decision.objects.filter(referral=referral).exists()
    worker = sign_in_verified(Client(), practitioner)
    assert worker.get("/oversight/sign-off").status_code == 403
    assert worker.post(f"/oversight/sign-off/{asked.pk}", {"outcome": "return"}).status_code == 403


# --- the triage queue ----------------------------------------------------------------------


def test_the_queue_filters_sorts_pages_and_counts_in_the_database(
    practitioner: User, manager: User
) -> None:
    names = ["Mia", "Ned", "Oli", "Pip"]
    for hours, name in zip((30, 20, 1, 0.5), names, strict=True):
        _referral(practitioner, _child(practitioner, name), hours_ago=hours)
    page = queue_page(manager, size=3)
    assert (page.total, page.pages, len(page.items)) == (4, 2, 3)
    assert sum(page.counts.values()) == 4
    dues = [i.due for i in page.items]
    assert dues == sorted(dues)
    second = queue_page(manager, size=3, page=2)
    assert len(second.items) == 1
    listed = AuditEvent.objects.filter(action="child:listed", reason="listed: triage")
    assert listed.count() == 4  # three on the first page, one on the second
    unallocated = queue_page(manager, filters=Filters(scope="unallocated"))
    assert unallocated.total == 4
    assert queue_page(manager, filters=Filters(scope="mine")).total == 0
    assert queue_page(manager, filters=Filters(kinds=frozenset({"review"}))).total == 0
    reds = queue_page(manager, filters=Filters(rags=frozenset({Rag.RED})))
    assert reds.total == page.counts["red"]
    assert all(i.rag == Rag.RED for i in reds.items)
    latest = queue_page(manager, sort="-due").items
    assert [i.due for i in latest] == sorted([*dues, second.items[0].due], reverse=True)


def test_a_high_risk_item_due_within_a_working_day_is_not_green(
    practitioner: User, manager: User
) -> None:
    _held(practitioner, "Quin", {"disclosure": True})
    items = queue_page(manager, filters=Filters(kinds=frozenset({"strategy_discussion"}))).items
    assert len(items) == 1
    assert items[0].risk_level == "high"
    assert items[0].rag in {Rag.AMBER, Rag.RED}


def test_rows_follow_the_record_and_rebuild_gives_the_same(
    practitioner: User, manager: User
) -> None:
    episode = _held(practitioner, "Rae")
    before = sorted(DueRow.objects.values_list("kind", "source_id", "due", "worker_id"))
    assert {k for k, *_ in before} == {"decision", "review"}
    allocation.allocate(
        [episode],
        worker=practitioner,
        lead_agency=Agency.objects.get(pk=practitioner.agency_id),
        reason="r",
        acting_user=manager,
    )
    assert set(DueRow.objects.values_list("worker_id", flat=True)) == {practitioner.pk}
    after = sorted(DueRow.objects.values_list("kind", "source_id", "due", "worker_id"))
    store.refresh_all()
    assert sorted(DueRow.objects.values_list("kind", "source_id", "due", "worker_id")) == after


def test_the_rebuild_command_recomputes_every_row(practitioner: User) -> None:
    _held(practitioner, "Sam")
    DueRow.objects.all().delete()
    out = io.StringIO()
    call_command("triage", "rebuild", stdout=out)
    assert out.getvalue().strip() == "2 due items in the triage queue."
    assert set(DueRow.objects.values_list("kind", flat=True)) == {"decision", "review"}
    assert AuditEvent.objects.filter(action="triage:rebuilt", object_id="2").count() == 1


def test_the_home_page_lists_twenty_allocated_children_and_my_children_the_rest(
    practitioner: User, manager: User, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker holding many children: the home page lists (and audits) only the first 20,
    longest open first, and links to /my-children, which pages through all of them."""
    held = [_held(practitioner, f"Child{n:02d}") for n in range(23)]
    agency = Agency.objects.get(pk=practitioner.agency_id)
    allocation.allocate(
        held, worker=practitioner, lead_agency=agency, reason="Caseload", acting_user=manager
    )
    sign_in_verified(client, practitioner)
    listed = AuditEvent.objects.filter(action="child:listed", reason="listed: my children")

    before = listed.count()
    home = client.get("/").content.decode()
    shown = [n for n in range(23) if f"Child{n:02d} " in home]
    assert shown == list(range(20))  # opened the same day: in the order they were opened
    assert "20 of 23 shown" in home
    assert 'href="/my-children"' in home
    assert listed.count() - before == 20

    monkeypatch.setattr(allocation_views, "MY_CHILDREN_PAGE", 10)
    pages = [client.get(f"/my-children?page={n}").content.decode() for n in (1, 2, 3)]
    per_page = [[n for n in range(23) if f"Child{n:02d} " in page] for page in pages]
    assert [len(p) for p in per_page] == [10, 10, 3]
    assert sorted(n for page in per_page for n in page) == list(range(23))
    assert "Page 3 of 3" in pages[2]
    assert listed.count() - before == 20 + 23
