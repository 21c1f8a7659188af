"""Login, logout and failed logins go into the audit trail.

Django sends these signals inside the login view, which runs in the request's transaction, so
each event commits with the session change it records.
"""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from safehub.access import sessions
from safehub.audit import services as audit
from safehub.audit.models import Outcome


@receiver(user_logged_in)
def audit_login(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    audit.write(user, "auth:login", user)
    sessions.start(request)


@receiver(user_logged_out)
def audit_logout(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit.write(user, "auth:logout", user)


@receiver(user_login_failed)
def audit_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # The username typed is not stored: it may be a mistyped password or a person's name.
    # When it names a real account, the account's id is recorded instead.
    username = credentials.get("username", "")
    account = get_user_model().objects.filter(username=username).only("pk").first()
    audit.write(
        None,
        "auth:login:failed",
        object_type="access.user" if account else "",
        object_id=str(account.pk) if account else "",
        outcome=Outcome.FAILURE,
    )


@receiver(user_locked_out)
def audit_lockout(sender: Any, request: HttpRequest, **kwargs: Any) -> None:
    # Sent by django-axes for the attempt that locks the account and each one made while it is
    # locked. Like a failed sign-in, it names the account by id only.
    credentials = getattr(request, "axes_credentials", None) or {}
    username = credentials.get("username") or request.POST.get("username", "")
    account = get_user_model().objects.filter(username=username).only("pk").first()
    audit.write(
        None,
        "auth:lockout",
        object_type="access.user" if account else "",
        object_id=str(account.pk) if account else "",
        outcome=Outcome.DENIED,
    )
