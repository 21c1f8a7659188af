"""The hub's daily work through the services: referral, screening, decision, episode, triage."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from safehub.access.models import Role, User
from safehub.access.policy import SYSTEM, AccessDeniedError, OutOfScopeError
from safehub.audit.models import AuditEvent
from safehub.casefile import queries as casefile
from safehub.episodes import services as episodes
from safehub.episodes.models import Episode, RiskChange
from safehub.geo import services as geo
from safehub.meetings import services as meetings
from safehub.people import queries as people_queries
from safehub.people import services as people
from safehub.people.models import Child
from safehub.referrals import services as referrals
from safehub.referrals.models import Screening
from safehub.rules.working_time import Rag
from tests.integration.due import due_items

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def practitioner(make_user: Callable[..., User]) -> User:
    geo.load_reference_data(acting_user=SYSTEM)
    return make_user(Role.HUB_PRACTITIONER)


def _child(user: User, **extra: object) -> Child:
    identity: dict[str, object] = {
        "given_name": "Testa",
        "family_name": "Samplewell",
        "date_of_birth": dt.date(2002, 3, 4),
        "sex": "F",
        "ethnicity": "WBRI",
        "ethnicity_source": "self_identified",
    }
    identity.update(extra)
    return people.register_child(acting_user=user, **identity)


def _referral(user: User, child: Child, received_at: dt.datetime) -> object:
    return referrals.receive_referral(
        child=child,
        received_at=received_at,
        source="6",
        concerns="Seen getting into cars with unknown adults near the station.",
        exploitation_types=["cse"],
        acting_user=user,
    )


def test_an_invalid_nhs_number_is_refused_by_field(practitioner: User) -> None:
    with pytest.raises(ValidationError) as refused:
        _child(practitioner, nhs_number="999 123 4567")
    assert "nhs_number" in refused.value.message_dict


def test_screening_opens_an_episode_and_later_screenings_escalate(practitioner: User) -> None:
    child = _child(practitioner)
    received = dt.datetime(2016, 10, 3, 10, 0, tzinfo=LONDON)
    referral = _referral(practitioner, child, received)
    screening = referrals.record_screening(
        referral,
        {"going_missing": True, "older_associates": True},
        screened_at=received + dt.timedelta(hours=1),
        acting_user=practitioner,
    )
    assert screening.final_level == "low"
    episode = Episode.objects.get(child=child)
    assert episode.opened_on == dt.date(2016, 10, 3)

    second = _referral(practitioner, child, dt.datetime(2016, 10, 20, 9, 0, tzinfo=LONDON))
    referrals.record_screening(second, {"disclosure": True}, acting_user=practitioner)
    assert list(RiskChange.objects.filter(episode=episode).values_list("level", flat=True)) == [
        "low",
        "high",
    ]
    assert AuditEvent.objects.filter(action="episode:risk:escalated").count() == 1

    before = casefile.record_as_of(child, dt.date(2016, 10, 10))
    after = casefile.record_as_of(child, dt.date(2016, 10, 25))
    assert (before.risk_level, after.risk_level) == ("low", "high")
    assert {e.kind for e in before.timeline} == {"referral", "screening", "episode", "risk"}
    assert len([e for e in after.timeline if e.kind == "referral"]) == 2


def test_an_override_needs_a_reason_and_is_recorded_as_one(
    practitioner: User, no_sign_off: None
) -> None:
    child = _child(practitioner)
    referral = _referral(practitioner, child, timezone.now() - dt.timedelta(hours=1))
    with pytest.raises(ValidationError) as refused:
        referrals.record_screening(
            referral, {"going_missing": True}, override_level="high", acting_user=practitioner
        )
    assert "override_reason" in refused.value.message_dict
    screening = referrals.record_screening(
        referral,
        {"going_missing": True},
        override_level="high",
        override_reason="Police intelligence links the child to a known address.",
        acting_user=practitioner,
    )
    assert (screening.computed_level, screening.final_level, screening.overridden) == (
        "low",
        "high",
        True,
    )
    assert AuditEvent.objects.filter(action="screening:overridden").count() == 1


def test_triage_shows_the_decision_due_then_clears_it(practitioner: User) -> None:
    child = _child(practitioner)
    now = timezone.now()
    referral = _referral(practitioner, child, now - dt.timedelta(minutes=30))
    items = due_items(practitioner, now=now)
    assert [(i.kind, i.child) for i in items] == [("decision", child)]
    assert items[0].rag in {Rag.GREEN, Rag.AMBER}
    referrals.record_decision(referral, outcome="advice", acting_user=practitioner)
    assert due_items(practitioner, now=now) == []
    late = due_items(practitioner, now=now + dt.timedelta(days=10))
    assert late == []


def test_an_overdue_decision_is_red(practitioner: User) -> None:
    child = _child(practitioner)
    received = dt.datetime(2026, 11, 20, 10, 0, tzinfo=LONDON)  # a Friday
    _referral(practitioner, child, received)
    monday_noon = dt.datetime(2026, 11, 23, 12, 0, tzinfo=LONDON)
    [item] = due_items(practitioner, now=monday_noon)
    assert item.due == dt.datetime(2026, 11, 23, 10, 0, tzinfo=LONDON)
    assert item.rag == Rag.RED


def test_a_high_risk_episode_needs_a_strategy_discussion(practitioner: User) -> None:
    child = _child(practitioner)
    referral = _referral(practitioner, child, timezone.now() - dt.timedelta(hours=2))
    referrals.record_screening(referral, {"disclosure": True}, acting_user=practitioner)
    referrals.record_decision(referral, outcome="strategy_discussion", acting_user=practitioner)
    kinds = {i.kind for i in due_items(practitioner)}
    assert kinds == {"strategy_discussion", "review"}
    meetings.record_meeting(
        kind="strategy_discussion",
        held_at=timezone.now(),
        chair=practitioner,
        agencies=[practitioner.agency],
        children=[child],
        decisions="Held",
        episode=Episode.objects.get(child=child),
        acting_user=practitioner,
    )
    assert {i.kind for i in due_items(practitioner)} == {"review"}


def test_risk_changes_need_reasons_and_closing_ends_the_episode(
    practitioner: User, no_sign_off: None
) -> None:
    child = _child(practitioner)
    referral = _referral(practitioner, child, dt.datetime(2016, 1, 4, 9, tzinfo=LONDON))
    referrals.record_screening(
        referral,
        {"exploited_peers": True, "going_missing": True, "school_absence": True},
        acting_user=practitioner,
    )
    episode = Episode.objects.get(child=child)
    with pytest.raises(ValidationError):
        episodes.change_risk(
            episode,
            level="low",
            effective_on=dt.date(2016, 3, 1),
            reason=" ",
            acting_user=practitioner,
        )
    episodes.change_risk(
        episode,
        level="low",
        effective_on=dt.date(2016, 3, 1),
        reason="Engaging with the Youth Service",
        acting_user=practitioner,
    )
    assert AuditEvent.objects.filter(action="episode:risk:de-escalated").count() == 1
    episodes.close_episode(
        episode, closed_on=dt.date(2016, 6, 1), reason="Risk reduced", acting_user=practitioner
    )
    assert casefile.record_as_of(child, dt.date(2016, 7, 1)).episode is None
    assert casefile.record_as_of(child, dt.date(2016, 5, 1)).risk_level == "low"


def test_address_history_places_the_child_in_the_ward_of_the_time(practitioner: User) -> None:
    child = _child(practitioner)
    people.record_address(
        child, valid_from=dt.date(2015, 1, 1), ward_code="E05001370", acting_user=practitioner
    )
    people.record_address(
        child, valid_from=dt.date(2016, 6, 1), ward_code="E05001365", acting_user=practitioner
    )
    old = casefile.record_as_of(child, dt.date(2016, 1, 1))
    new = casefile.record_as_of(child, dt.date(2016, 7, 1))
    assert old.address is not None
    assert new.address is not None
    assert (old.address.ward.name, new.address.ward.name) == ("Wyke", "Tong")  # type: ignore[union-attr]
    history = child.addresses.get(valid_from=dt.date(2015, 1, 1)).history.all()
    assert [h.valid_to for h in history] == [dt.date(2016, 6, 1), None]
    assert {h.history_user for h in history} == {practitioner}


def test_children_are_out_of_scope_for_roles_outside_the_hub(
    practitioner: User, make_user: Callable[..., User]
) -> None:
    child = _child(practitioner)
    partner = make_user(Role.PARTNER_WORKER)
    with pytest.raises(OutOfScopeError):
        people_queries.get_child(partner, child.pk)
    assert people_queries.get_child(practitioner, child.pk) == child
    assert AuditEvent.objects.filter(action="child:viewed", actor=practitioner).exists()
    with pytest.raises(AccessDeniedError):
        _referral(partner, child, timezone.now())


def test_every_screening_keeps_the_engine_reasoning(practitioner: User) -> None:
    child = _child(practitioner)
    referral = _referral(practitioner, child, timezone.now() - dt.timedelta(hours=1))
    screening = referrals.record_screening(referral, {"disclosure": True}, acting_user=practitioner)
    stored = Screening.objects.get(pk=screening.pk)
    assert stored.result["level"] == "high"
    assert stored.tool_id == "exploitation-screening"
    assert stored.tool_version == 1


def test_a_return_home_interview_is_due_then_recorded(practitioner: User) -> None:
    child = _child(practitioner)
    now = timezone.now()
    missing = episodes.record_missing_episode(
        child,
        started_at=now - dt.timedelta(days=2),
        ended_at=now - dt.timedelta(days=1),
        acting_user=practitioner,
    )
    [item] = due_items(practitioner, now=now, kinds=["return_interview"])
    assert item.due == missing.ended_at + dt.timedelta(hours=72)  # type: ignore[operator]
    assert item.link == f"/missing/{missing.pk}"
    with pytest.raises(ValidationError) as refused:
        episodes.update_missing_episode(
            missing,
            ended_at=missing.ended_at,
            return_interview_offered_at=None,
            return_interview_completed_at=now - dt.timedelta(days=3),
            acting_user=practitioner,
        )
    assert "return_interview_completed_at" in refused.value.message_dict
    episodes.update_missing_episode(
        missing,
        ended_at=missing.ended_at,
        return_interview_offered_at=now - dt.timedelta(hours=20),
        return_interview_completed_at=now - dt.timedelta(hours=2),
        acting_user=practitioner,
    )
    assert due_items(practitioner, now=now, kinds=["return_interview"]) == []
    assert missing.history.count() == 2
