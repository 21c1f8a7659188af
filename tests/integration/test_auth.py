from __future__ import annotations

from collections.abc import Callable

from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from safehub.access.models import Role, User
from safehub.audit.models import AuditEvent
from tests.factories import PASSWORD
from tests.integration.conftest import totp_code


def test_home_needs_sign_in(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/sign-in?next=/"


def test_sign_in_page_is_a_gov_uk_page_with_our_stylesheet(client: Client) -> None:
    page = client.get("/sign-in").content.decode()
    assert '<a href="#main-content" class="govuk-skip-link"' in page
    assert "govuk-phase-banner" in page
    assert "govuk-footer" in page
    assert 'href="/static/web/app.css"' in page
    assert "<script>" not in page, "no inline script: the CSP will forbid it"


def test_correct_password_signs_in_and_is_audited(
    client: Client, make_user: Callable[..., User], engine: str
) -> None:
    user = make_user(Role.HUB_PRACTITIONER, username="pat")
    device = TOTPDevice.objects.create(user=user, name="App", confirmed=True)
    response = client.post("/sign-in", {"username": "pat", "password": PASSWORD})
    assert response["Location"] == "/sign-in/code?next=%2F"
    response = client.post(response["Location"], {"otp_token": totp_code(device)}, follow=True)
    assert response.redirect_chain == [("/", 302)]
    assert "Hub practitioner" in response.content.decode()
    event = AuditEvent.objects.get(action="auth:login")
    assert (event.actor_id, event.actor_role, event.outcome) == (
        user.pk,
        "hub_practitioner",
        "success",
    )
    assert event.actor_agency_id == user.agency_id
    assert event.object_type == "access.user"
    assert len(event.request_id) == 32
    assert event.ip_address == "127.0.0.1"
    assert event.occurred_at.utcoffset().total_seconds() == 0
    assert engine in {"sqlite", "postgresql"}


def test_wrong_password_shows_error_summary_and_is_audited_without_the_username(
    client: Client, make_user: Callable[..., User]
) -> None:
    user = make_user(Role.HUB_PRACTITIONER, username="pat")
    response = client.post("/sign-in", {"username": "pat", "password": "wrong-password"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Sign in – Safehub</title>" in page
    assert 'class="govuk-error-summary"' in page
    assert '<a href="#id_username">Enter a correct username and password</a>' in page
    assert "govuk-input--error" in page
    assert "wrong-password" not in page
    event = AuditEvent.objects.get(action="auth:login:failed")
    assert event.outcome == "failure"
    assert event.actor_id is None
    assert (event.object_type, event.object_id) == ("access.user", str(user.pk))
    row = " ".join(str(v) for v in AuditEvent.objects.filter(pk=event.pk).values().get().values())
    assert "pat" not in row.split()


def test_unknown_username_is_audited_with_no_identifier(client: Client) -> None:
    client.post("/sign-in", {"username": "somebody", "password": "whatever-it-is"})
    event = AuditEvent.objects.get(action="auth:login:failed")
    assert (event.object_type, event.object_id) == ("", "")


def test_empty_form_names_each_missing_field(client: Client) -> None:
    page = client.post("/sign-in", {"username": "", "password": ""}).content.decode()
    assert '<a href="#id_username">Enter your username</a>' in page
    assert '<a href="#id_password">Enter your password</a>' in page


def test_disabled_account_cannot_sign_in(client: Client, make_user: Callable[..., User]) -> None:
    make_user(Role.HUB_PRACTITIONER, username="gone", is_active=False)
    response = client.post("/sign-in", {"username": "gone", "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_sign_out_needs_post_and_is_audited(hub_practitioner_client: Client) -> None:
    assert hub_practitioner_client.get("/sign-out").status_code == 405
    response = hub_practitioner_client.post("/sign-out")
    assert response.status_code == 302
    assert response["Location"] == "/sign-in"
    assert AuditEvent.objects.filter(action="auth:logout").count() == 1
    assert hub_practitioner_client.get("/").status_code == 302


def test_sign_in_form_is_protected_from_cross_site_posts(make_user: Callable[..., User]) -> None:
    make_user(Role.HUB_PRACTITIONER, username="pat")
    client = Client(enforce_csrf_checks=True)
    response = client.post("/sign-in", {"username": "pat", "password": PASSWORD})
    assert response.status_code == 403


def test_session_cookie_is_http_only(client: Client, make_user: Callable[..., User]) -> None:
    make_user(Role.HUB_PRACTITIONER, username="pat")
    response = client.post("/sign-in", {"username": "pat", "password": PASSWORD})
    cookie = response.cookies["safehub_session"]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
