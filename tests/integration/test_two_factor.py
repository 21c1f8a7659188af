"""Two-factor sign-in (django-otp TOTP) and lockout after repeated wrong passwords (django-axes)."""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
from collections.abc import Callable

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, override_settings
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from safehub.access.models import Role, User
from safehub.access.policy import SYSTEM, TWO_FACTOR_ROLES
from safehub.audit.models import AuditEvent
from safehub.demo import services as demo
from tests.factories import PASSWORD
from tests.integration.conftest import totp_code

CODE_PAGE = "/sign-in/code"


@pytest.fixture
def pat(make_user: Callable[..., User]) -> User:
    return make_user(Role.HUB_PRACTITIONER, username="pat")


@pytest.fixture
def pats_app(pat: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=pat, name="Phone", confirmed=True)


def _password(client: Client, username: str = "pat", password: str = PASSWORD) -> str:
    response = client.post("/sign-in", {"username": username, "password": password})
    assert response.status_code == 302, response.content.decode()[:500]
    return str(response["Location"])


def _wrong_code(device: TOTPDevice) -> str:
    accepted = {totp_code(device, steps) for steps in (-1, 0, 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in accepted)


def test_every_role_but_elected_member_needs_a_second_factor() -> None:
    assert frozenset(Role) - TWO_FACTOR_ROLES == {Role.ELECTED_MEMBER}


def test_the_password_alone_leads_only_to_the_code_step(
    client: Client, pats_app: TOTPDevice
) -> None:
    assert _password(client, "pat") == f"{CODE_PAGE}?next=%2F"
    page = client.get(CODE_PAGE).content.decode()
    assert (
        '<label class="govuk-label govuk-label--l" for="id_otp_token">'
        "Enter the 6-digit code from your authenticator app</label>" in page
    )
    assert 'autocomplete="one-time-code"' in page
    assert 'inputmode="numeric"' in page
    assert "govuk-service-navigation__list" not in page, "no menu before the code"
    assert client.get("/")["Location"] == f"{CODE_PAGE}?next=%2F"


def test_the_right_code_signs_in_with_a_new_session_key_and_is_audited(
    client: Client, pat: User, pats_app: TOTPDevice
) -> None:
    _password(client)
    before = client.cookies["safehub_session"].value
    response = client.post(
        CODE_PAGE, {"otp_token": totp_code(pats_app), "next": "/triage"}, follow=True
    )
    assert response.redirect_chain == [("/triage", 302)]
    assert response.status_code == 200
    assert client.cookies["safehub_session"].value != before
    event = AuditEvent.objects.get(action="auth:otp:verified")
    assert (event.actor_id, event.outcome) == (pat.pk, "success")


def test_a_wrong_code_is_refused_audited_and_throttled(
    client: Client, pat: User, pats_app: TOTPDevice
) -> None:
    _password(client)
    response = client.post(CODE_PAGE, {"otp_token": _wrong_code(pats_app)})
    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Enter your code – Safehub</title>" in page
    assert 'class="govuk-error-summary"' in page
    assert (
        '<a href="#id_otp_token">The code is not right. Enter the code your app shows now</a>'
        in page
    )
    assert 'aria-describedby="id_otp_token-hint id_otp_token-error"' in page
    event = AuditEvent.objects.get(action="auth:otp:failed")
    assert (event.actor_id, event.outcome) == (pat.pk, "failure")
    assert client.get("/").status_code == 302

    # django-otp's throttling: straight after a wrong code even the right one is not checked.
    page = client.post(CODE_PAGE, {"otp_token": totp_code(pats_app)}).content.decode()
    assert re.search(r"Too many wrong codes\. Wait \d+ seconds?, then enter", page)
    assert not AuditEvent.objects.filter(action="auth:otp:verified").exists()

    # Once the wait is over, the right code works.
    pats_app.refresh_from_db()
    pats_app.throttling_failure_timestamp = timezone.now() - dt.timedelta(minutes=5)
    pats_app.save()
    assert client.post(CODE_PAGE, {"otp_token": totp_code(pats_app)})["Location"] == "/"
    assert client.get("/").status_code == 200


def test_a_code_that_is_not_six_digits_names_the_problem(
    client: Client, pats_app: TOTPDevice
) -> None:
    _password(client)
    page = client.post(CODE_PAGE, {"otp_token": "12ab"}).content.decode()
    assert '<a href="#id_otp_token">The code must be 6 digits, like 123456</a>' in page
    page = client.post(CODE_PAGE, {"otp_token": ""}).content.decode()
    assert '<a href="#id_otp_token">Enter the 6-digit code from your authenticator app</a>' in page


def test_a_code_works_only_once(client: Client, pats_app: TOTPDevice) -> None:
    _password(client)
    code = totp_code(pats_app)
    assert client.post(CODE_PAGE, {"otp_token": code}).status_code == 302
    other = Client()
    _password(other)
    assert other.post(CODE_PAGE, {"otp_token": code}).status_code == 200


def test_someone_without_an_app_sets_one_up_with_a_qr_code(client: Client, pat: User) -> None:
    assert _password(client) == f"{CODE_PAGE}?next=%2F"
    response = client.get(f"{CODE_PAGE}?next=%2Ftriage")
    assert response["Location"] == "/sign-in/set-up?next=%2Ftriage"
    response = client.get(response["Location"])
    page = response.content.decode()
    assert '<h1 class="govuk-heading-l">Set up your authenticator app</h1>' in page
    assert "<svg" in page
    assert "<title>QR code for your authenticator app</title>" in page
    assert "<script>" not in page
    assert "no-cache" in response["Cache-Control"]
    device = TOTPDevice.objects.get(user=pat)
    assert not device.confirmed
    secret = re.search(r'<code class="app-secret" id="secret">([A-Z2-7 ]+)</code>', page)
    assert secret is not None
    assert all(len(group) == 4 for group in secret.group(1).split())

    wrong = client.post("/sign-in/set-up", {"otp_token": _wrong_code(device), "next": "/triage"})
    assert wrong.status_code == 200
    device.refresh_from_db()
    assert not device.confirmed
    device.throttling_failure_timestamp = None
    device.throttling_failure_count = 0
    device.save()

    response = client.post("/sign-in/set-up", {"otp_token": totp_code(device), "next": "/triage"})
    assert response["Location"] == "/triage"
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEvent.objects.filter(action="auth:otp:enrolled", actor=pat).count() == 1
    assert client.get("/triage").status_code == 200


def test_a_password_alone_cannot_add_a_second_app(client: Client, pats_app: TOTPDevice) -> None:
    _password(client)
    assert client.get("/sign-in/set-up")["Location"] == f"{CODE_PAGE}?next=%2F"
    assert client.post("/sign-in/set-up", {"otp_token": "123456"})["Location"].startswith(CODE_PAGE)
    assert TOTPDevice.objects.count() == 1


@pytest.mark.parametrize(
    "path",
    ["/", "/triage", "/children/search", "/intelligence", "/admin/", "/no-such-page"],
)
def test_before_the_code_no_page_is_reachable(
    client: Client, pats_app: TOTPDevice, path: str
) -> None:
    _password(client)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(f"{CODE_PAGE}?next=")


@pytest.mark.parametrize("path", ["/api/v1/referrals", "/api/v1/due-items", "/api/v1/docs"])
def test_before_the_code_the_api_answers_401_problem(
    client: Client, pats_app: TOTPDevice, path: str
) -> None:
    _password(client)
    response = client.get(path)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == {
        "type": "urn:safehub:problem:second-factor-required",
        "title": "Enter your code first",
        "status": 401,
        "detail": "Finish signing in with the code from your authenticator app.",
    }


def test_before_the_code_health_static_and_sign_out_are_open(
    client: Client, pats_app: TOTPDevice
) -> None:
    _password(client)
    assert client.get("/healthz").status_code == 200
    static = client.get("/static/web/app.css")
    assert static.status_code == 200
    assert b"govuk" in b"".join(static.streaming_content)  # read to the end, which closes it
    assert client.post("/sign-out")["Location"] == "/sign-in"
    assert client.get("/")["Location"] == "/sign-in?next=/"


def test_an_elected_member_signs_in_with_a_password(
    client: Client, make_user: Callable[..., User]
) -> None:
    make_user(Role.ELECTED_MEMBER, username="casey")
    assert _password(client, "casey") == "/"
    assert client.get("/").status_code == 200
    assert client.get(CODE_PAGE)["Location"] == "/"


# --- lockout (django-axes) ------------------------------------------------------------------


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(
    client: Client, make_user: Callable[..., User], caplog: pytest.LogCaptureFixture
) -> None:
    user = make_user(Role.HUB_PRACTITIONER, username="lockme-zq")
    TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)
    caplog.set_level(logging.DEBUG)  # from here on: the test's own set-up logs the username
    for attempt in range(4):
        response = client.post(
            "/sign-in", {"username": "lockme-zq", "password": f"wrong-{attempt}"}
        )
        assert response.status_code == 200
        assert "Enter a correct username and password" in response.content.decode()
    fifth = client.post("/sign-in", {"username": "lockme-zq", "password": "wrong-4"})
    assert fifth.status_code == 429
    page = fifth.content.decode()
    assert '<h1 class="govuk-heading-l">Your account is locked</h1>' in page
    assert "Your account is locked for 15 minutes" in page
    assert "govuk-footer" in page

    # The right password from the same address is refused too (test_lockout.py: elsewhere not).
    right = client.post("/sign-in", {"username": "lockme-zq", "password": PASSWORD})
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session
    lockouts = AuditEvent.objects.filter(action="auth:lockout")
    assert lockouts.count() == 2
    assert {(e.object_type, e.object_id, e.outcome) for e in lockouts} == {
        ("access.user", str(user.pk), "denied")
    }

    # Nothing personal in axes' table or in the logs.
    for attempt in AccessAttempt.objects.all():
        assert "lockme-zq" not in attempt.username
        assert "lockme-zq" not in attempt.post_data
        assert PASSWORD not in attempt.post_data
    assert caplog.records, "axes logged nothing: the check below would prove nothing"
    assert not [r for r in caplog.records if "lockme-zq" in r.getMessage()]

    # After the fifteen-minute cool-off the right password works, and clears the count.
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=16))
    response = client.post("/sign-in", {"username": "lockme-zq", "password": PASSWORD})
    assert response["Location"] == f"{CODE_PAGE}?next=%2F"
    assert not AccessAttempt.objects.exists()


def test_a_locked_account_is_still_locked_before_the_cool_off_ends(
    client: Client, make_user: Callable[..., User]
) -> None:
    make_user(Role.HUB_PRACTITIONER, username="lockme-2")
    for attempt in range(5):
        client.post("/sign-in", {"username": "lockme-2", "password": f"wrong-{attempt}"})
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=14))
    assert (
        client.post("/sign-in", {"username": "lockme-2", "password": PASSWORD}).status_code == 429
    )


def test_another_account_is_not_locked_by_someone_elses_failures(
    client: Client, make_user: Callable[..., User]
) -> None:
    make_user(Role.ELECTED_MEMBER, username="casey")
    for attempt in range(5):
        client.post("/sign-in", {"username": "somebody-else", "password": f"wrong-{attempt}"})
    assert _password(client, "casey") == "/"


# --- the demo --------------------------------------------------------------------------------


def test_demo_accounts_have_known_authenticator_keys_except_the_member() -> None:
    demo.load(acting_user=SYSTEM, with_history=False)
    devices = {d.user.username: d for d in TOTPDevice.objects.select_related("user")}
    assert set(devices) == {a.username for a in demo.ACCOUNTS} - {"member"}
    assert all(d.confirmed for d in devices.values())
    assert devices["practitioner"].key == demo.demo_totp_key("practitioner")
    assert devices["practitioner"].key != devices["manager"].key
    demo.load(acting_user=SYSTEM, with_history=False)
    assert TOTPDevice.objects.count() == len(devices)


def test_safehub_totp_prints_a_demo_code_only_in_the_demo() -> None:
    demo.load(acting_user=SYSTEM, with_history=False)
    with pytest.raises(CommandError, match="works only in the demo"):
        call_command("totp", "practitioner")
    out = io.StringIO()
    with override_settings(SAFEHUB_DEMO=True):
        call_command("totp", "practitioner", stdout=out, stderr=io.StringIO())
        with pytest.raises(CommandError, match="'member' has no authenticator app"):
            call_command("totp", "member")
    key = bytes.fromhex(demo.demo_totp_key("practitioner"))
    printed = out.getvalue().strip()
    assert re.fullmatch(r"\d{6}", printed)
    assert int(printed) in {totp(key), totp(key, t0=30)}  # this step, or the one just before


def test_the_demo_prints_how_to_get_a_code(monkeypatch: pytest.MonkeyPatch) -> None:
    # No migrate, collectstatic or generated history: only the accounts and the table matter.
    monkeypatch.setattr(
        "safehub.demo.management.commands.demo.call_command", lambda *_a, **_k: None
    )
    monkeypatch.setattr("safehub.demo.services.case_history.already_loaded", lambda: True)
    out = io.StringIO()
    call_command("demo", "--no-serve", stdout=out)
    text = out.getvalue()
    assert re.search(r"practitioner\s+Hub practitioner\s+code: safehub totp practitioner", text)
    assert re.search(r"member\s+Elected member\s+no code needed", text)


def test_an_administrator_resets_a_lost_phone_and_a_lockout(
    administrator_client: Client, client: Client, pat: User, pats_app: TOTPDevice
) -> None:
    for attempt in range(5):
        client.post("/sign-in", {"username": "pat", "password": f"wrong-{attempt}"})
    assert AccessAttempt.objects.exists()
    response = administrator_client.post(
        "/admin/access/user/", {"action": "reset_two_factor", "_selected_action": [pat.pk]}
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=pat).exists()
    assert not AccessAttempt.objects.exists()
    event = AuditEvent.objects.get(action="auth:otp:reset")
    assert event.object_id == str(pat.pk)
    # Pat signs in with the password and is asked to set up a new app.
    assert _password(client).startswith(CODE_PAGE)
    assert client.get(CODE_PAGE)["Location"].startswith("/sign-in/set-up")
