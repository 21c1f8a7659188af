"""A child's page and the API's child, for a child with every kind of history: the queries each
makes are pinned, so a part read twice, or a query per row, cannot come back unnoticed.

The page is the hottest in the service (every practitioner opens it all day); each query costs
Django about half a millisecond to compile. The counts are the test client's requests through
the whole middleware stack (session, account, authenticator app; the page's notifications
count and footer agency), on either engine. Change one only on purpose, saying why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from safehub.access.models import Role, User
from safehub.access.policy import SYSTEM
from safehub.episodes import allocation
from safehub.episodes import services as episodes
from safehub.flags import services as flags
from safehub.geo import services as geo
from safehub.geo.queries import ward_choices
from safehub.intelligence import services as intelligence
from safehub.meetings import services as meetings
from safehub.partnership import services as partnership
from safehub.people import services as people
from safehub.people.models import Child
from safehub.referrals import services as referrals
from safehub.rules import screening
from safehub.rules.codes import RiskLevel
from tests.factories import SupportServiceFactory
from tests.integration.conftest import sign_in_verified

LONDON = ZoneInfo("Europe/London")
TODAY = timezone.localdate()
PAST = TODAY - dt.timedelta(days=200)

# (reader, what) -> the queries one request makes (36, 36, 25, 32 and 27 before each part of
# the record was read once, and only when shown).
QUERIES = {
    ("manager", "page"): 30,
    ("manager", "past page"): 30,
    ("manager", "api"): 12,
    ("partner", "page"): 23,
    ("partner", "api"): 13,
}


def _at(days_ago: int, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(TODAY - dt.timedelta(days=days_ago), dt.time(hour), tzinfo=LONDON)


@pytest.fixture
def manager(make_user: Callable[..., User]) -> User:
    geo.load_reference_data(acting_user=SYSTEM)
    return make_user(Role.HUB_MANAGER)


@pytest.fixture
def partner(make_user: Callable[..., User]) -> User:
    return make_user(Role.PARTNER_WORKER)


def _full_history(manager: User, practitioner: User, partner: User) -> Child:
    """A child with two of nearly everything a record holds, corrections and withdrawals too,
    shared (risk, referrals, notes, address) with the partner's agency through a pathway
    referral the partner has taken on."""
    ward, other_ward = (code for code, _ in ward_choices(TODAY)[:2])
    child = people.register_child(
        acting_user=manager,
        given_name="Fenella",
        family_name="Fullrecord",
        date_of_birth=dt.date(2010, 2, 3),
        sex="F",
    )
    first = people.record_address(
        child, valid_from=dt.date(2015, 1, 1), ward_code=ward, acting_user=manager
    )
    moved = people.record_address(
        child, valid_from=TODAY - dt.timedelta(days=400), ward_code=ward, acting_user=manager
    )
    # Corrected since: a past day reads the ward as recorded then.
    people.correct_address(
        moved,
        valid_from=moved.valid_from,
        postcode="",
        ward_code=other_ward,
        address="",
        reason="Wrong ward",
        acting_user=manager,
    )
    people.withdraw_address(first, reason="Entered in error", acting_user=manager)
    people.record_care_period(
        child, kind="child_in_need", valid_from=dt.date(2020, 1, 1), acting_user=manager
    )
    for name in ("Fen", "Nell"):
        people.add_alias(child, given_name=name, family_name="", note="", acting_user=manager)
    for text in ("Seen at the station", "School worried about attendance"):
        people.add_case_note(child, text=text, acting_user=manager)
    _case_work(child, manager, practitioner)
    _partners_and_intelligence(child, manager, partner)
    return child


def _case_work(child: Child, manager: User, practitioner: User) -> None:
    """Referrals screened and decided (one waiting for sign-off), an episode with its risk
    changes and allocation, missing episodes and flags (one signed off, one pending)."""
    answers = {i.key: False for g in screening.load_tool().groups for i in g.indicators}
    received = []
    for days_ago in (300, 30):
        referral = referrals.receive_referral(
            child=child,
            received_at=_at(days_ago),
            source="6",
            concerns="Older men outside school",
            exploitation_types=["cse", "cce"],
            acting_user=manager,
        )
        referrals.record_screening(
            referral,
            answers,
            override_level="medium",
            override_reason="Known to police",
            acting_user=manager,
        )
        received.append(referral)
    referrals.record_decision(received[0], outcome="advice", acting_user=manager)
    # A practitioner's "no further action" on a medium risk waits for a manager's sign-off.
    referrals.record_decision(
        received[1],
        outcome="no_further_action",
        rationale="Parents engaged",
        acting_user=practitioner,
    )
    episode = episodes.hold_at_risk(
        child, level=RiskLevel("low"), on=PAST, reason="Screening", acting_user=manager
    )
    for days_ago, level in ((100, "medium"), (10, "low")):
        episodes.change_risk(
            episode,
            level=level,
            effective_on=TODAY - dt.timedelta(days=days_ago),
            reason="Review",
            acting_user=manager,
        )
    allocation.allocate(
        [episode],
        worker=manager,
        lead_agency=manager.agency,
        reason="Knows the family",
        acting_user=manager,
    )
    for days_ago in (150, 20):
        episodes.record_missing_episode(
            child,
            started_at=_at(days_ago, 21),
            ended_at=_at(days_ago - 1, 8),
            acting_user=manager,
        )
    for kind in ("sexual_exploitation", "missing_from_care"):
        flag = flags.raise_flag(
            child,
            kind=kind,
            text="Do not discuss the address with callers",
            owner=practitioner,
            review_on=TODAY + dt.timedelta(days=30),
            acting_user=practitioner,
        )
    flags.sign_off(flag, approve=True, acting_user=manager)


def _partners_and_intelligence(child: Child, manager: User, partner: User) -> None:
    """A pathway referral (which shares the record) taken on by the partner, who adds
    observations; meetings; locations and persons of concern."""
    service = SupportServiceFactory(name="Youth Service", agency=partner.agency)
    (pathway,) = partnership.refer(
        child,
        services=[service],
        message="Needs a trusted adult",
        lawful_basis="safeguarding",
        purpose="Youth work support",
        sections=["risk", "referrals", "notes", "address"],
        expires_on=TODAY + dt.timedelta(days=90),
        acting_user=manager,
    )
    partnership.accept(pathway, worker=partner, acting_user=partner)
    partnership.record_update(pathway, text="Came to the youth club", acting_user=partner)
    for text in ("New phone", "New trainers"):
        partnership.add_observation(child, text=text, acting_user=partner)
    for days_ago in (90, 5):
        meetings.record_meeting(
            kind="mace",
            held_at=_at(days_ago),
            chair=manager,
            agencies=[manager.agency],
            children=[child],
            decisions="Disrupt the address",
            acting_user=manager,
        )
    for name in ("The arches", "Bus station"):
        location = intelligence.record_location(
            name=name, kind="other", first_noted=PAST, acting_user=manager
        )
        intelligence.link_child_to_location(location, child, noted_on=PAST, acting_user=manager)
    for name in ("Person A", "Person B"):
        person = intelligence.record_person(name=name, acting_user=manager)
        intelligence.link_child_to_person(person, child, noted_on=PAST, acting_user=manager)


def _count(client: Client, path: str) -> tuple[int, str]:
    # Once first: the session's "last seen" is written at most once a minute.
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(queries), response.content.decode()


def test_a_full_record_is_read_in_a_fixed_number_of_queries(
    manager: User, partner: User, make_user: Callable[..., User]
) -> None:
    child = _full_history(manager, make_user(Role.HUB_PRACTITIONER), partner)
    hub = sign_in_verified(Client(), manager)
    theirs = sign_in_verified(Client(), partner)
    path = f"/children/{child.pk}"
    counts = {}
    counts["manager", "page"], page = _count(hub, path)
    counts["manager", "past page"], past = _count(hub, f"{path}?on={PAST:%Y-%m-%d}")
    counts["manager", "api"], _ = _count(hub, f"/api/v1{path}")
    counts["partner", "page"], shared = _count(theirs, path)
    counts["partner", "api"], _ = _count(theirs, f"/api/v1{path}")
    # What each read shows, so that the counts are of a page that shows it all.
    for shown in (
        "warning-flags",
        "Referral received",
        "Screened: medium risk",
        "Decision: Advice and information",
        "Episode opened",
        "Risk medium",
        "Allocated to",
        "Missing",
        "Seen at the station",
        "Sign-off",
        "Youth Service: Accepted",
        "Observation by",
        "MACE meeting held",
        "Also known as",
        "address-history",
        "concern-locations",
        "concern-persons",
        "pathway-referrals",
        'id="shares"',
        'id="flags"',
        "ward <span",
        "Child in need",
    ):
        assert shown in page, shown
    assert "ward <span" in past
    assert "Observation by" in shared
    assert "MACE meeting held" not in shared
    assert counts == QUERIES, "the queries of a child's page changed"
