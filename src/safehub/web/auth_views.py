"""The sign-in steps after the password: the code, setting up an app, and signing in again.

Step 1 is Django's LoginView (`views.SignInView`): username and password, with django-axes
locking an account out after repeated failures. Step 2 (`sign_in_code`) asks for the 6-digit
code; someone with no authenticator app yet sets one up first (`sign_in_set_up`). Until step 2
is done, `safehub.access.sessions.TwoFactorRequiredMiddleware` lets them reach nothing else.
`reauthenticate` asks for both again before exports and break-glass.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from safehub.access import lockout, two_factor
from safehub.access.models import User
from safehub.access.policy import needs_two_factor
from safehub.access.sessions import is_verified
from safehub.web.forms import CodeForm, ReauthenticateForm


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):  # LoginRequiredMiddleware has already sent visitors away
        raise TypeError("a signed-in user is required")
    return user


def _next(request: HttpRequest) -> str:
    """Where to go afterwards: the `next` address if it is on this site, else home."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _with_next(name: str, next_url: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


def _signed_in(request: HttpRequest, user: User) -> HttpResponse:
    """Both factors given: on to where they were going, and this browser is a known device
    (so a stranger guessing their username cannot lock them out of it)."""
    response = HttpResponseRedirect(_next(request))
    lockout.remember_device(request, response, user.get_username())
    return response


@never_cache
@sensitive_post_parameters("otp_token")
@require_http_methods(["GET", "POST"])
def sign_in_code(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not needs_two_factor(user) or is_verified(request):
        return HttpResponseRedirect(_next(request))
    if not two_factor.has_confirmed_device(user):
        return HttpResponseRedirect(_with_next("web:otp_setup", _next(request)))
    form = CodeForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        result = two_factor.verify_sign_in(request, user, form.code())
        if result.ok:
            return _signed_in(request, user)
        form.wrong_code(result.wait_seconds)
    return TemplateResponse(
        request, "web/sign_in_code.html", {"form": form, "next": _next(request)}
    )


@never_cache
@sensitive_post_parameters("otp_token")
@require_http_methods(["GET", "POST"])
def sign_in_set_up(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not needs_two_factor(user) or is_verified(request):
        return HttpResponseRedirect(_next(request))
    if two_factor.has_confirmed_device(user):
        return HttpResponseRedirect(_with_next("web:otp", _next(request)))
    form = CodeForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        result = two_factor.confirm_enrolment(request, user, form.code())
        if result.ok:
            return _signed_in(request, user)
        form.wrong_code(result.wait_seconds)
    device = two_factor.pending_device(user)
    return TemplateResponse(
        request,
        "web/sign_in_set_up.html",
        {
            "form": form,
            "next": _next(request),
            # segno's SVG holds only the drawing and the title we give it.
            "qr_code": mark_safe(two_factor.qr_code_svg(device)),  # noqa: S308
            "secret": two_factor.secret_in_groups(device),
        },
    )


@never_cache
@sensitive_post_parameters("password", "otp_token")
@require_http_methods(["GET", "POST"])
def reauthenticate(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    needs_code = needs_two_factor(user)
    form = ReauthenticateForm(
        request.POST if request.method == "POST" else None, needs_code=needs_code
    )
    if form.is_bound and form.is_valid():
        outcome = two_factor.reauthenticate(
            request,
            user,
            password=form.cleaned_data["password"],
            token=form.code() if needs_code else None,
        )
        if getattr(request, "axes_locked_out", False):
            # Too many wrong passwords: the account is locked, and this session ends with it.
            logout(request)
            return HttpResponseRedirect(reverse("web:login"))
        if outcome.ok:
            return HttpResponseRedirect(_next(request))
        if not outcome.password_ok:
            form.add_error("password", "Enter your correct password")
        else:
            form.wrong_code(outcome.code.wait_seconds)
    return TemplateResponse(
        request,
        "web/sign_in_confirm.html",
        {"form": form, "next": _next(request), "needs_code": needs_code},
    )


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the GOV.UK page shown instead of the sign-in form when locked,
    saying which lock it is (safehub.access.lockout)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    reason = lockout.LockoutHandler().lock_reason(request, credentials)
    return TemplateResponse(
        request,
        "web/locked_out.html",
        {"minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT, "reason": reason},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    ).render()
