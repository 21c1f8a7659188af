"""Session expiry, disabled accounts, permission changes and re-authentication."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import include, path
from django_otp.plugins.otp_totp.models import TOTPDevice

from safehub.access import sessions
from safehub.access.models import Role, User
from safehub.audit.models import AuditEvent
from tests.factories import PASSWORD
from tests.integration.conftest import sign_in_verified, totp_code

MINUTE = 60
HOUR = 60 * MINUTE


def _age(client: Client, **seconds_ago: int) -> None:
    """Move the session's clocks into the past: signed_in, authenticated, seen."""
    session = client.session
    now = int(time.time())
    keys = {
        "signed_in": sessions.SIGNED_IN_AT,
        "authenticated": sessions.AUTHENTICATED_AT,
        "seen": sessions.SEEN_AT,
    }
    for name, ago in seconds_ago.items():
        session[keys[name]] = now - ago
    session.save()


@pytest.fixture
def pat(make_user: Callable[..., User]) -> User:
    return make_user(Role.HUB_PRACTITIONER, username="pat")


@pytest.fixture
def pat_client(pat: User) -> Client:
    return sign_in_verified(Client(), pat)


# --- idle and absolute timeouts -------------------------------------------------------------


def test_thirty_minutes_without_activity_ends_the_session(pat_client: Client, pat: User) -> None:
    _age(pat_client, seen=30 * MINUTE + 1)
    response = pat_client.get("/triage")
    assert response.status_code == 302
    assert response["Location"] == "/sign-in?next=%2Ftriage"
    event = AuditEvent.objects.get(action="auth:session:expired")
    assert (event.actor_id, event.reason, event.object_id) == (pat.pk, "idle", str(pat.pk))
    assert AuditEvent.objects.filter(action="auth:logout", actor=pat).count() == 1

    page = pat_client.get(response["Location"]).content.decode()
    assert 'class="govuk-notification-banner"' in page
    assert "You were signed out after 30 minutes without activity" in page
    # The banner is shown once, and the session is gone for good.
    assert "govuk-notification-banner" not in pat_client.get("/sign-in").content.decode()
    assert pat_client.get("/triage")["Location"].startswith("/sign-in")


def test_activity_keeps_the_session_alive(pat_client: Client) -> None:
    _age(pat_client, seen=29 * MINUTE)
    assert pat_client.get("/triage").status_code == 200
    seen = pat_client.session[sessions.SEEN_AT]
    assert int(time.time()) - seen < MINUTE
    assert not AuditEvent.objects.filter(action="auth:session:expired").exists()


def test_ten_hours_after_signing_in_the_session_ends_however_active(
    pat_client: Client, pat: User
) -> None:
    _age(pat_client, signed_in=10 * HOUR + 1, seen=10)
    response = pat_client.get("/")
    assert response["Location"] == "/sign-in?next=%2F"
    event = AuditEvent.objects.get(action="auth:session:expired")
    assert (event.actor_id, event.reason) == (pat.pk, "absolute")
    page = pat_client.get(response["Location"]).content.decode()
    assert "You were signed out because you had been signed in for 10 hours" in page


def test_an_expired_session_on_the_api_is_a_401_problem(pat_client: Client) -> None:
    _age(pat_client, seen=31 * MINUTE)
    response = pat_client.get("/api/v1/referrals")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert (body["type"], body["status"]) == ("urn:safehub:problem:session-expired", 401)
    assert set(body) == {"type", "title", "status", "detail"}


def test_a_session_without_its_clocks_is_ended(pat_client: Client) -> None:
    session = pat_client.session
    del session[sessions.SIGNED_IN_AT]
    session.save()
    assert pat_client.get("/")["Location"].startswith("/sign-in")


def test_signing_in_starts_the_clocks_and_rotates_the_session_key(
    client: Client, pat: User
) -> None:
    device = TOTPDevice.objects.create(user=pat, name="Phone", confirmed=True)
    client.get("/sign-in")
    session = client.session
    session["left-over"] = "x"
    session.save()
    anonymous_key = session.session_key
    client.post("/sign-in", {"username": "pat", "password": PASSWORD})
    after_password = client.session.session_key
    client.post("/sign-in/code", {"otp_token": totp_code(device)})
    after_code = client.session.session_key
    assert len({anonymous_key, after_password, after_code}) == 3
    now = int(time.time())
    for key in (sessions.SIGNED_IN_AT, sessions.AUTHENTICATED_AT, sessions.SEEN_AT):
        assert now - client.session[key] < MINUTE


# --- disabled accounts and permission changes -----------------------------------------------


def test_a_disabled_account_is_signed_out_on_its_next_request(
    pat_client: Client, pat: User
) -> None:
    assert pat_client.get("/triage").status_code == 200
    pat.is_active = False
    pat.save()
    response = pat_client.get("/triage")
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in")
    assert "_auth_user_id" not in pat_client.session
    event = AuditEvent.objects.get(action="auth:session:ended:disabled")
    assert (event.object_type, event.object_id, event.outcome) == (
        "access.user",
        str(pat.pk),
        "denied",
    )
    # Re-enabling the account does not bring the old session back.
    pat.is_active = True
    pat.save()
    assert pat_client.get("/triage")["Location"].startswith("/sign-in")


def test_a_disabled_account_loses_the_api_at_once(pat_client: Client, pat: User) -> None:
    assert pat_client.get("/api/v1/referrals").status_code == 200
    pat.is_active = False
    pat.save()
    assert pat_client.get("/api/v1/referrals").status_code == 401


def test_a_role_change_takes_effect_on_the_next_request(pat_client: Client, pat: User) -> None:
    assert pat_client.get("/triage").status_code == 200
    pat.role = Role.PARTNER_WORKER
    pat.save()
    assert pat_client.get("/triage").status_code == 403
    home = pat_client.get("/").content.decode()
    assert "Triage queue" not in home
    assert "Partner worker" in home


# --- re-authentication ----------------------------------------------------------------------


@sessions.require_recent_authentication(max_age_minutes=5)
def _sensitive(request: HttpRequest) -> HttpResponse:
    return HttpResponse("the export")


urlpatterns = [path("sensitive", _sensitive), path("", include("safehub.urls"))]


@pytest.mark.urls(__name__)
def test_a_recent_sign_in_reaches_a_sensitive_page_at_once(pat_client: Client) -> None:
    assert pat_client.get("/sensitive").content == b"the export"


@pytest.mark.urls(__name__)
def test_an_older_sign_in_must_confirm_password_and_code_first(
    pat_client: Client, pat: User
) -> None:
    _age(pat_client, authenticated=6 * MINUTE)
    response = pat_client.get("/sensitive")
    assert response["Location"] == "/sign-in/confirm?next=%2Fsensitive"
    page = pat_client.get(response["Location"]).content.decode()
    assert '<h1 class="govuk-heading-l">Confirm it is you</h1>' in page
    assert '<label class="govuk-label" for="id_password">Password</label>' in page
    assert 'for="id_otp_token">Code from your authenticator app</label>' in page

    device = TOTPDevice.objects.get(user=pat)
    wrong = pat_client.post(
        "/sign-in/confirm",
        {"password": "not-my-password", "otp_token": totp_code(device), "next": "/sensitive"},
    )
    assert wrong.status_code == 200
    assert '<a href="#id_password">Enter your correct password</a>' in wrong.content.decode()
    assert AuditEvent.objects.filter(action="auth:login:failed").count() == 1
    assert pat_client.get("/sensitive").status_code == 302

    response = pat_client.post(
        "/sign-in/confirm",
        {"password": PASSWORD, "otp_token": totp_code(device), "next": "/sensitive"},
    )
    assert response["Location"] == "/sensitive"
    event = AuditEvent.objects.get(action="auth:reauthenticated")
    assert (event.actor_id, event.outcome) == (pat.pk, "success")
    assert pat_client.get("/sensitive").content == b"the export"


@pytest.mark.urls(__name__)
def test_re_authentication_needs_the_code_too(pat_client: Client, pat: User) -> None:
    _age(pat_client, authenticated=6 * MINUTE)
    page = pat_client.post(
        "/sign-in/confirm", {"password": PASSWORD, "otp_token": "", "next": "/sensitive"}
    ).content.decode()
    assert '<a href="#id_otp_token">Enter the 6-digit code from your authenticator app</a>' in page
    assert not AuditEvent.objects.filter(action="auth:reauthenticated").exists()
    assert pat_client.get("/sensitive").status_code == 302


@pytest.mark.urls(__name__)
def test_an_elected_member_confirms_with_the_password_alone(
    make_user: Callable[..., User],
) -> None:
    client = sign_in_verified(Client(), make_user(Role.ELECTED_MEMBER))
    _age(client, authenticated=6 * MINUTE)
    page = client.get("/sign-in/confirm?next=/sensitive").content.decode()
    assert "id_otp_token" not in page
    response = client.post("/sign-in/confirm", {"password": PASSWORD, "next": "/sensitive"})
    assert response["Location"] == "/sensitive"


@pytest.mark.urls(__name__)
def test_confirming_never_sends_you_off_the_site(pat_client: Client, pat: User) -> None:
    _age(pat_client, authenticated=6 * MINUTE)
    device = TOTPDevice.objects.get(user=pat)
    response = pat_client.post(
        "/sign-in/confirm",
        {"password": PASSWORD, "otp_token": totp_code(device), "next": "https://evil.example/"},
    )
    assert response["Location"] == "/"
