"""Production: the default profile. Refuses to start with a missing or placeholder secret."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from safehub import config
from safehub.crypto.keys import parse as parse_field_keys
from safehub.settings.base import *  # noqa: F403
from safehub.settings.base import (
    AUDIT_KEY,
    FIELD_ENCRYPTION_KEYS,
    PLACEHOLDER_AUDIT_KEY,
    PLACEHOLDER_FIELD_KEY,
    PLACEHOLDER_SECRET_KEY,
    SECRET_KEY,
)

if not SECRET_KEY or SECRET_KEY == PLACEHOLDER_SECRET_KEY or len(SECRET_KEY) < 50:  # noqa: PLR2004
    raise ImproperlyConfigured(
        "SAFEHUB_SECRET_KEY must be set to 50 or more random characters in production "
        "(the demo and test placeholders are refused)."
    )

if PLACEHOLDER_FIELD_KEY in FIELD_ENCRYPTION_KEYS:
    raise ImproperlyConfigured(
        "SAFEHUB_FIELD_KEYS must not hold the demo and test placeholder key "
        "(`safehub keys generate` prints a new one)."
    )
parse_field_keys(FIELD_ENCRYPTION_KEYS)  # ImproperlyConfigured when empty or not Fernet keys

if AUDIT_KEY == PLACEHOLDER_AUDIT_KEY or len(AUDIT_KEY) < 32:  # noqa: PLR2004
    raise ImproperlyConfigured(
        "SAFEHUB_AUDIT_KEY must be set to 32 or more random characters in production "
        "(the demo and test placeholder is refused; `docs/audit.md`)."
    )

if config.get_bool("SAFEHUB_BEHIND_TLS_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = 63072000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
