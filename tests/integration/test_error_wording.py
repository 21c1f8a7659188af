"""Every form's messages in GOV.UK wording: too long, not a real date, not one of the choices.

Each case posts values that are wrong for each field and asserts the whole error summary, so a
Django default ("Ensure this value has at most 8 characters (it has 12)", "Select a valid
choice", "When was the referral received? must be a real date") cannot come back unseen.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client
from django.utils import timezone

from safehub.access.models import Role, User
from safehub.access.policy import SYSTEM
from safehub.episodes import services as episodes
from safehub.geo import services as geo
from safehub.intelligence import services as intelligence
from safehub.people import services as people
from safehub.referrals import services as referrals
from safehub.rules.codes import RiskLevel

LONG = "x" * 301
BAD_DATE = {"0": "31", "1": "2", "2": "2020"}


def _date(name: str) -> dict[str, str]:
    return {f"{name}_{part}": value for part, value in BAD_DATE.items()}


def _datetime(name: str) -> dict[str, str]:
    return {**_date(f"{name}_0"), f"{name}_1": "10:00"}


@dataclass(frozen=True)
class World:
    child: int
    referral: int
    episode: int
    missing: int
    location: int
    person: int


@pytest.fixture
def world(make_user: Callable[..., User]) -> World:
    geo.load_reference_data(acting_user=SYSTEM)
    manager = make_user(Role.HUB_MANAGER)
    child = people.register_child(
        acting_user=manager,
        given_name="Wren",
        family_name="Wordsworth",
        date_of_birth=dt.date(2011, 1, 1),
        sex="F",
    )
    referral = referrals.receive_referral(
        child=child,
        received_at=timezone.now() - dt.timedelta(days=2),
        source="6",
        concerns="Concern",
        exploitation_types=["cse"],
        acting_user=manager,
    )
    episode = episodes.hold_at_risk(
        child, level=RiskLevel.MEDIUM, on=timezone.localdate(), reason="Test", acting_user=manager
    )
    missing = episodes.record_missing_episode(
        child,
        kind="missing",
        started_at=timezone.now() - dt.timedelta(hours=5),
        acting_user=manager,
    )
    location = intelligence.record_location(
        name="A car park", kind="public_space", first_noted=dt.date(2024, 1, 1), acting_user=manager
    )
    person = intelligence.record_person(name="A name", acting_user=manager)
    return World(child.pk, referral.pk, episode.pk, missing.pk, location.pk, person.pk)


# (path, what is posted, the error summary expected, in order)
CASES: list[tuple[str, dict[str, object], list[str]]] = [
    (
        "/children/new",
        {
            "given_name": LONG,
            "family_name": LONG,
            **_date("date_of_birth"),
            "sex": "Z",
            "nhs_number": "1234567890123",
            "ethnicity": "NOPE",
            "ethnicity_source": "nope",
            **_date("arrived_uk"),
            "postcode": "BD1 1AA 1AA",
            "ward_code": "E05999999",
        },
        [
            "First name must be 100 characters or fewer",
            "Last name must be 100 characters or fewer",
            "Date of birth must be a real date",
            "Choose sex from the list",
            "NHS number must be 12 characters or fewer",
            "Choose ethnicity from the list",
            "Choose how the ethnicity was recorded from the list",
            "Date arrived in the UK must be a real date",
            "Postcode must be 8 characters or fewer",
            "Choose ward from the list",
        ],
    ),
    (
        "/children/search?name=" + "y" * 101 + "&date_of_birth_0=31&date_of_birth_1=2"
        "&date_of_birth_2=2020&nhs_number=1234567890123",
        {},
        [
            "Name must be 100 characters or fewer",
            "Date of birth must be a real date",
            "NHS number must be 12 characters or fewer",
        ],
    ),
    (
        "/children/{child}/address/new",
        {**_date("valid_from"), "postcode": "BD1 1AA 1AA", "address": LONG, "ward_code": "x"},
        [
            "The date the child moved here must be a real date",
            "Postcode must be 8 characters or fewer",
            "Address must be 300 characters or fewer",
            "Choose ward from the list",
        ],
    ),
    (
        "/children/{child}/care/new",
        {"kind": "nope", **_date("valid_from"), **_date("valid_to")},
        [
            "Choose status from the list",
            "The date it began must be a real date",
            "The date it ended must be a real date",
        ],
    ),
    (
        "/children/{child}/aliases/new",
        {"given_name": LONG, "family_name": LONG, "note": LONG},
        [
            "First name or nickname must be 100 characters or fewer",
            "Last name must be 100 characters or fewer",
            "Where the name is used must be 200 characters or fewer",
        ],
    ),
    ("/children/{child}/notes/new", {"text": ""}, ["Enter the note"]),
    (
        "/children/{child}/share",
        {"agency": "999999", "lawful_basis": "nope", **_date("expires_on")},
        [
            "Choose agency from the list",
            "Choose lawful basis from the list",
            "Enter the purpose",
            "The date the share ends must be a real date",
            "Enter the decision and the reasons for it",
        ],
    ),
    (
        "/referrals/new?child={child}",
        {
            "source": "99",
            "referring_agency": "999999",
            "exploitation_types": ["nope"],
            "external_reference": LONG,
        },
        [
            "Enter the date the referral was received",
            "Choose the source of the referral from the list",
            "Choose referring agency from the list",
            "Choose the kinds of exploitation from the list",
            "Enter the concerns",
            "Reference in the referrer's system must be 100 characters or fewer",
        ],
    ),
    (
        "/referrals/new?child={child}",
        {**_datetime("received_at"), "source": "6", "exploitation_types": ["cse"], "concerns": "c"},
        ["The date the referral was received must be a real date"],
    ),
    (
        "/referrals/{referral}/decision",
        {"outcome": "nope", "pathway_agency": "999999", "rationale": "r"},
        ["Choose the decision from the list", "Choose support agency from the list"],
    ),
    (
        "/episodes/{episode}/risk",
        {"level": "extreme", **_date("effective_on"), "reason": "r"},
        [
            "Choose new risk level from the list",
            "The date the risk changed must be a real date",
        ],
    ),
    (
        "/episodes/{episode}/review",
        {**_date("reviewed_on"), "summary": "s"},
        ["Date of the review must be a real date"],
    ),
    (
        "/episodes/{episode}/close",
        {**_date("closed_on"), "closure_reason": "r"},
        ["Date closed must be a real date"],
    ),
    (
        "/children/{child}/missing/new",
        {"kind": "nope", **_datetime("started_at"), **_datetime("ended_at")},
        [
            "Choose kind from the list",
            "The date the child went missing must be a real date",
            "The date the child returned must be a real date",
        ],
    ),
    (
        "/missing/{missing}",
        {
            **_datetime("ended_at"),
            **_datetime("return_interview_offered_at"),
            **_datetime("return_interview_completed_at"),
        },
        [
            "The date the child returned must be a real date",
            "Return home interview offered must be a real date",
            "Return home interview done must be a real date",
        ],
    ),
    (
        "/intelligence/locations/new",
        {
            "name": LONG,
            "kind": "nope",
            "postcode": "BD1 1AA 1AA",
            "ward_code": "x",
            **_date("first_noted"),
        },
        [
            "Name of the location must be 200 characters or fewer",
            "Choose the kind of location from the list",
            "Postcode must be 8 characters or fewer",
            "Choose ward from the list",
            "The date the hub first had concerns must be a real date",
        ],
    ),
    (
        "/intelligence/locations/{location}/link?child={child}",
        {**_date("noted_on"), "note": LONG},
        [
            "The date the link was noted must be a real date",
            "Note must be 300 characters or fewer",
        ],
    ),
    (
        "/intelligence/persons/new",
        {"name": LONG, **_date("date_of_birth")},
        [
            "Name or alias must be 200 characters or fewer",
            "Date of birth must be a real date",
        ],
    ),
    (
        "/intelligence/persons/{person}/link?child={child}",
        {**_date("noted_on"), "note": LONG, "relationship": LONG},
        [
            "The date the link was noted must be a real date",
            "Relationship to the child must be 200 characters or fewer",
            "Note must be 300 characters or fewer",
        ],
    ),
    (
        "/intelligence/disruptions/new",
        {"kind": "nope", **_date("occurred_on"), "police_reference": LONG, "location": "x"},
        [
            "Choose what was done from the list",
            "Date must be a real date",
            "Police reference must be 50 characters or fewer",
            "Choose location from the list",
        ],
    ),
]


def _summary(page: str) -> list[str]:
    summary = page.split('class="govuk-error-summary"', 1)[1].split("</ul>", 1)[0]
    return [
        html.unescape(re.sub(r"<[^>]+>", "", item)).strip() for item in summary.split("<li>")[1:]
    ]


@pytest.mark.parametrize(("path", "data", "expected"), CASES, ids=[c[0] for c in CASES])
def test_each_form_words_its_errors_the_govuk_way(
    world: World,
    hub_manager_client: Client,
    path: str,
    data: dict[str, object],
    expected: list[str],
) -> None:
    url = path.format(**world.__dict__)
    response = hub_manager_client.post(url, data) if data else hub_manager_client.get(url)
    assert response.status_code == 200
    assert _summary(response.content.decode()) == expected
