"""Section scoping on every read of something that belongs to a child, and its audit.

A partner worker sees a shared child's name, age and sex; everything else only when the share
names its section, on every path: the child page, the API, the episode and missing-episode
pages. Whatever they read, the child's access log shows it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from safehub.access.models import Agency, Role, User
from safehub.access.policy import SYSTEM
from safehub.audit.models import AuditEvent
from safehub.episodes import services as episodes
from safehub.geo import services as geo
from safehub.people import queries, sharing
from safehub.people import services as people
from safehub.people.models import Child
from safehub.rules.codes import RiskLevel


@pytest.fixture
def hub(make_user: Callable[..., User]) -> User:
    geo.load_reference_data(acting_user=SYSTEM)
    return make_user(Role.HUB_MANAGER)


@pytest.fixture
def partner(make_user: Callable[..., User]) -> User:
    return make_user(Role.PARTNER_WORKER)


@pytest.fixture
def child(hub: User) -> Child:
    child = people.register_child(
        acting_user=hub,
        given_name="Sectia",
        family_name="Scopewell",
        date_of_birth=dt.date(2011, 3, 4),
        sex="F",
        ethnicity="WBRI",
        ethnicity_source="self_identified",
        first_language="Polish",
        nationality="Polish",
        arrived_uk=dt.date(2015, 6, 1),
        school="Hillside Academy",
    )
    people.record_address(
        child,
        valid_from=dt.date(2020, 1, 1),
        postcode="BD1 1AA",
        ward_code="E05001370",
        acting_user=hub,
    )
    people.record_care_period(
        child, kind="child_in_need", valid_from=dt.date(2021, 1, 1), acting_user=hub
    )
    episodes.hold_at_risk(
        child,
        level=RiskLevel.HIGH,
        on=dt.date(2024, 1, 1),
        reason="Seen with older men",
        acting_user=hub,
    )
    return child


def _missing(child: Child, hub: User) -> int:
    now = timezone.now()
    return episodes.record_missing_episode(
        child,
        started_at=now - dt.timedelta(days=2),
        ended_at=now - dt.timedelta(days=1),
        acting_user=hub,
    ).pk


def _share(hub: User, child: Child, agency: Agency, sections: list[str]) -> None:
    sharing.share_child(
        child,
        agency=agency,
        lawful_basis="safeguarding",
        purpose="Youth work",
        sections=sections,
        expires_on=timezone.localdate() + dt.timedelta(days=30),
        reasons="Agreed at the daily meeting",
        acting_user=hub,
    )


def _signed_in(partner: User) -> Client:
    from tests.integration.conftest import sign_in_verified  # noqa: PLC0415

    return sign_in_verified(Client(), partner)


def test_the_api_gives_a_partner_with_no_sections_only_name_age_and_sex(
    hub: User, partner: User, child: Child
) -> None:
    _share(hub, child, partner.agency, [])
    body = _signed_in(partner).get(f"/api/v1/children/{child.pk}").json()
    assert (body["given_name"], body["sex"]["code"], body["age"]) == ("Sectia", "F", body["age"])
    assert body["age"] is not None
    withheld = {
        "date_of_birth": None,
        "nhs_number": None,
        "ethnicity": None,
        "first_language": None,
        "nationality": None,
        "arrived_uk": None,
        "school": None,
        "address": None,
        "care_statuses": None,
        "open_episode": None,
        "risk_level": None,
    }
    assert {k: body[k] for k in withheld} == withheld
    assert "address" in body["not_shared"]
    assert "risk" in body["not_shared"]


def test_the_api_gives_a_partner_the_sections_shared(
    hub: User, partner: User, child: Child
) -> None:
    _share(hub, child, partner.agency, ["address", "risk"])
    body = _signed_in(partner).get(f"/api/v1/children/{child.pk}").json()
    assert body["address"]["postcode"] == "BD1 1AA"
    assert body["risk_level"]["code"] == "high"
    assert body["date_of_birth"] is None
    assert body["care_statuses"] is None


def test_an_episode_is_not_found_for_a_partner_without_the_risk_section(
    hub: User, partner: User, child: Child
) -> None:
    _share(hub, child, partner.agency, ["address"])
    episode = child.episodes.get()
    client = _signed_in(partner)
    assert client.get(f"/episodes/{episode.pk}").status_code == 404
    denied = AuditEvent.objects.filter(action="access:denied").last()
    assert denied is not None
    assert denied.object_type == "episodes.episode"


def test_an_episode_is_shown_with_the_risk_section(hub: User, partner: User, child: Child) -> None:
    _share(hub, child, partner.agency, ["risk"])
    episode = child.episodes.get()
    page = _signed_in(partner).get(f"/episodes/{episode.pk}").content.decode()
    assert "Seen with older men" in page


def test_a_missing_episode_is_not_found_for_a_partner_without_the_missing_section(
    hub: User, partner: User, child: Child
) -> None:
    missing = _missing(child, hub)
    _share(hub, child, partner.agency, ["risk"])
    client = _signed_in(partner)
    assert client.get(f"/missing/{missing}").status_code == 404
    _share(hub, child, partner.agency, ["missing"])
    assert client.get(f"/missing/{missing}").status_code == 200


def test_the_access_log_lists_reads_of_episodes_and_missing_episodes(
    hub: User, partner: User, child: Child, hub_manager_client: Client
) -> None:
    missing = _missing(child, hub)
    _share(hub, child, partner.agency, ["risk", "missing"])
    client = _signed_in(partner)
    client.get(f"/episodes/{child.episodes.get().pk}")
    client.get(f"/missing/{missing}")
    actions = [e.action for e in queries.access_log(hub, child)]
    assert "episode:viewed" in actions
    assert "missing:viewed" in actions
    log = hub_manager_client.get(f"/children/{child.pk}/access-log").content.decode()
    assert "episode:viewed" in log
    assert "missing:viewed" in log
