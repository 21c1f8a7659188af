"""The JSON API end to end: session sign-in, scope, problem details, one request = one commit."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any, get_args
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from safehub.access.models import Role, User
from safehub.access.policy import SYSTEM
from safehub.api.schemas import DueKind
from safehub.audit.models import AuditEvent
from safehub.geo import services as geo
from safehub.people import services as people
from safehub.people.models import Child
from safehub.referrals import services as referrals
from safehub.referrals.models import Referral
from safehub.triage.queries import KINDS
from tests.factories import AgencyFactory
from tests.integration.conftest import sign_in_verified

LONDON = ZoneInfo("Europe/London")
PROBLEM = "application/problem+json"


def _recent(hours: int = 1) -> str:
    return (timezone.now() - dt.timedelta(hours=hours)).isoformat()


def _new_child(**extra: Any) -> dict[str, Any]:
    child: dict[str, Any] = {
        "given_name": "Testa",
        "family_name": "Samplewell",
        "date_of_birth": "2012-03-04",
        "sex": "F",
        "ethnicity": "WBRI",
        "ethnicity_source": "self_identified",
    }
    child.update(extra)
    return child


def _referral_body(**extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "child": _new_child(),
        "received_at": _recent(),
        "source": "6",
        "exploitation_types": ["cse", "online"],
        "concerns": "Seen getting into cars with unknown adults near the station.",
    }
    body.update(extra)
    return body


def _post(client: Client, path: str, body: dict[str, Any], **extra: Any) -> Any:
    return client.post(path, body, content_type="application/json", **extra)


def _user(client: Client) -> User:
    user = client.get("/api/v1/openapi.json").wsgi_request.user
    assert isinstance(user, User)
    return user


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content.decode()[:2000]
    assert response["Content-Type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert {"type", "title", "status", "detail"} <= set(body)
    return body


def _fields(response: Any) -> set[str]:
    return {e["field"] for e in _problem(response, 422)["errors"]}


@pytest.fixture
def practitioner(make_user: Callable[..., User]) -> User:
    return make_user(Role.HUB_PRACTITIONER)


def _child(user: User, **extra: object) -> Child:
    identity: dict[str, object] = {
        "given_name": "Exempla",
        "family_name": "Fictitious",
        "date_of_birth": dt.date(2011, 5, 6),
        "sex": "F",
        "ethnicity": "WOTH",
        "ethnicity_source": "parent_carer",
    }
    identity.update(extra)
    return people.register_child(acting_user=user, **identity)


def _referral(user: User, child: Child, received_at: dt.datetime | None = None) -> Referral:
    return referrals.receive_referral(
        child=child,
        received_at=received_at or timezone.now() - dt.timedelta(hours=2),
        source="2A",
        concerns="Older associates collect the child from school.",
        exploitation_types=["cce"],
        acting_user=user,
    )


# --- the document and sign-in ------------------------------------------------------------


def test_the_openapi_document_lists_every_path(hub_practitioner_client: Client) -> None:
    response = hub_practitioner_client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = {
        (path, method)
        for path, operations in response.json()["paths"].items()
        for method in operations
    }
    assert paths == {
        ("/api/v1/referrals", "post"),
        ("/api/v1/referrals", "get"),
        ("/api/v1/referrals/{referral_id}", "get"),
        ("/api/v1/referrals/{referral_id}/screening", "post"),
        ("/api/v1/referrals/{referral_id}/decision", "post"),
        ("/api/v1/children/{child_id}", "get"),
        ("/api/v1/due-items", "get"),
        ("/api/v1/shared-children", "get"),
        ("/api/v1/pathway-referrals", "get"),
        ("/api/v1/pathway-referrals/{pathway_id}", "get"),
        ("/api/v1/pathway-referrals/{pathway_id}/accept", "post"),
        ("/api/v1/pathway-referrals/{pathway_id}/decline", "post"),
        ("/api/v1/pathway-referrals/{pathway_id}/first-contact", "post"),
        ("/api/v1/pathway-referrals/{pathway_id}/updates", "post"),
        ("/api/v1/pathway-referrals/{pathway_id}/outcome", "post"),
        ("/api/v1/matching/candidates", "post"),
    }
    schemas = response.json()["components"]["schemas"]
    assert "6" in schemas["ReferralSource"]["enum"]
    assert hub_practitioner_client.get("/api/v1/docs").status_code == 200


def test_the_due_item_kinds_in_the_schema_are_the_triage_kinds() -> None:
    assert set(get_args(DueKind)) == set(KINDS)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/openapi.json"),
        ("get", "/api/v1/referrals"),
        ("post", "/api/v1/referrals"),
        ("get", "/api/v1/referrals/1"),
        ("post", "/api/v1/referrals/1/screening"),
        ("post", "/api/v1/referrals/1/decision"),
        ("get", "/api/v1/children/1"),
        ("get", "/api/v1/due-items"),
        ("get", "/api/v1/no-such-thing"),
    ],
)
def test_without_signing_in_every_endpoint_answers_401(
    client: Client, method: str, path: str
) -> None:
    response = getattr(client, method)(path, {}, content_type="application/json")
    body = _problem(response, 401)
    assert body["type"] == "urn:safehub:problem:not-signed-in"


def test_the_docs_page_sends_a_visitor_to_sign_in(client: Client) -> None:
    response = client.get("/api/v1/docs")
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in")


def test_a_post_without_the_csrf_token_is_refused(practitioner: User) -> None:
    strict = Client(enforce_csrf_checks=True)
    sign_in_verified(strict, practitioner)
    refused = _post(strict, "/api/v1/referrals", _referral_body())
    assert _problem(refused, 403)["type"] == "urn:safehub:problem:csrf"
    assert not Child.objects.exists()

    token = "k" * 32
    strict.cookies[settings.CSRF_COOKIE_NAME] = token
    accepted = _post(strict, "/api/v1/referrals", _referral_body(), HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code == 201, accepted.content.decode()


def test_an_unknown_address_is_a_404_problem(hub_practitioner_client: Client) -> None:
    _problem(hub_practitioner_client.get("/api/v1/no-such-thing"), 404)
    _problem(hub_practitioner_client.get("/api/v1/"), 404)
    _problem(hub_practitioner_client.get("/api/v1/referrals/999999"), 404)


# --- referrals ---------------------------------------------------------------------------


def test_a_referral_registers_a_new_child_and_places_them_in_their_ward(
    hub_practitioner_client: Client,
) -> None:
    geo.load_reference_data(acting_user=SYSTEM)
    geo.import_postcodes(
        io.StringIO("pcds,osward\nBD6 3AA,E05001370\n"), ward_column="osward", acting_user=SYSTEM
    )
    received = dt.datetime(2016, 10, 3, 10, 15, tzinfo=LONDON)
    body = _referral_body(
        child=_new_child(postcode="bd6 3aa", nhs_number="943 476 5919"),
        received_at=received.isoformat(),
        external_reference="POL-2016-0042",
    )
    response = _post(hub_practitioner_client, "/api/v1/referrals", body)
    assert response.status_code == 201, response.content.decode()
    created = response.json()
    referral = Referral.objects.get()
    assert response["Location"] == f"/api/v1/referrals/{referral.pk}"
    assert created["id"] == referral.pk
    assert created["source"] == {"code": "6", "label": "Police"}
    assert [t["code"] for t in created["exploitation_types"]] == ["cse", "online"]
    assert created["external_reference"] == "POL-2016-0042"
    assert (created["decided"], created["latest_screening"], created["decision"]) == (
        False,
        None,
        None,
    )
    child = Child.objects.get()
    user = _user(hub_practitioner_client)
    assert (child.nhs_number, child.created_by) == ("9434765919", user)
    events = AuditEvent.objects.filter(actor=user).exclude(action="auth:login")
    assert sorted(events.values_list("action", flat=True)) == [
        "child:address:recorded",
        "child:created",
        "referral:received",
    ]
    # One request: its events share the request id and the API channel.
    assert len(set(events.values_list("channel", "request_id"))) == 1
    assert events.first().channel == "api"  # type: ignore[union-attr]

    page = hub_practitioner_client.get(f"/api/v1/children/{child.pk}", {"on": "2016-10-10"})
    assert page.status_code == 200
    record = page.json()
    assert record["address"]["ward"] == {"code": "E05001370", "name": "Wyke"}
    assert record["address"]["postcode"] == "BD6 3AA"
    assert record["ethnicity"] == {"code": "WBRI", "label": "White British"}
    assert record["ethnicity_source"]["code"] == "self_identified"
    assert (record["age"], record["as_of"]) == (4, "2016-10-10")


def test_a_referral_about_a_known_child(
    hub_practitioner_client: Client, practitioner: User
) -> None:
    AgencyFactory(name="Sample Academy Trust")
    child = _child(practitioner)
    body = _referral_body(child=None, child_id=child.pk, referring_agency="Sample Academy Trust")
    del body["child"]
    response = _post(hub_practitioner_client, "/api/v1/referrals", body)
    assert response.status_code == 201, response.content.decode()
    assert response.json()["child_id"] == child.pk
    assert response.json()["referring_agency"]["name"] == "Sample Academy Trust"
    assert Child.objects.count() == 1


def test_referrals_list_newest_first_filtered_paged_and_audited(
    hub_practitioner_client: Client, practitioner: User
) -> None:
    first, second = _child(practitioner), _child(practitioner, given_name="Other")
    old = _referral(practitioner, first, dt.datetime(2016, 1, 4, 9, tzinfo=LONDON))
    mid = _referral(practitioner, second, dt.datetime(2016, 6, 1, 9, tzinfo=LONDON))
    new = _referral(practitioner, first, dt.datetime(2016, 11, 1, 9, tzinfo=LONDON))

    listed = hub_practitioner_client.get("/api/v1/referrals")
    assert listed.status_code == 200
    assert listed.json()["next"] is None  # one page holds them all
    assert "count" not in listed.json()  # no total: counting every page cost more than it
    assert [r["id"] for r in listed.json()["items"]] == [new.pk, mid.pk, old.pk]
    assert "concerns" not in listed.json()["items"][0]

    def ids(**query: str | int) -> list[int]:
        response = hub_practitioner_client.get("/api/v1/referrals", query)
        assert response.status_code == 200, response.content.decode()
        return [r["id"] for r in response.json()["items"]]

    assert ids(child_id=first.pk) == [new.pk, old.pk]
    assert ids(received_from="2016-06-01", received_to="2016-06-01") == [mid.pk]
    assert ids(received_from="2016-05-01") == [new.pk, mid.pk]
    first_page = hub_practitioner_client.get("/api/v1/referrals", {"page_size": 2}).json()
    assert [r["id"] for r in first_page["items"]] == [new.pk, mid.pk]
    assert ids(page_size=2, cursor=first_page["next"]) == [old.pk]

    event = AuditEvent.objects.filter(action="referral:listed").last()
    assert event is not None
    assert (event.object_id, event.child_id, event.reason) == (
        str(old.pk),
        first.pk,
        "listed: referrals",
    )
    # One event per referral shown, on each of the six pages: 3 + 2 + 1 + 2 + 2 + 1.
    assert AuditEvent.objects.filter(action="referral:listed").count() == 11

    backwards = hub_practitioner_client.get(
        "/api/v1/referrals", {"received_from": "2016-06-02", "received_to": "2016-06-01"}
    )
    assert _fields(backwards) == {"received_to"}


def test_referral_pages_follow_their_cursors_through_ties_and_refuse_a_forged_one(
    hub_practitioner_client: Client, practitioner: User
) -> None:
    child = _child(practitioner)
    same_time = dt.datetime(2016, 3, 1, 9, tzinfo=LONDON)
    made = [_referral(practitioner, child, same_time) for _ in range(5)]
    seen: list[int] = []
    cursor = None
    for _ in range(5):
        query = {"page_size": 2} | ({"cursor": cursor} if cursor else {})
        page = hub_practitioner_client.get("/api/v1/referrals", query).json()
        seen += [r["id"] for r in page["items"]]
        cursor = page["next"]
        if cursor is None:
            break
    assert seen == sorted((r.pk for r in made), reverse=True)  # each once, newest id first
    assert _fields(hub_practitioner_client.get("/api/v1/referrals", {"cursor": "nonsense"})) == {
        "cursor"
    }


def test_reading_a_referral_shows_its_screening_and_decision(
    hub_practitioner_client: Client, practitioner: User
) -> None:
    referral = _referral(practitioner, _child(practitioner))
    response = hub_practitioner_client.get(f"/api/v1/referrals/{referral.pk}")
    assert response.status_code == 200
    assert response.json()["concerns"] == "Older associates collect the child from school."
    assert response.json()["source"]["label"] == "Schools"
    assert AuditEvent.objects.filter(action="referral:viewed", object_id=str(referral.pk)).exists()


def test_screening_then_deciding_through_the_api(
    hub_practitioner_client: Client, practitioner: User
) -> None:
    child = _child(practitioner)
    referral = _referral(practitioner, child)
    path = f"/api/v1/referrals/{referral.pk}"

    no_reason = _post(
        hub_practitioner_client, f"{path}/screening", {"answers": {}, "override_level": "high"}
    )
    assert _fields(no_reason) == {"override_reason"}
    unknown = _post(hub_practitioner_client, f"{path}/screening", {"answers": {"bogus": True}})
    assert _fields(unknown) == {"answers.bogus"}
    not_a_bool = _post(
        hub_practitioner_client, f"{path}/screening", {"answers": {"disclosure": "yes"}}
    )
    assert _fields(not_a_bool) == {"answers.disclosure"}

    screened = _post(
        hub_practitioner_client, f"{path}/screening", {"answers": {"disclosure": True}}
    )
    assert screened.status_code == 201, screened.content.decode()
    assert screened.json()["final_level"] == {"code": "high", "label": "High"}
    assert screened.json()["fired"] == ["disclosure"]
    assert screened.json()["episode_id"] is not None

    record = hub_practitioner_client.get(f"/api/v1/children/{child.pk}").json()
    assert record["risk_level"]["code"] == "high"
    assert record["open_episode"]["id"] == screened.json()["episode_id"]

    needs_agency = _post(
        hub_practitioner_client, f"{path}/decision", {"outcome": "pathway_referral"}
    )
    assert _fields(needs_agency) == {"pathway_agency"}
    unknown_agency = _post(
        hub_practitioner_client,
        f"{path}/decision",
        {"outcome": "pathway_referral", "pathway_agency": "No Such Agency"},
    )
    assert _fields(unknown_agency) == {"pathway_agency"}
    decided = _post(
        hub_practitioner_client,
        f"{path}/decision",
        {"outcome": "strategy_discussion", "rationale": "Disclosure made to a teacher."},
    )
    assert decided.status_code == 201, decided.content.decode()
    assert decided.json()["outcome"]["label"] == "Strategy discussion"
    again = _post(hub_practitioner_client, f"{path}/decision", {"outcome": "advice"})
    assert _fields(again) == {"outcome"}

    shown = hub_practitioner_client.get(path).json()
    assert shown["decided"] is True
    assert shown["latest_screening"]["id"] == screened.json()["id"]
    assert shown["decision"]["id"] == decided.json()["id"]


def test_due_items_filter_by_kind_and_rag(
    hub_practitioner_client: Client, practitioner: User
) -> None:
    child = _child(practitioner)
    referral = _referral(practitioner, child, timezone.now() - dt.timedelta(minutes=30))
    referrals.record_screening(referral, {"disclosure": True}, acting_user=practitioner)

    everything = hub_practitioner_client.get("/api/v1/due-items")
    assert everything.status_code == 200
    items = everything.json()["items"]
    assert {i["kind"] for i in items} == {"decision", "strategy_discussion", "review"}
    assert {i["child_id"] for i in items} == {child.pk}
    assert {k: everything.json()[k] for k in ("page", "pages", "total")} == {
        "page": 1,
        "pages": 1,
        "total": 3,
    }

    decisions = hub_practitioner_client.get("/api/v1/due-items", {"kind": "decision"})
    [item] = decisions.json()["items"]
    assert item["label"] == "Decision on referral"
    assert item["link"] == f"/referrals/{referral.pk}/decision"
    assert item["remaining_seconds"] > 0

    two = hub_practitioner_client.get("/api/v1/due-items?kind=decision&kind=review")
    assert {i["kind"] for i in two.json()["items"]} == {"decision", "review"}
    red = hub_practitioner_client.get("/api/v1/due-items", {"rag": "red"})
    assert red.json()["items"] == []
    assert _fields(hub_practitioner_client.get("/api/v1/due-items", {"kind": "lunch"})) == {
        "kind.0"
    }


def test_due_items_come_a_page_at_a_time_auditing_only_the_page(
    hub_practitioner_client: Client, practitioner: User
) -> None:
    """Three children with one item due each (their referral waits for screening): pages of
    two."""
    for n in range(3):
        child = _child(practitioner, given_name=f"Paged{n}")
        _referral(practitioner, child, timezone.now() - dt.timedelta(minutes=30 + n))
    listed = AuditEvent.objects.filter(action="child:listed", reason="listed: due items")
    first = hub_practitioner_client.get("/api/v1/due-items", {"page_size": 2})
    second = hub_practitioner_client.get("/api/v1/due-items", {"page_size": 2, "page": 2})
    assert [len(r.json()["items"]) for r in (first, second)] == [2, 1]
    assert {(r.json()["page"], r.json()["pages"], r.json()["total"]) for r in (first, second)} == {
        (1, 2, 3),
        (2, 2, 3),
    }
    seen = [i["child_id"] for r in (first, second) for i in r.json()["items"]]
    assert len(set(seen)) == 3
    assert listed.count() == 3  # each page audits only the children it names
    assert _fields(hub_practitioner_client.get("/api/v1/due-items", {"page_size": 201})) == {
        "page_size"
    }


# --- problem details ---------------------------------------------------------------------


def test_a_bad_date_names_the_field_as_sent(hub_practitioner_client: Client) -> None:
    body = _referral_body(child=_new_child(date_of_birth="2012-13-45"))
    response = _post(hub_practitioner_client, "/api/v1/referrals", body)
    problem = _problem(response, 422)
    assert problem["type"] == "urn:safehub:problem:validation"
    assert [e["field"] for e in problem["errors"]] == ["child.date_of_birth"]
    assert problem["errors"][0]["message"]
    assert not Child.objects.exists()


def test_a_received_time_needs_its_offset(hub_practitioner_client: Client) -> None:
    body = _referral_body(received_at="2016-10-03T10:15:00")
    assert _fields(_post(hub_practitioner_client, "/api/v1/referrals", body)) == {"received_at"}


def test_a_bad_source_code_names_the_field(hub_practitioner_client: Client) -> None:
    body = _referral_body(source="99")
    assert _fields(_post(hub_practitioner_client, "/api/v1/referrals", body)) == {"source"}


def test_every_missing_field_is_named(hub_practitioner_client: Client) -> None:
    body = _referral_body()
    del body["concerns"]
    del body["child"]["sex"]
    response = _post(hub_practitioner_client, "/api/v1/referrals", body)
    problem = _problem(response, 422)
    assert {e["field"] for e in problem["errors"]} == {"concerns", "child.sex"}
    assert {e["message"] for e in problem["errors"]} == {"is required"}


def test_a_child_or_a_child_id_but_not_both(
    hub_practitioner_client: Client, practitioner: User
) -> None:
    neither = _referral_body()
    del neither["child"]
    assert _fields(_post(hub_practitioner_client, "/api/v1/referrals", neither)) == {"child_id"}
    both = _referral_body(child_id=_child(practitioner).pk)
    assert _fields(_post(hub_practitioner_client, "/api/v1/referrals", both)) == {"child"}


def test_a_service_refusal_names_the_nested_field(hub_practitioner_client: Client) -> None:
    body = _referral_body(child=_new_child(nhs_number="999 123 4567"))
    response = _post(hub_practitioner_client, "/api/v1/referrals", body)
    assert _fields(response) == {"child.nhs_number"}


def test_a_half_done_write_rolls_back(hub_practitioner_client: Client) -> None:
    """The child is registered, then the referral is refused: the child must not be kept."""
    future = (timezone.now() + dt.timedelta(days=2)).isoformat()
    response = _post(
        hub_practitioner_client, "/api/v1/referrals", _referral_body(received_at=future)
    )
    assert _fields(response) == {"received_at"}
    assert not Child.objects.exists()
    assert not AuditEvent.objects.filter(action="child:created").exists()
    # The connection is left usable, and the same body with a good time goes through.
    retry = _post(hub_practitioner_client, "/api/v1/referrals", _referral_body())
    assert retry.status_code == 201
    assert Child.objects.count() == 1


# --- scope -------------------------------------------------------------------------------


def test_a_partner_worker_is_told_not_found_and_the_attempt_is_audited(
    partner_worker_client: Client, practitioner: User
) -> None:
    child = _child(practitioner)
    referral = _referral(practitioner, child)

    body = _problem(partner_worker_client.get(f"/api/v1/children/{child.pk}"), 404)
    assert str(child.pk) not in body["detail"]
    denied = AuditEvent.objects.get(action="access:denied")
    assert (denied.object_type, denied.object_id, denied.outcome, denied.channel) == (
        "people.child",
        str(child.pk),
        "denied",
        "api",
    )
    assert denied.actor_role == Role.PARTNER_WORKER
    assert not AuditEvent.objects.filter(action="child:viewed").exists()

    _problem(partner_worker_client.get(f"/api/v1/referrals/{referral.pk}"), 404)
    screening = _post(
        partner_worker_client, f"/api/v1/referrals/{referral.pk}/screening", {"answers": {}}
    )
    _problem(screening, 404)
    referral_denials = AuditEvent.objects.filter(
        action="access:denied", object_type="referrals.referral", object_id=str(referral.pk)
    )
    assert referral_denials.count() == 2


def test_a_partner_worker_may_not_list_referrals_or_the_queue(
    partner_worker_client: Client, practitioner: User
) -> None:
    _referral(practitioner, _child(practitioner))
    _problem(partner_worker_client.get("/api/v1/referrals"), 403)
    _problem(partner_worker_client.get("/api/v1/due-items"), 403)
    refused = _post(partner_worker_client, "/api/v1/referrals", _referral_body())
    _problem(refused, 403)
    assert not Child.objects.filter(given_name="Testa").exists()
    permissions = set(
        AuditEvent.objects.filter(action="access:denied").values_list("object_id", flat=True)
    )
    assert permissions == {"referral:view", "triage:view", "child:create"}
    assert not AuditEvent.objects.filter(action="referral:listed").exists()


def test_an_analyst_sees_an_empty_scope_not_a_child(
    analyst_client: Client, practitioner: User
) -> None:
    child = _child(practitioner)
    _problem(analyst_client.get(f"/api/v1/children/{child.pk}"), 404)
    _problem(analyst_client.get("/api/v1/children/999999"), 404)
    assert AuditEvent.objects.filter(action="access:denied").count() == 2
