"""The API's errors are all problem details, 500 included, and its moments valid RFC 3339."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest
from django.db import OperationalError
from django.test import Client

from safehub.access.models import Role, User
from safehub.api import triage
from safehub.people import services as people
from safehub.referrals.models import Referral

LONDON = ZoneInfo("Europe/London")
# RFC 3339 section 5.6 date-time: the offset is hours and minutes, or Z.
RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$", re.IGNORECASE
)


def test_an_unexpected_error_under_api_is_a_problem_not_the_html_page(
    hub_practitioner_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> list[object]:
        raise RuntimeError("a fault injected by the test")

    monkeypatch.setattr(triage, "queue_page", broken)
    hub_practitioner_client.raise_request_exception = False
    response = hub_practitioner_client.get("/api/v1/due-items")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 500
    assert body["title"] == "Internal Server Error"
    assert "fault injected" not in response.content.decode()  # no traceback, no message


def test_the_site_still_answers_its_own_500_page_elsewhere(
    hub_practitioner_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from safehub.triage import views  # noqa: PLC0415

    def broken(*args: object, **kwargs: object) -> list[object]:
        raise RuntimeError("a fault injected by the test")

    monkeypatch.setattr(views, "queue_page", broken)
    hub_practitioner_client.raise_request_exception = False
    response = hub_practitioner_client.get("/triage")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")


def test_a_database_out_of_reach_is_a_503_to_try_again_under_api(
    hub_practitioner_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unreachable(*args: object, **kwargs: object) -> list[object]:
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(triage, "queue_page", unreachable)
    hub_practitioner_client.raise_request_exception = False
    response = hub_practitioner_client.get("/api/v1/due-items")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"
    assert response["Retry-After"] == "5"
    body = response.json()
    assert body["status"] == 503
    assert body["title"] == "Service Unavailable"
    assert "nothing was changed" in body["detail"]
    assert "server closed" not in response.content.decode()


def test_a_database_out_of_reach_is_the_503_page_elsewhere(
    hub_practitioner_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from safehub.triage import views  # noqa: PLC0415

    def unreachable(*args: object, **kwargs: object) -> list[object]:
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(views, "queue_page", unreachable)
    hub_practitioner_client.raise_request_exception = False
    response = hub_practitioner_client.get("/triage")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Content-Type"].startswith("text/html")
    assert "Try again in a few moments" in response.content.decode()


def test_due_items_are_rfc_3339_even_for_a_referral_from_long_ago(
    hub_practitioner_client: Client, make_user: Callable[..., User]
) -> None:
    child = people.register_child(
        acting_user=make_user(Role.HUB_MANAGER),
        given_name="Sammi",
        family_name="Exampleton",
        sex="F",
    )
    # As an old import or the API before the rules could leave it: London's local mean time
    # then was 1 minute 15 seconds behind Greenwich, an offset RFC 3339 cannot write.
    Referral.objects.create(
        child=child,
        received_at=dt.datetime(1800, 1, 6, 10, tzinfo=LONDON),
        source="6",
        concerns="x",
        exploitation_types=["cse"],
    )
    response = hub_practitioner_client.get("/api/v1/due-items")
    assert response.status_code == 200
    dues = [item["due"] for item in response.json()["items"]]
    assert dues
    assert all(RFC3339.match(due) for due in dues), dues
