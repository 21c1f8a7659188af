"""Every route against every role and every share section, checked against docs/access.md.

Three tables there: what each role gets from a GET, what each role gets from a POST (an empty
form: nothing is written), and what a partner worker gets, GET and POST, for a child shared with
their agency with each section alone (and with none, and by break-glass). Routes come from the
URL resolver: a route that exists but is missing from any table fails the test, so a new page
cannot ship without someone deciding, in the document, who may reach it and with which share.
To draft rows for new routes, run this file with SAFEHUB_PRINT_MATRIX=1 and review every cell
before copying it into the document.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from safehub.access.models import Role, User
from safehub.access.policy import SYSTEM
from safehub.episodes import services as episodes_services
from safehub.geo import services as geo
from safehub.people import services as people
from safehub.people import sharing
from safehub.people.models import BreakGlass, Child, Share, ShareSection
from safehub.referrals import services as referrals
from tests.integration.conftest import sign_in_verified

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


GET_TABLE = "Route matrix: GET"
POST_TABLE = "Route matrix: POST"
SECTION_TABLE = "Route matrix: partner worker by share section"
# A partner worker's share of the child, one column each: no section ticked, each section alone,
# and break-glass (the whole record for an hour).
SHARE_STATES = ["none", *ShareSection.values, "break-glass"]
# POSTing here ends the session: it gets a client of its own, so later requests stay signed in.
ENDS_SESSION = {"sign-out"}


def _table(heading: str, columns: list[str]) -> dict[str, dict[str, str]]:
    text = DOC.read_text(encoding="utf-8").split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == len(columns) + 1 and cells[0].startswith("`"):
            rows[cells[0].strip("`")] = dict(zip(columns, cells[1:], strict=True))
    return rows


def _matrix() -> dict[str, dict[str, int]]:
    return {
        route: {role: int(cell) for role, cell in row.items()}
        for route, row in _table(GET_TABLE, ROLES).items()
    }


@pytest.mark.parametrize(
    ("heading", "columns"),
    [(GET_TABLE, ROLES), (POST_TABLE, ROLES), (SECTION_TABLE, SHARE_STATES)],
)
def test_every_route_is_in_every_table_and_every_row_is_a_route(
    heading: str, columns: list[str]
) -> None:
    routes, documented = set(_routes()), set(_table(heading, columns))
    assert routes - documented == set(), f"add these routes to '{heading}' in docs/access.md"
    assert documented - routes == set(), f"these rows of '{heading}' match no route"


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
    screening = referrals.record_screening(referral, {"disclosure": True}, acting_user=manager)
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
    closing = episodes_services.close_episode(
        episode, closed_on=timezone.localdate(), reason="r", acting_user=other
    )
    pathway = _pathway(child, share.agency, other)  # type: ignore[attr-defined]
    values = {
        "child_id": child.pk,
        "referral_id": referral.pk,
        "episode_id": episode.pk,
        "change_id": episode.risk_changes.get().pk,
        "address_id": address.pk,
        "missing_id": missing,
        "share_id": share.pk,
        "grant_id": grant,
        "screening_id": screening.pk,
        "request_id": closing.pk,
        "pathway_id": pathway,
    }
    values.update(_intelligence(child, manager))
    values["notification_id"] = _notification(manager)
    values["flag_id"] = _flag(child, manager, make_user(Role.HUB_MANAGER))
    values["pair_id"] = _duplicate_pair(child, manager)
    values.update(_meeting(child, manager))
    values.update(_scrutiny(manager))
    return values


def _meeting(child: Child, manager: User) -> dict[str, int]:
    from safehub.access.models import Agency  # noqa: PLC0415
    from safehub.meetings import services as meetings  # noqa: PLC0415

    meeting = meetings.record_meeting(
        kind="mace",
        held_at=timezone.now() - dt.timedelta(hours=2),
        chair=manager,
        agencies=[Agency.objects.first()],
        children=[child],
        decisions="Decided",
        acting_user=manager,
    )
    action = meetings.add_action(
        meeting, text="Do it", owner=manager, due_on=timezone.localdate(), acting_user=manager
    )
    return {"meeting_id": meeting.pk, "action_id": action.pk}


def _scrutiny(manager: User) -> dict[str, int]:
    """A committee meeting with a resolution and an action: no child data, so no share."""
    from safehub.scrutiny import services as scrutiny  # noqa: PLC0415

    meeting = scrutiny.record_meeting(
        committee="Matrix Area Committee",
        area=None,
        held_on=dt.date(2020, 1, 1),
        acting_user=manager,
    )
    resolution = scrutiny.add_resolution(meeting, number=1, text="Do it", acting_user=manager)
    action = scrutiny.add_action(
        resolution,
        text="Do it",
        owner_role=Role.HUB_MANAGER,
        owner_title="Director",
        due_on=dt.date(2021, 1, 1),
        acting_user=manager,
    )
    return {
        "committee_meeting_id": meeting.pk,
        "resolution_id": resolution.pk,
        "scrutiny_action_id": action.pk,
    }


def _notification(manager: User) -> int:
    """Someone else's notification: every role's client is another user, so gets 404."""
    from safehub.notifications.models import Notification  # noqa: PLC0415
    from safehub.notifications.services import notify  # noqa: PLC0415

    notify(recipients=[manager], kind="k:x", key="matrix", title="t", link="/", reference="R")
    return Notification.objects.get(key="matrix").pk


def _flag(child: Child, raised_by: User, signed_off_by: User) -> int:
    """An approved warning flag: what a partner may see when the risk section is shared."""
    from safehub.flags import services as flags  # noqa: PLC0415

    flag = flags.raise_flag(
        child,
        kind="criminal_exploitation",
        text="Do not disclose her address to callers",
        owner=raised_by,
        review_on=timezone.localdate() + dt.timedelta(days=90),
        acting_user=raised_by,
    )
    return flags.sign_off(flag, approve=True, acting_user=signed_off_by).pk


def _duplicate_pair(child: Child, manager: User) -> int:
    """A second record of the same child, queued as a likely duplicate pair."""
    from safehub.duplicates import services as duplicates  # noqa: PLC0415
    from safehub.duplicates.models import DuplicatePair  # noqa: PLC0415

    other = people.register_child(
        acting_user=manager,
        given_name="Matrix",
        family_name="Testcase",
        date_of_birth=dt.date(2010, 1, 1),
        sex="F",
    )

    class Pair:
        child_a, child_b, probability, evidence = child.pk, other.pk, 0.99, ()

    duplicates.offer_pairs([Pair()], acting_user=SYSTEM)
    return DuplicatePair.objects.get().pk


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


def _pathway(child: object, agency: object, hub: User) -> int:
    """A pathway referral to another agency's service: not the partner worker's."""
    from safehub.partnership import services as partnership  # noqa: PLC0415

    service = partnership.ensure_service(name="Family support", agency=agency, acting_user=SYSTEM)  # type: ignore[arg-type]
    (made,) = partnership.refer(
        child,  # type: ignore[arg-type]
        services=[service],
        message="m",
        lawful_basis="public_task",
        purpose="p",
        sections=[],
        expires_on=timezone.localdate(),
        acting_user=hub,
    )
    return made.pk


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


def _request(client: Client, method: str, route: str, url: str, user: User) -> int:
    if method == "post" and route in ENDS_SESSION:
        client = sign_in_verified(Client(), user)
    return int(getattr(client, method)(url).status_code)


def _print(heading: str, columns: list[str], seen: dict[str, dict[str, str]]) -> None:
    if not os.environ.get("SAFEHUB_PRINT_MATRIX"):
        return
    lines = [f"\n## {heading}", "| route | " + " | ".join(columns) + " |"]
    lines.append("|" + "---|" * (len(columns) + 1))
    lines += [
        f"| `{r}` | " + " | ".join(cells[c] for c in columns) + " |" for r, cells in seen.items()
    ]
    print("\n".join(lines))  # noqa: T201


def _differences(
    expected: dict[str, dict[str, str]], seen: dict[str, dict[str, str]]
) -> dict[str, dict[str, tuple[str | None, str]]]:
    wrong = {
        route: {c: (expected.get(route, {}).get(c), got[c]) for c in got}
        for route, got in seen.items()
    }
    return {
        route: {c: pair for c, pair in diff.items() if pair[0] != pair[1]}
        for route, diff in wrong.items()
        if any(pair[0] != pair[1] for pair in diff.values())
    }


@pytest.mark.parametrize(("method", "heading"), [("get", GET_TABLE), ("post", POST_TABLE)])
def test_every_role_gets_what_the_matrix_says(
    ids: dict[str, int], request: pytest.FixtureRequest, method: str, heading: str
) -> None:
    """A POST carries an empty form: it shows who may reach the route, and writes nothing."""
    clients: dict[str, Client] = {role: request.getfixturevalue(f"{role}_client") for role in ROLES}
    users = {role: _user(client) for role, client in clients.items()}
    seen: dict[str, dict[str, str]] = {}
    for route in _routes():
        url = _url(route, ids)
        seen[route] = {
            role: str(_request(clients[role], method, route, url, users[role])) for role in ROLES
        }
    _print(heading, ROLES, seen)
    assert _differences(_table(heading, ROLES), seen) == {}


def test_a_partner_gets_what_each_share_section_allows(
    ids: dict[str, int], make_user: Callable[..., User]
) -> None:
    """The same child shared with the partner's agency with each section alone, then none,
    then opened by break-glass: each column is what that share lets the partner reach."""
    manager = make_user(Role.HUB_MANAGER)
    partner = make_user(Role.PARTNER_WORKER)
    client = sign_in_verified(Client(), partner)
    child = Child.objects.get(pk=ids["child_id"])
    seen: dict[str, dict[str, str]] = {route: {} for route in _routes()}
    for state in SHARE_STATES:
        Share.objects.filter(agency=partner.agency).update(revoked_at=timezone.now())
        BreakGlass.objects.filter(user=partner).update(expires_at=timezone.now())
        if state == "break-glass":
            now = timezone.now()
            BreakGlass.objects.create(
                child=child,
                user=partner,
                reason="Missing tonight",
                granted_at=now,
                expires_at=now + dt.timedelta(hours=1),
            )
        else:
            sharing.share_child(
                child,
                agency=partner.agency,
                lawful_basis="public_task",
                purpose="p",
                sections=[] if state == "none" else [state],
                expires_on=timezone.localdate(),
                reasons="r",
                acting_user=manager,
            )
        for route, cells in seen.items():
            url = _url(route, ids)
            got = (_request(client, m, route, url, partner) for m in ("get", "post"))
            cells[state] = "/".join(map(str, got))
    _print(SECTION_TABLE, SHARE_STATES, seen)
    assert _differences(_table(SECTION_TABLE, SHARE_STATES), seen) == {}


def _user(client: Client) -> User:
    user = client.get("/").wsgi_request.user
    assert isinstance(user, User)
    return user
