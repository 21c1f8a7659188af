"""Lockout that cannot be turned against users: by address and by username and address, a
username lock that expires, and a known device that gets past it with the right password."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from axes.models import AccessAttempt
from django.db.models import F
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from safehub.access import lockout
from safehub.access.models import Role, User
from tests.factories import PASSWORD
from tests.integration.conftest import totp_code

CODE_PAGE = "/sign-in/code"


@pytest.fixture
def pat(make_user: Callable[..., User]) -> User:
    return make_user(Role.HUB_PRACTITIONER, username="pat")


@pytest.fixture
def pats_app(pat: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=pat, name="Phone", confirmed=True)


def _try(client: Client, username: str, password: str, address: str) -> int:
    response = client.post(
        "/sign-in", {"username": username, "password": password}, REMOTE_ADDR=address
    )
    return response.status_code


def _age_attempts(minutes: int) -> None:
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=minutes))


def _shift_attempts(minutes: int) -> None:
    """Move every recorded failure `minutes` into the past, keeping their order."""
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - dt.timedelta(minutes=minutes))


def test_five_anonymous_failures_do_not_lock_the_person_out_from_elsewhere(
    client: Client, pat: User, pats_app: TOTPDevice
) -> None:
    for attempt in range(5):
        _try(client, "pat", f"wrong-{attempt}", "10.0.0.66")
    assert _try(client, "pat", PASSWORD, "10.0.0.66") == 429  # that address, that username
    assert _try(Client(), "pat", PASSWORD, "10.0.0.7") == 302  # pat at their own desk


def test_failures_across_many_usernames_from_one_address_are_blocked(
    client: Client, make_user: Callable[..., User]
) -> None:
    make_user(Role.ELECTED_MEMBER, username="casey")
    statuses = [
        _try(client, f"guess-{n % 30}", f"wrong-{n}", "10.6.6.6")
        for n in range(lockout.ADDRESS_FAILURE_LIMIT + 5)
    ]
    assert statuses[: lockout.ADDRESS_FAILURE_LIMIT - 1] == [200] * (
        lockout.ADDRESS_FAILURE_LIMIT - 1
    )
    assert set(statuses[lockout.ADDRESS_FAILURE_LIMIT :]) == {429}
    assert _try(client, "casey", PASSWORD, "10.6.6.6") == 429  # the address is throttled
    assert _try(Client(), "casey", PASSWORD, "10.0.0.8") == 302  # elsewhere it is not
    # The throttle expires: fifteen minutes after the last counted failure.
    _age_attempts(16)
    assert _try(client, "casey", PASSWORD, "10.6.6.6") == 302


def test_a_username_attacked_from_many_addresses_is_locked_for_a_while_only(
    client: Client, pat: User, pats_app: TOTPDevice
) -> None:
    for n in range(lockout.USERNAME_FAILURE_LIMIT):
        _try(client, "pat", f"wrong-{n}", f"10.1.0.{n + 1}")
    assert _try(Client(), "pat", PASSWORD, "10.2.0.1") == 429
    # Guessing on during the lock (from the same addresses) does not make it last longer.
    _shift_attempts(10)
    for n in range(3):
        assert _try(client, "pat", f"wrong-again-{n}", f"10.1.0.{n + 1}") == 429
    _shift_attempts(6)
    assert _try(Client(), "pat", PASSWORD, "10.2.0.1") == 302


def _sign_in_fully(
    client: Client, user: User, device: TOTPDevice, address: str, steps_ahead: int = 0
) -> None:
    assert _try(client, user.username, PASSWORD, address) == 302
    code = totp_code(device, steps_ahead)  # a code is accepted once: the second sign-in waits
    response = client.post(CODE_PAGE, {"otp_token": code}, REMOTE_ADDR=address)
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_a_known_device_with_the_right_password_and_code_gets_past_the_username_lock(
    pat: User, pats_app: TOTPDevice
) -> None:
    pats_browser = Client()
    _sign_in_fully(pats_browser, pat, pats_app, "10.0.0.7")
    cookie = pats_browser.cookies[lockout.DEVICE_COOKIE]
    assert "pat" not in cookie.value.split(":")[0]
    assert cookie["httponly"]
    pats_browser.post("/sign-out", REMOTE_ADDR="10.0.0.7")

    attacker = Client()
    for n in range(lockout.USERNAME_FAILURE_LIMIT):
        _try(attacker, "pat", f"wrong-{n}", f"10.1.0.{n + 1}")
    assert _try(Client(), "pat", PASSWORD, "10.0.0.7") == 429  # a browser pat never used
    # A copied cookie with its signature broken is no known device.
    forged = Client()
    forged.cookies[lockout.DEVICE_COOKIE] = cookie.value[:-2] + "xx"
    assert _try(forged, "pat", PASSWORD, "10.0.0.7") == 429

    _sign_in_fully(pats_browser, pat, pats_app, "10.0.0.7", steps_ahead=1)
    assert pats_browser.get("/").status_code == 200


def test_a_known_device_is_known_for_its_own_person_only(
    make_user: Callable[..., User], pat: User, pats_app: TOTPDevice
) -> None:
    sam = make_user(Role.HUB_PRACTITIONER, username="sam")
    shared_browser = Client()
    _sign_in_fully(shared_browser, pat, pats_app, "10.0.0.7")
    shared_browser.post("/sign-out", REMOTE_ADDR="10.0.0.7")
    for n in range(lockout.USERNAME_FAILURE_LIMIT):
        _try(Client(), "sam", f"wrong-{n}", f"10.1.0.{n + 1}")
    assert _try(shared_browser, sam.username, PASSWORD, "10.0.0.7") == 429
