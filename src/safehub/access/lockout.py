"""What django-axes records and logs about failed sign-ins: nothing that names a person.

Axes locks an account out by username. The username a person types may be a mistyped password
or their own name, so axes keeps only a keyed hash of it (stable, so the count still adds up)
and its log lines name the path and nothing else.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.crypto import salted_hmac

_SALT = "safehub.access.lockout"


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
