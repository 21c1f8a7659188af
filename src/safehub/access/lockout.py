"""Lockout after failed sign-ins (django-axes), built so that nobody can use it against others.

Three counts of wrong passwords within the cool-off (15 minutes) lock a sign-in:

- the same username from the same address: `AXES_FAILURE_LIMIT` (5);
- any usernames from one address: `ADDRESS_FAILURE_LIMIT` (20), which stops one machine
  guessing across many accounts;
- the same username from any addresses: `USERNAME_FAILURE_LIMIT` (10), which stops a guesser
  who moves between addresses.

A lock ends 15 minutes after the failure that set it: attempts refused during the lock are not
counted (`AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False`), so nobody can keep an
account locked by guessing on. The last two counts can be driven by strangers, so a **known
device** gets past them: a browser in which this person has signed in with their password and
second factor carries a signed cookie (`DEVICE_COOKIE`, 90 days, HTTP-only) naming a keyed
hash of their username. With it, the right password (and then the code) works while their
username or their office's address is being attacked; it still counts its own failures under
the first rule. The cookie names no one and cannot be forged without the server's secret key.

The username a person types may be a mistyped password or their own name, so axes keeps only a
keyed hash of it (stable, so the counts still add up) and its log lines name the path only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.core import signing
from django.db.models import QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import salted_hmac

_SALT = "safehub.access.lockout"
_DEVICE_SALT = "safehub.access.lockout.device"

ADDRESS_FAILURE_LIMIT = 20
USERNAME_FAILURE_LIMIT = 10
DEVICE_COOKIE = "safehub_device"
DEVICE_MAX_AGE = dt.timedelta(days=90)
# A shared computer may be a known device for a few people; the newest are kept.
_DEVICE_PEOPLE = 5


def hash_username(username: str) -> str:
    return salted_hmac(_SALT, username, algorithm="sha256").hexdigest()


def hashed_username(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str | None:
    """AXES_USERNAME_CALLABLE: the keyed hash of the username tried, or None if there is none."""
    field = getattr(settings, "AXES_USERNAME_FORM_FIELD", "username")
    username = (credentials or {}).get(field)
    if username is None and request is not None:
        username = request.POST.get(field)
    return hash_username(str(username)) if username else None


def client_str(
    username: str | None,
    ip_address: str | None,
    user_agent: str | None,
    path_info: str | tuple[str, ...] | list[str] | None,
    request: HttpRequest | None,
) -> str:
    """AXES_CLIENT_STR_CALLABLE: how axes names a client in its log lines (path only)."""
    if isinstance(path_info, tuple | list):
        path_info = path_info[0] if path_info else ""
    return f'{{path_info: "{path_info or ""}"}}'


def _known_hashes(request: HttpRequest) -> list[str]:
    value = request.COOKIES.get(DEVICE_COOKIE, "")
    if not value:
        return []
    try:
        known = signing.loads(value, salt=_DEVICE_SALT, max_age=DEVICE_MAX_AGE)
    except signing.BadSignature:
        return []
    return [str(h) for h in known] if isinstance(known, list) else []


def is_known_device(request: HttpRequest, username_hash: str | None) -> bool:
    """Whether this browser holds a valid known-device cookie for this (hashed) username."""
    return bool(username_hash) and username_hash in _known_hashes(request)


def remember_device(request: HttpRequest, response: HttpResponse, username: str) -> None:
    """After a sign-in with password and second factor: mark this browser as a known device."""
    mine = hash_username(username)
    known = [mine, *(h for h in _known_hashes(request) if h != mine)][:_DEVICE_PEOPLE]
    response.set_cookie(
        DEVICE_COOKIE,
        signing.dumps(known, salt=_DEVICE_SALT),
        max_age=int(DEVICE_MAX_AGE.total_seconds()),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def _failures(attempts: QuerySet[AccessAttempt]) -> int:
    total = attempts.aggregate(total=Sum("failures_since_start"))["total"]
    return int(total or 0)


class LockoutHandler(AxesDatabaseHandler):
    """AXES_HANDLER: axes' database handler, with the three counts above and the known device.

    Axes stores one row per username, address and browser; the counts are sums over them.
    """

    def lock_reason(self, request: HttpRequest, credentials: dict[str, Any] | None) -> str:
        """Which rule locks this attempt ("username_address", "address", "username"), or ""."""
        username = get_client_username(request, credentials)
        address = getattr(request, "axes_ip_address", None)
        recent = AccessAttempt.objects.filter(attempt_time__gte=get_cool_off_threshold(request))
        if username and _failures(
            recent.filter(username=username, ip_address=address)
        ) >= get_failure_limit(request, credentials):
            return "username_address"
        if is_known_device(request, username):
            return ""
        if _failures(recent.filter(ip_address=address)) >= ADDRESS_FAILURE_LIMIT:
            return "address"
        if username and _failures(recent.filter(username=username)) >= USERNAME_FAILURE_LIMIT:
            return "username"
        return ""

    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        """Axes compares this with AXES_FAILURE_LIMIT: the limit itself when a rule locks."""
        limit = int(get_failure_limit(request, credentials))
        return limit if self.lock_reason(request, credentials) else 0

    def reset_user_attempts(
        self, request: HttpRequest, credentials: dict[str, Any] | None = None
    ) -> int:
        """After a successful sign-in, forget this username's failures from this address only:
        a guesser's failures elsewhere, or with other usernames, still count."""
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(
            username=username, ip_address=getattr(request, "axes_ip_address", None)
        ).delete()
        return int(count)
