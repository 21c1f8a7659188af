"""Candidates as the details are typed: POST /api/v1/matching/candidates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from safehub.access import api_keys
from safehub.access.models import Role, User
from safehub.audit.models import AuditEvent
from safehub.people import services as people
from safehub.people.models import Child
from tests.factories import AgencyFactory

URL = "/api/v1/matching/candidates"
PROBLEM = "application/problem+json"
TYPED = {"given_name": "Jayden", "family_name": "Smyth", "date_of_birth": "2009-07-03"}


@pytest.fixture
def jaden(make_user: Callable[..., User]) -> Child:
    return people.register_child(
        acting_user=make_user(Role.HUB_MANAGER),
        given_name="Jaden",
        family_name="Smith",
        date_of_birth=dt.date(2009, 3, 7),
        sex="M",
    )


def _post(client: Client, body: dict[str, Any], **headers: str) -> Any:
    return client.post(URL, body, content_type="application/json", headers=headers)


def test_the_child_already_held_is_offered_with_the_reasons_in_words(
    jaden: Child, hub_practitioner_client: Client
) -> None:
    answer = _post(hub_practitioner_client, {**TYPED, "sex": "M"})

    assert answer.status_code == 200, answer.content
    body = answer.json()
    (offered,) = body["candidates"]
    assert (offered["child_id"], offered["given_name"], offered["family_name"]) == (
        jaden.pk,
        "Jaden",
        "Smith",
    )
    assert offered["date_of_birth"] == "2009-03-07"
    assert offered["band"] == "high"
    assert offered["probability"] >= body["high_threshold"]
    assert offered["alias"] == ""
    reasons = {e["field"]: e for e in offered["evidence"]}
    assert reasons["date of birth"]["compared"] == "day and month swapped"
    assert reasons["date of birth"]["counted"] == "counted strongly for a match"
    assert reasons["first name"]["compared"] == "similar (a letter or two differs)"
    assert reasons["NHS number"]["compared"] == "missing on one record"


def test_a_child_unlike_the_details_is_not_offered(
    jaden: Child, hub_practitioner_client: Client
) -> None:
    answer = _post(
        hub_practitioner_client,
        {"given_name": "Amira", "family_name": "Khan", "date_of_birth": "2012-05-01"},
    )
    assert answer.status_code == 200
    assert answer.json()["candidates"] == []


def test_the_offer_is_audited_with_ids_and_never_the_details_typed(
    jaden: Child, hub_practitioner_client: Client
) -> None:
    before = AuditEvent.objects.count()
    _post(hub_practitioner_client, {**TYPED, "postcode": "ZX1 1AB", "school": "Oak Academy"})

    offered = AuditEvent.objects.get(action="match:offered")
    assert offered.channel == "api"
    assert f"{jaden.pk}:" in offered.reason
    listed = AuditEvent.objects.get(action="child:listed")
    assert listed.child_id == jaden.pk
    assert "as typed" in listed.reason
    typed = ("jayden", "smyth", "2009", "zx1", "oak")
    for event in AuditEvent.objects.all()[before:]:
        text = " ".join(
            str(v) for v in (event.object_type, event.object_id, event.reason, event.action)
        ).lower()
        assert not any(t in text for t in typed), text


def test_a_partner_worker_gets_403_and_no_candidates(
    jaden: Child, partner_worker_client: Client
) -> None:
    answer = _post(partner_worker_client, TYPED)

    assert answer.status_code == 403
    assert answer["Content-Type"] == PROBLEM
    assert "Jaden" not in answer.content.decode()
    assert not AuditEvent.objects.filter(action__in=["match:offered", "child:listed"]).exists()
    assert AuditEvent.objects.filter(action="access:denied").exists()


def test_an_agency_key_gets_403(
    jaden: Child, make_user: Callable[..., User], client: Client
) -> None:
    _, key = api_keys.issue(
        AgencyFactory(name="Youth Service north"),
        name="Youth case system",
        days=30,
        acting_user=make_user(Role.ADMINISTRATOR),
    )
    answer = _post(client, TYPED, authorization=f"Bearer {key}")

    assert answer.status_code == 403
    assert answer["Content-Type"] == PROBLEM
    assert not AuditEvent.objects.filter(action="match:offered").exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**TYPED, "date_of_birth": "2009-13-45"}, "date_of_birth"),
        ({**TYPED, "date_of_birth": "2999-01-01"}, "date_of_birth"),
        ({**TYPED, "sex": "X"}, "sex"),
        ({**TYPED, "family_name": "S" * 101}, "family_name"),
        ({**TYPED, "given_name": "Jay\x00den"}, "given_name"),
    ],
)
def test_a_value_that_is_not_valid_gets_a_problem_naming_the_field(
    body: dict[str, Any], field: str, hub_practitioner_client: Client
) -> None:
    answer = _post(hub_practitioner_client, body)

    assert answer.status_code == 422, answer.content
    assert answer["Content-Type"] == PROBLEM
    assert [e["field"] for e in answer.json()["errors"]] == [field]
    assert not AuditEvent.objects.filter(action="match:offered").exists()


def test_an_alias_is_offered_under_the_name_it_matched(
    jaden: Child, make_user: Callable[..., User], hub_practitioner_client: Client
) -> None:
    people.add_alias(
        jaden, given_name="Jay", family_name="Bashir", note="street name",
        acting_user=make_user(Role.HUB_MANAGER),
    )  # fmt: skip
    answer = _post(
        hub_practitioner_client,
        {"given_name": "Jay", "family_name": "Bashir", "date_of_birth": "2009-03-07"},
    )
    (offered,) = answer.json()["candidates"]
    assert (offered["child_id"], offered["alias"]) == (jaden.pk, "Jay Bashir")
    reasons = {e["field"]: e["compared"] for e in offered["evidence"]}
    assert reasons["last name"] == "agree exactly"
