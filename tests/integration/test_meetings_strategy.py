"""A strategy discussion is a meeting: recorded from the episode page through the meetings form,
scoped as the episode's own forms are, meeting the high-risk rule; and the episode's old
strategy-discussion records retired into meetings by a migration that keeps their history and
their chronology marks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.utils import timezone

from safehub.access.models import Agency, AgencyType, Role, User
from safehub.access.policy import SYSTEM, AccessDeniedError
from safehub.audit.models import AuditEvent
from safehub.casefile import chronology
from safehub.episodes.models import Episode, RiskChange
from safehub.geo import services as geo
from safehub.meetings import services
from safehub.meetings.models import Meeting
from safehub.people import services as people
from safehub.people import sharing
from safehub.people.models import Child
from safehub.referrals import services as referrals
from tests.factories import AgencyFactory
from tests.integration.conftest import sign_in_verified
from tests.integration.due import due_items

DECISIONS = "Safety plan agreed; police to visit the address"


@pytest.fixture
def practitioner(make_user: Callable[..., User]) -> User:
    geo.load_reference_data(acting_user=SYSTEM)
    return make_user(Role.HUB_PRACTITIONER)


@pytest.fixture
def agencies() -> list[Agency]:
    return [
        AgencyFactory(name="Strategy police", agency_type=AgencyType.POLICE),
        AgencyFactory(name="Strategy social care", agency_type=AgencyType.CHILDRENS_SERVICES),
    ]


def _high_risk_child(by: User, given: str = "Cleo") -> Child:
    child = people.register_child(
        acting_user=by,
        given_name=given,
        family_name="Strategy",
        date_of_birth=dt.date(2010, 5, 6),
        sex="F",
    )
    referral = referrals.receive_referral(
        child=child,
        received_at=timezone.now() - dt.timedelta(hours=2),
        source="6",
        concerns="Concerns",
        exploitation_types=["cse"],
        acting_user=by,
    )
    referrals.record_screening(referral, {"disclosure": True}, acting_user=by)
    referrals.record_decision(referral, outcome="strategy_discussion", acting_user=by)
    # Graded an hour ago, so a discussion held half an hour ago was held since.
    RiskChange.objects.filter(episode__child=child).update(
        recorded_at=timezone.now() - dt.timedelta(hours=1)
    )
    return child


def _form(child: Child, episode: Episode, agencies: list[Agency]) -> dict[str, object]:
    held = timezone.localtime() - dt.timedelta(minutes=30)
    return {
        "kind": "strategy_discussion",
        "held_at_0_0": str(held.day),
        "held_at_0_1": str(held.month),
        "held_at_0_2": str(held.year),
        "held_at_1": f"{held:%H:%M}",
        "agencies": [a.pk for a in agencies],
        "children": str(child.pk),
        "decisions": DECISIONS,
        "episode": str(episode.pk),
    }


def test_a_strategy_discussion_recorded_from_the_episode_page_is_a_meeting(
    practitioner: User, agencies: list[Agency]
) -> None:
    child = _high_risk_child(practitioner)
    episode = Episode.objects.get(child=child)
    assert "strategy_discussion" in {i.kind for i in due_items(practitioner)}
    client = sign_in_verified(Client(), practitioner)

    page = client.get(f"/episodes/{episode.pk}").content.decode()
    link = f"/meetings/new?child={child.pk}&amp;kind=strategy_discussion&amp;episode={episode.pk}"
    assert f'href="{link}"' in page
    form = client.get(link.replace("&amp;", "&")).content.decode()
    assert 'value="strategy_discussion" checked' in form
    assert f'name="episode" value="{episode.pk}"' in form
    assert f'href="/episodes/{episode.pk}"' in form  # back to the episode

    response = client.post("/meetings/new", _form(child, episode, agencies))
    assert response.status_code == 302, response.content.decode()
    meeting = Meeting.objects.get()
    assert response["Location"] == f"/meetings/{meeting.pk}"
    assert (meeting.kind, meeting.episode, list(meeting.children.all())) == (
        "strategy_discussion",
        episode,
        [child],
    )
    assert meeting.history.count() == 1
    # The episode's high-risk item is met, and nothing was written to the old record.
    assert "strategy_discussion" not in {i.kind for i in due_items(practitioner)}
    with pytest.raises(LookupError):
        django_apps.get_model("episodes", "StrategyDiscussion")
    assert AuditEvent.objects.filter(action="child:meeting:recorded", child_id=child.pk).exists()

    # The meeting page leads back to the episode; the episode page lists the meeting.
    assert f'href="/episodes/{episode.pk}"' in client.get(response["Location"]).content.decode()
    page = client.get(f"/episodes/{episode.pk}").content.decode()
    assert f'href="/meetings/{meeting.pk}"' in page
    assert DECISIONS in page
    # The chronology shows it once, as a meeting.
    rows = chronology.chronology_for(practitioner, child, timezone.localdate()).rows
    assert [r.event.key for r in rows if r.event.key.startswith(("meeting", "strategy"))] == [
        f"meeting:{meeting.pk}"
    ]


def test_only_someone_who_may_record_on_the_episode_records_its_strategy_discussion(
    practitioner: User, agencies: list[Agency], make_user: Callable[..., User]
) -> None:
    child = _high_risk_child(practitioner)
    episode = Episode.objects.get(child=child)
    # A partner who may read the episode (its risk section is shared) may not record on it.
    partner = make_user(Role.PARTNER_WORKER)
    sharing.share_child(
        child,
        agency=partner.agency,
        lawful_basis="public_task",
        purpose="p",
        sections=["risk"],
        expires_on=timezone.localdate(),
        reasons="r",
        acting_user=practitioner,
    )
    as_partner = sign_in_verified(Client(), partner)
    assert as_partner.get(f"/episodes/{episode.pk}").status_code == 200
    query = f"?child={child.pk}&kind=strategy_discussion&episode={episode.pk}"
    assert as_partner.get(f"/meetings/new{query}").status_code == 403
    assert as_partner.post("/meetings/new", _form(child, episode, agencies)).status_code == 403
    with pytest.raises(AccessDeniedError):
        services.record_meeting(
            kind="strategy_discussion",
            held_at=timezone.now(),
            chair=None,
            agencies=agencies,
            children=[child],
            decisions="",
            episode=episode,
            acting_user=partner,
        )

    # A hub worker cannot file it on an episode of another child, nor on one that is not there.
    client = sign_in_verified(Client(), practitioner)
    other = _high_risk_child(practitioner, "Dora")
    response = client.post("/meetings/new", _form(other, episode, agencies))
    assert response.status_code == 200
    assert "Enter the child whose episode this is" in response.content.decode()
    missing = Episode.objects.order_by("-pk").first().pk + 100  # type: ignore[union-attr]
    assert client.get(f"/meetings/new?episode={missing}").status_code == 404
    assert not Meeting.objects.exists()
    assert "strategy_discussion" in {i.kind for i in due_items(practitioner)}


MEETINGS_BEFORE = ("meetings", "0002_strategy_discussions_become_meetings")
EPISODES_BEFORE = ("episodes", "0007_sign_off_history_record_time")


@pytest.fixture
def latest_schema_after() -> Iterator[None]:
    """Whatever the test did to the schema, it is migrated back to the latest afterwards."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_the_old_strategy_discussions_become_meetings_with_their_history_and_marks(
    latest_schema_after: None, practitioner: User
) -> None:
    child = _high_risk_child(practitioner)
    # Back to the schema with the episode's own strategy discussions.
    MigrationExecutor(connection).migrate([MEETINGS_BEFORE, EPISODES_BEFORE])
    executor = MigrationExecutor(connection)
    old = executor.loader.project_state(list(executor.loader.applied_migrations)).apps
    discussions = old.get_model("episodes", "StrategyDiscussion")
    history = old.get_model("episodes", "HistoricalStrategyDiscussion")
    held = timezone.now() - dt.timedelta(days=2)
    # One already made a meeting by migration 0002, one recorded since (not yet a meeting).
    converted = discussions.objects.create(
        episode_id=Episode.objects.get(child=child).pk,
        held_at=held,
        summary="Agreed a safety plan",
        recorded_by_id=practitioner.pk,
    )
    late = discussions.objects.create(
        episode_id=converted.episode_id,
        held_at=held + dt.timedelta(hours=3),
        summary="Reviewed the plan",
        recorded_by_id=practitioner.pk,
    )
    for d in (converted, late):
        history.objects.create(
            id=d.pk,
            episode_id=d.episode_id,
            held_at=d.held_at,
            summary=d.summary,
            recorded_by_id=d.recorded_by_id,
            history_date=d.held_at + dt.timedelta(minutes=5),
            learned_at=d.held_at + dt.timedelta(minutes=5),
            history_type="+",
            history_user_id=practitioner.pk,
        )
    old.get_model("meetings", "Meeting").objects.create(
        kind="strategy_discussion",
        held_at=held,
        decisions="Agreed a safety plan",
        recorded_by_id=practitioner.pk,
        recorded_at=held,
        strategy_discussion_id=converted.pk,
    ).children.add(child.pk)
    marked = timezone.now() - dt.timedelta(days=1)
    mark = old.get_model("casefile", "ChronologyMark").objects.create(
        child_id=child.pk, event_key=f"strategy:{converted.pk}", significant=False, marked_at=marked
    )
    old.get_model("casefile", "HistoricalChronologyMark").objects.create(
        id=mark.pk,
        child_id=child.pk,
        event_key=mark.event_key,
        significant=False,
        marked_at=marked,
        history_date=marked,
        learned_at=marked,
        history_type="+",
    )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    meetings = list(Meeting.objects.filter(kind="strategy_discussion").order_by("held_at"))
    assert [(m.held_at, m.decisions, m.episode_id) for m in meetings] == [
        (held, "Agreed a safety plan", converted.episode_id),
        (held + dt.timedelta(hours=3), "Reviewed the plan", converted.episode_id),
    ]
    assert [m.former_discussion for m in meetings] == [converted.pk, late.pk]
    assert all(list(m.children.all()) == [child] for m in meetings)
    # Each keeps who recorded it and when: the discussion's history, then the move.
    for meeting in meetings:
        rows = list(meeting.history.order_by("history_date", "history_id"))
        assert [r.history_type for r in rows] == ["+", "~"]
        assert (rows[0].history_user_id, rows[0].history_date) == (
            practitioner.pk,
            meeting.held_at + dt.timedelta(minutes=5),
        )
    # The chronology keeps the practitioner's mark under the discussion's own key.
    rows = chronology.chronology_for(practitioner, child, timezone.localdate()).rows
    marked = [r for r in rows if r.event.key == f"strategy:{converted.pk}"]
    assert [r.significant for r in marked] == [False]
    assert not any(r.event.key == f"meeting:{meetings[0].pk}" for r in rows)
    tables = connection.introspection.table_names()
    assert "episodes_strategydiscussion" not in tables
    assert "episodes_historicalstrategydiscussion" not in tables
