"""The second factor: TOTP authenticator apps, through django-otp.

A person enrols once (scanning a QR code), then gives a 6-digit code after their password at
every sign-in. Wrong codes are audited and slowed down by django-otp's throttling (each wrong
code doubles the wait before the next is even checked).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

import segno
from axes.models import AccessAttempt
from django.contrib.auth import authenticate
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from safehub.access import sessions
from safehub.access.lockout import hash_username
from safehub.access.models import User
from safehub.access.policy import Principal, require
from safehub.audit import services as audit
from safehub.audit.models import Outcome

DEVICE_NAME = "Authenticator app"


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    # Seconds to wait before another code will be checked; 0 when not throttled.
    wait_seconds: int = 0


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def has_confirmed_device(user: User) -> bool:
    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())


@transaction.atomic
def pending_device(user: User) -> TOTPDevice:
    """The unconfirmed device this user is setting up, made with a fresh random key if new.

    Only someone with no confirmed device may enrol: otherwise a stolen password would be
    enough to add the thief's phone.
    """
    if has_confirmed_device(user):
        raise ValueError("this account already has an authenticator app")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def secret_in_groups(device: TOTPDevice) -> str:
    """The key in base 32, in groups of four, for typing into an app by hand."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_svg(device: TOTPDevice) -> str:
    """The otpauth:// address as an inline SVG QR code (no image service, no script)."""
    qr = segno.make(device.config_url, error="m")
    svg: str = qr.svg_inline(scale=5, border=2, title="QR code for your authenticator app")
    return svg


def _throttle_wait(device: TOTPDevice) -> int:
    allowed, info = device.verify_is_allowed()
    if allowed or not info:
        return 0
    locked_until = info.get("locked_until")
    if locked_until is None:
        return 0
    return max(1, int((locked_until - timezone.now()).total_seconds()) + 1)


def _verify(device: TOTPDevice, token: str) -> CheckResult:
    """Check a code against the device, under a row lock so two guesses cannot race."""
    with transaction.atomic():
        locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        wait = _throttle_wait(locked)
        if wait:
            return CheckResult(ok=False, wait_seconds=wait)
        # A wrong code makes the *next* one wait; this one is simply wrong.
        return CheckResult(ok=bool(locked.verify_token(token)))


def _signed_in_with(request: HttpRequest, device: TOTPDevice) -> None:
    # A new session key once the second factor is proved, as at the password step.
    request.session.cycle_key()
    otp_login(request, device)
    sessions.mark_authenticated(request)


@transaction.atomic
def verify_sign_in(request: HttpRequest, user: User, token: str) -> CheckResult:
    """The second sign-in step: check the code and, if right, mark the session verified."""
    device = confirmed_device(user)
    if device is None:
        return CheckResult(ok=False)
    result = _verify(device, token)
    if result.ok:
        device.refresh_from_db()
        _signed_in_with(request, device)
        audit.write(user, "auth:otp:verified", user)
    else:
        audit.write(user, "auth:otp:failed", user, outcome=Outcome.FAILURE)
    return result


@transaction.atomic
def confirm_enrolment(request: HttpRequest, user: User, token: str) -> CheckResult:
    """Confirm the device being set up with a code from it; the session is then verified."""
    device = pending_device(user)
    result = _verify(device, token)
    if result.ok:
        device.refresh_from_db()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        _signed_in_with(request, device)
        audit.write(user, "auth:otp:enrolled", user)
    else:
        audit.write(user, "auth:otp:failed", user, outcome=Outcome.FAILURE)
    return result


@dataclass(frozen=True)
class ReauthResult:
    password_ok: bool
    code: CheckResult

    @property
    def ok(self) -> bool:
        return self.password_ok and self.code.ok


@transaction.atomic
def reauthenticate(
    request: HttpRequest, user: User, *, password: str, token: str | None
) -> ReauthResult:
    """Check the password (through `authenticate`, so django-axes counts a wrong one) and, for
    roles with two factors, a code; then restart the clock that sensitive actions check."""
    password_ok = authenticate(request, username=user.get_username(), password=password) == user
    if not password_ok:
        # authenticate() has audited the failure (auth:login:failed) and counted it.
        return ReauthResult(password_ok=False, code=CheckResult(ok=False))
    if token is None:
        code = CheckResult(ok=True)
    else:
        device = confirmed_device(user)
        code = _verify(device, token) if device is not None else CheckResult(ok=False)
        if not code.ok:
            audit.write(user, "auth:otp:failed", user, outcome=Outcome.FAILURE)
            return ReauthResult(password_ok=True, code=code)
    request.session.cycle_key()
    sessions.mark_authenticated(request)
    audit.write(user, "auth:reauthenticated", user)
    return ReauthResult(password_ok=True, code=code)


@transaction.atomic
def issue_device(user: User, *, key_hex: str, acting_user: Principal) -> TOTPDevice:
    """Give an account a confirmed device with a known key (the demo's accounts only: a real
    person enrols their own app)."""
    require(acting_user, "users:manage")
    device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, key=key_hex, confirmed=True)
    audit.write(acting_user, "auth:otp:issued", user)
    return device


@transaction.atomic
def reset(user: User, *, acting_user: Principal) -> int:
    """Remove a person's authenticator apps (lost phone) and any lockout on their account; they
    set up a new app at their next sign-in. Check who is asking before doing this: until then
    a password alone can enrol an app."""
    require(acting_user, "users:manage")
    removed, _ = TOTPDevice.objects.filter(user=user).delete()
    AccessAttempt.objects.filter(username=hash_username(user.get_username())).delete()
    audit.write(acting_user, "auth:otp:reset", user, reason=f"authenticator apps: {removed} -> 0")
    return int(removed)
