"""Session rules enforced on every request: timeouts, the second factor, recent sign-in.

The session stores three times (Unix seconds): when the person signed in (for the absolute
timeout), when they last proved who they are (for re-authentication before exports and
break-glass) and when they were last seen (for the idle timeout). All three are checked here,
on the server; the cookie's own expiry is only a backstop.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse

from safehub.access.models import User
from safehub.access.policy import needs_two_factor
from safehub.audit import services as audit
from safehub.audit.models import Outcome

SIGNED_IN_AT = "safehub_signed_in_at"
AUTHENTICATED_AT = "safehub_authenticated_at"
SEEN_AT = "safehub_seen_at"
# Left in the fresh anonymous session after a timeout, for the sign-in page's banner.
SIGNED_OUT_REASON = "safehub_signed_out_reason"

IDLE = "idle"
ABSOLUTE = "absolute"

# The last-seen time is written at most once a minute, so a busy page does not write the
# session on every request; the idle timeout is exact to within that minute.
_SEEN_RESOLUTION = 60

API_PREFIX = "/api/"

V = TypeVar("V", bound=Callable[..., HttpResponse])


def _now() -> int:
    return int(time.time())


def start(request: HttpRequest) -> None:
    """Start the clocks for a new sign-in (called when Django signs a user in)."""
    now = _now()
    request.session[SIGNED_IN_AT] = now
    request.session[AUTHENTICATED_AT] = now
    request.session[SEEN_AT] = now


def mark_authenticated(request: HttpRequest) -> None:
    """The person has just proved who they are again (second factor or re-authentication)."""
    request.session[AUTHENTICATED_AT] = _now()


def seconds_since_authentication(request: HttpRequest) -> float:
    at = request.session.get(AUTHENTICATED_AT)
    return float("inf") if at is None else _now() - int(at)


def is_verified(request: HttpRequest) -> bool:
    """Whether the user has passed every factor their role needs (django-otp sets is_verified)."""
    user = request.user
    if not needs_two_factor(user):
        return bool(user.is_authenticated)
    verified = getattr(user, "is_verified", None)
    return bool(verified and verified())


def problem(status: int, type_: str, title: str, detail: str) -> JsonResponse:
    """An RFC 9457 problem, in the shape safehub.api gives every error (which we may not import:
    the access layer sits below the API)."""
    return JsonResponse(
        {"type": type_, "title": title, "status": status, "detail": detail},
        status=status,
        content_type="application/problem+json",
    )


def _sign_in_url(name: str, next_path: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': next_path})}"


class SessionTimeoutMiddleware:
    """Ends a session that has been idle too long, or open too long, or whose user is disabled.

    Runs after AuthenticationMiddleware. A disabled user is already anonymous by then (Django's
    ModelBackend refuses inactive users), but their session still names them: it is ended here
    and the ending audited.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            reason = self._expired(request)
            if reason:
                return self._end(request, reason)
        elif SESSION_KEY in request.session:
            self._end_if_disabled(request)
        return self.get_response(request)

    def _expired(self, request: HttpRequest) -> str:
        now = _now()
        signed_in_at = request.session.get(SIGNED_IN_AT)
        seen_at = request.session.get(SEEN_AT)
        if signed_in_at is None or seen_at is None:
            # A session from before these clocks existed: its age is unknown, so it ends.
            return ABSOLUTE
        if now - int(signed_in_at) >= settings.SAFEHUB_SESSION_ABSOLUTE_TIMEOUT.total_seconds():
            return ABSOLUTE
        if now - int(seen_at) >= settings.SAFEHUB_SESSION_IDLE_TIMEOUT.total_seconds():
            return IDLE
        if now - int(seen_at) >= _SEEN_RESOLUTION:
            request.session[SEEN_AT] = now
        return ""

    def _end(self, request: HttpRequest, reason: str) -> HttpResponse:
        user = request.user
        with transaction.atomic():
            audit.write(
                user,
                "auth:session:expired",
                user if isinstance(user, User) else None,
                reason=reason,
            )
            logout(request)
        request.session[SIGNED_OUT_REASON] = reason
        if request.path_info.startswith(API_PREFIX):
            return problem(
                401,
                "urn:safehub:problem:session-expired",
                "Your session has ended",
                "Sign in again: sessions end after a time without activity and after a "
                "working day.",
            )
        return HttpResponseRedirect(_sign_in_url("web:login", request.get_full_path()))

    def _end_if_disabled(self, request: HttpRequest) -> None:
        user = User.objects.filter(pk=request.session[SESSION_KEY]).first()
        with transaction.atomic():
            if user is not None and not user.is_active:
                audit.write(
                    None,
                    "auth:session:ended:disabled",
                    user,
                    outcome=Outcome.DENIED,
                )
            request.session.flush()


class TwoFactorRequiredMiddleware:
    """Sends a signed-in user who has not yet given their code to the second step.

    Only the sign-in steps, sign-out, the health check and static files are open to them; the
    API answers 401 with a problem document instead of a redirect.
    """

    OPEN_URL_NAMES = ("web:login", "web:logout", "web:otp", "web:otp_setup", "web:healthz")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and not is_verified(request) and not self._open(request):
            if request.path_info.startswith(API_PREFIX):
                return problem(
                    401,
                    "urn:safehub:problem:second-factor-required",
                    "Enter your code first",
                    "Finish signing in with the code from your authenticator app.",
                )
            return HttpResponseRedirect(_sign_in_url("web:otp", request.get_full_path()))
        return self.get_response(request)

    def _open(self, request: HttpRequest) -> bool:
        path = request.path_info
        if path.startswith(settings.STATIC_URL):
            return True
        return any(path == reverse(name) for name in self.OPEN_URL_NAMES)


def reauthentication_needed(request: HttpRequest, max_age_minutes: int = 5) -> str | None:
    """The confirm-it-is-you URL when the last sign-in is too old for an export, else None."""
    if seconds_since_authentication(request) > max_age_minutes * 60:
        return _sign_in_url("web:reauthenticate", request.get_full_path())
    return None


def require_recent_authentication(
    max_age_minutes: int = 5,
) -> Callable[[V], V]:
    """Decorate a view that needs the person to have proved who they are in the last minutes.

    For exports and break-glass access: a stolen unlocked session is not enough. Someone whose
    last sign-in is older is sent to re-enter their password and code, then brought back.
    """

    def decorator(view: V) -> V:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if seconds_since_authentication(request) > max_age_minutes * 60:
                if request.path_info.startswith(API_PREFIX):
                    return problem(
                        401,
                        "urn:safehub:problem:reauthentication-required",
                        "Confirm it is you",
                        "Sign in again on the web page before doing this.",
                    )
                return HttpResponseRedirect(
                    _sign_in_url("web:reauthenticate", request.get_full_path())
                )
            return view(request, *args, **kwargs)

        return cast("V", wrapped)

    return decorator
