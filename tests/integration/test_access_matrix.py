"""Every route against every role, checked against the matrix in docs/access.md.

A route that exists but is not in the table fails the test, so a new page cannot ship without
someone deciding, in the document, who may reach it. To draft rows for new routes, run this
file with SAFEHUB_PRINT_MATRIX=1 and review every cell before copying it into the document.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from safehub.access.models import Role, User
from safehub.access.policy import SYSTEM
from safehub.geo import services as geo
from safehub.people import services as people
from safehub.people import sharing
from safehub.referrals import services as referrals

DOC = Path(__file__).resolve().parents[2] / "docs" / "access.md"
ROLES = [r.value for r in Role]
# Routes served by a framework rather than written by us, checked as one row each.
COLLAPSED = {"admin/": "admin/"}


def _routes() -> list[str]:
    def walk(patterns: list[URLPattern | URLResolver], prefix: str) -> Iterator[str]:
        for p in patterns:
            route = prefix + str(p.pattern)
            collapsed = next((c for c in COLLAPSED if route.startswith(c)), None)
            if collapsed:
                yield COLLAPSED[collapsed]
            elif isinstance(p, URLResolver):
                yield from walk(p.url_patterns, route)
            elif not route.endswith("^.*$"):  # the API's catch-all 404
                yield route

    return sorted(set(walk(get_resolver().url_patterns, "")))


def _matrix() -> dict[str, dict[str, int]]:
    text = DOC.read_text(encoding="utf-8").split("## Route matrix", 1)[1]
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == len(ROLES) + 1 and cells[0].startswith("`"):
            rows[cells[0].strip("`")] = dict(zip(ROLES, map(int, cells[1:]), strict=True))
    return rows


def test_every_route_is_in_the_matrix_and_every_row_is_a_route() -> None:
    routes, documented = set(_routes()), set(_matrix())
    assert routes - documented == set(), "add these routes to docs/access.md"
    assert documented - routes == set(), "these rows in docs/access.md match no route"


@pytest.fixture
def ids(make_user: Callable[..., User]) -> dict[str, int]:
    """One of everything, none of it shared with the partner worker's agency."""
    geo.load_reference_data(acting_user=SYSTEM)
    manager = make_user(Role.HUB_MANAGER)
    partner = make_user(Role.PARTNER_WORKER)
    child = people.register_child(
        acting_user=manager,
        given_name="Matrix",
        family_name="Testcase",
        date_of_birth=dt.date(2010, 1, 1),
        sex="F",
    )
    referral = referrals.receive_referral(
        child=child,
        received_at=timezone.now() - dt.timedelta(hours=3),
        source="6",
        concerns="Concerns",
        exploitation_types=["cse"],
        acting_user=manager,
    )
    referrals.record_screening(referral, {"disclosure": True}, acting_user=manager)
    episode = referral.episode
    assert episode is not None
    missing = _missing(child, manager)
    address = people.record_address(
        child, valid_from=dt.date(2015, 1, 1), ward_code="E05001365", acting_user=manager
    )
    other = make_user(Role.HUB_PRACTITIONER)
    share = sharing.share_child(
        child,
        agency=_other_partner_agency(make_user),
        lawful_basis="public_task",
        purpose="p",
        sections=[],
        expires_on=timezone.localdate(),
        reasons="r",
        acting_user=other,
    )
    grant = _grant(child, partner)
    values = {
        "child_id": child.pk,
        "referral_id": referral.pk,
        "episode_id": episode.pk,
        "change_id": episode.risk_changes.get().pk,
        "address_id": address.pk,
        "missing_id": missing,
        "share_id": share.pk,
        "grant_id": grant,
    }
    values.update(_intelligence(child, manager))
    return values


def _missing(child: object, user: User) -> int:
    from safehub.episodes import services as episodes  # noqa: PLC0415

    now = timezone.now()
    return episodes.record_missing_episode(
        child,  # type: ignore[arg-type]
        started_at=now - dt.timedelta(days=2),
        ended_at=now - dt.timedelta(days=1),
        acting_user=user,
    ).pk


def _other_partner_agency(make_user: Callable[..., User]) -> object:
    from safehub.access.models import Agency, AgencyType  # noqa: PLC0415

    return Agency.objects.create(name="Another partner", agency_type=AgencyType.EARLY_HELP)


def _grant(child: object, partner: User) -> int:
    from safehub.people.models import BreakGlass  # noqa: PLC0415

    now = timezone.now() - dt.timedelta(days=1)
    return BreakGlass.objects.create(
        child=child, user=partner, reason="r", granted_at=now, expires_at=now
    ).pk


def _intelligence(child: object, manager: User) -> dict[str, int]:
    from safehub.intelligence import services as intelligence  # noqa: PLC0415

    location = intelligence.record_location(
        name="A place", kind="public_space", first_noted=dt.date(2020, 1, 1), acting_user=manager
    )
    person = intelligence.record_person(name="Known as 'Test'", acting_user=manager)
    return {"location_id": location.pk, "person_id": person.pk}


def _url(route: str, ids: dict[str, int]) -> str:
    def fill(match: re.Match[str]) -> str:
        return str(ids[match.group(1)])

    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", fill, route)


def test_every_role_gets_what_the_matrix_says(
    ids: dict[str, int], request: pytest.FixtureRequest
) -> None:
    matrix = _matrix()
    clients = {role: request.getfixturevalue(f"{role}_client") for role in ROLES}
    seen: dict[str, dict[str, int]] = {}
    for route in _routes():
        url = _url(route, ids)
        seen[route] = {role: clients[role].get(url).status_code for role in ROLES}
    if os.environ.get("SAFEHUB_PRINT_MATRIX"):
        header = "| route | " + " | ".join(ROLES) + " |"
        print("\n" + header + "\n|" + "---|" * (len(ROLES) + 1))  # noqa: T201
        for route, statuses in seen.items():
            print(f"| `{route}` | " + " | ".join(str(statuses[r]) for r in ROLES) + " |")  # noqa: T201
    wrong = {
        route: {
            r: (matrix[route][r], got[r]) for r in ROLES if matrix.get(route, {}).get(r) != got[r]
        }
        for route, got in seen.items()
    }
    assert {route: diff for route, diff in wrong.items() if diff} == {}
