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
from safehub.people.models import Child, Share
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
    hub_manager_client.get("/children/search", {"name": "Scopewell"})
    for share in Share.objects.filter(agency=partner.agency):
        sharing.revoke_share(share, reason="Work finished", acting_user=hub)
    client.get(f"/episodes/{child.episodes.get().pk}")  # no longer shared: denied, and logged
    log_events = list(queries.access_log(hub, child))
    assert log_events[0].action == "access:denied"
    assert log_events[0].actor_id == partner.pk
    assert "child:listed" in [e.action for e in log_events]
    log = hub_manager_client.get(f"/children/{child.pk}/access-log").content.decode()
    assert "Viewed an episode" in log
    assert "Viewed a missing episode" in log


def _listed(reason: str) -> list[int | None]:
    rows = AuditEvent.objects.filter(action="child:listed", reason=reason).order_by("id")
    return [e.child_id for e in rows]


def test_a_search_audits_each_child_shown(hub: User, hub_practitioner_client: Client) -> None:
    found = [
        people.register_child(
            acting_user=hub, given_name=f"Listy{n}", family_name="Searchwell", sex="M"
        )
        for n in range(12)
    ]
    page = hub_practitioner_client.get("/children/search", {"name": "Searchwell"})
    assert page.status_code == 200
    assert sorted(c for c in _listed("listed: search") if c) == sorted(c.pk for c in found)
    rows = AuditEvent.objects.filter(action="child:listed")
    assert {(e.object_type, e.object_id) for e in rows} == {
        ("people.child", str(c.pk)) for c in found
    }


def test_the_triage_queue_and_due_items_audit_each_child_named(
    hub: User, child: Child, hub_practitioner_client: Client
) -> None:
    hub_practitioner_client.get("/triage")
    assert _listed("listed: triage") == [child.pk]
    hub_practitioner_client.get("/api/v1/due-items")
    assert _listed("listed: due items") == [child.pk]


def test_the_shared_list_audits_each_child_and_shows_what_was_shared(
    hub: User, partner: User, child: Child
) -> None:
    _share(hub, child, partner.agency, ["risk", "address"])
    page = _signed_in(partner).get("/shared").content.decode()
    assert _listed("listed: shared") == [child.pk]
    assert "Address and ward" in page
    assert "Risk level and episodes" in page
    assert (timezone.localdate() + dt.timedelta(days=30)).strftime("%-d %B %Y") in page
    assert hub.username in page or hub.get_full_name() in page


def test_the_shared_list_comes_fifty_a_page_by_family_name_auditing_each_page(
    hub: User, partner: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from safehub.people import sharing_views  # noqa: PLC0415

    monkeypatch.setattr(sharing_views, "SHARED_PAGE", 2)
    made = [
        people.register_child(
            acting_user=hub, given_name="Paged", family_name=f"Sharewell{n}", sex="F"
        )
        for n in (3, 1, 2)
    ]
    for child in made:
        _share(hub, child, partner.agency, ["risk"])
    client = _signed_in(partner)
    first = client.get("/shared").content.decode()
    second = client.get("/shared", {"page": 2}).content.decode()
    beyond = client.get("/shared", {"page": 9}).content.decode()
    assert [n for n in (1, 2, 3) if f"Sharewell{n}" in first] == [1, 2]
    assert [n for n in (1, 2, 3) if f"Sharewell{n}" in second] == [3]
    assert "Page 1 of 2" in first
    assert "Page 2 of 2" in beyond  # past the end: the last page
    assert _listed("listed: shared") == [made[1].pk, made[2].pk, made[0].pk, made[0].pk]


def test_two_live_shares_of_one_child_show_as_one_row_on_its_page(
    hub: User, partner: User, make_user: Callable[..., User], monkeypatch: pytest.MonkeyPatch
) -> None:
    from safehub.people import sharing_views  # noqa: PLC0415

    monkeypatch.setattr(sharing_views, "SHARED_PAGE", 1)
    later = make_user(Role.HUB_MANAGER, username="later-sharer")
    twice = people.register_child(
        acting_user=hub, given_name="Twice", family_name="Aardshare", sex="F"
    )
    once = people.register_child(
        acting_user=hub, given_name="Once", family_name="Zedshare", sex="M"
    )
    _share(hub, twice, partner.agency, ["risk"])
    sharing.share_child(
        twice,
        agency=partner.agency,
        lawful_basis="safeguarding",
        purpose="Youth work",
        sections=["address"],
        expires_on=timezone.localdate() + dt.timedelta(days=60),
        reasons="Agreed again",
        acting_user=later,
    )
    _share(hub, once, partner.agency, ["risk"])
    client = _signed_in(partner)
    first = client.get("/shared").content.decode()
    second = client.get("/shared", {"page": 2}).content.decode()
    assert "Aardshare" in first
    assert "Zedshare" not in first
    assert "Zedshare" in second
    assert "Aardshare" not in second
    assert "Page 1 of 2" in first
    assert "Address and ward" in first
    assert "Risk level and episodes" in first
    assert (timezone.localdate() + dt.timedelta(days=60)).strftime("%-d %B %Y") in first
    assert (later.get_full_name() or later.username) in first
    assert _listed("listed: shared") == [twice.pk, once.pk]


def test_the_break_glass_review_audits_each_child_listed(
    hub: User, partner: User, child: Child, hub_manager_client: Client
) -> None:
    from safehub.people.models import BreakGlass  # noqa: PLC0415

    now = timezone.now()
    grant = BreakGlass.objects.create(
        child=child, user=partner, reason="Missing tonight", granted_at=now, expires_at=now
    )
    assert hub_manager_client.get("/access/break-glass").status_code == 200
    assert _listed("listed: break-glass review") == [child.pk]
    hub_manager_client.get(f"/access/break-glass/{grant.pk}")
    viewed = AuditEvent.objects.get(action="child:break_glass:viewed")
    assert viewed.child_id == child.pk


def test_listed_rows_keep_the_audit_chain_intact(
    hub: User, hub_practitioner_client: Client
) -> None:
    from safehub.audit import chain  # noqa: PLC0415

    for n in range(5):
        people.register_child(
            acting_user=hub, given_name=f"Chain{n}", family_name="Linkwell", sex="F"
        )
    hub_practitioner_client.get("/children/search", {"name": "Linkwell"})
    assert len(_listed("listed: search")) == 5
    assert chain.verify().ok


def test_a_partner_page_says_not_shared_rather_than_not_recorded(
    hub: User, partner: User, child: Child
) -> None:
    _share(hub, child, partner.agency, ["risk"])
    page = _signed_in(partner).get(f"/children/{child.pk}").content.decode()
    assert "4 March 2011" not in page
    assert "White British" not in page
    assert "Polish" not in page
    assert "Hillside Academy" not in page
    assert "BD1 1AA" not in page
    assert "Child in need" not in page
    assert page.count("Not shared with your agency") >= 5
    assert "Risk level and episodes" in page  # the banner names the section in words
    assert "High" in page


def test_write_each_inserts_every_row_in_one_statement(hub: User) -> None:
    from django.db import connection, transaction  # noqa: PLC0415
    from django.test.utils import CaptureQueriesContext  # noqa: PLC0415

    from safehub.audit import services as audit  # noqa: PLC0415

    children = [
        people.register_child(acting_user=hub, given_name=f"Bulk{n}", family_name="Once", sex="F")
        for n in range(30)
    ]
    with transaction.atomic(), CaptureQueriesContext(connection) as queries_run:
        assert audit.write_each(hub, "child:listed", children, context="listed: test") == 30
    inserts = [q for q in queries_run.captured_queries if "INSERT INTO" in q["sql"]]
    # PostgreSQL takes the rows with COPY, which Django does not list; SQLite with one
    # prepared INSERT run for every row, which it lists once ("30 times").
    assert len(inserts) == (0 if connection.vendor == "postgresql" else 1)
    assert all(q["sql"].startswith("30 times") for q in inserts)
    assert _listed("listed: test") == [c.pk for c in children]


def test_a_history_export_audits_each_child_exported(
    hub: User, child: Child, tmp_path: object
) -> None:
    from pathlib import Path  # noqa: PLC0415

    from safehub.interchange.exporter import export_history  # noqa: PLC0415

    other = people.register_child(
        acting_user=hub, given_name="Exa", family_name="Portwell", sex="M"
    )
    assert isinstance(tmp_path, Path)
    export_history(tmp_path / "out", acting_user=hub)
    exported = AuditEvent.objects.filter(action="child:exported").order_by("child_id")
    assert [(e.child_id, e.reason) for e in exported] == [
        (child.pk, "listed: history export"),
        (other.pk, "listed: history export"),
    ]


def test_a_location_page_audits_each_child_linked(
    hub: User, child: Child, hub_practitioner_client: Client
) -> None:
    from safehub.intelligence import services as intelligence  # noqa: PLC0415

    location = intelligence.record_location(
        name="A car park", kind="public_space", first_noted=dt.date(2020, 1, 1), acting_user=hub
    )
    intelligence.link_child_to_location(
        location, child, noted_on=dt.date(2024, 2, 2), acting_user=hub
    )
    assert hub_practitioner_client.get(f"/intelligence/locations/{location.pk}").status_code == 200
    assert _listed("listed: location") == [child.pk]
