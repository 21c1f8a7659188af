"""Demo: the embedded SQLite database on this machine, served over plain HTTP on localhost."""

from __future__ import annotations

from safehub.settings.base import *  # noqa: F403
from safehub.settings.base import (
    AUDIT_KEY,
    EMAIL_HOST,
    FIELD_ENCRYPTION_KEYS,
    PLACEHOLDER_AUDIT_KEY,
    PLACEHOLDER_FIELD_KEY,
    PLACEHOLDER_SECRET_KEY,
    SECRET_KEY,
)

SECRET_KEY = SECRET_KEY or PLACEHOLDER_SECRET_KEY
FIELD_ENCRYPTION_KEYS = FIELD_ENCRYPTION_KEYS or [PLACEHOLDER_FIELD_KEY]
AUDIT_KEY = AUDIT_KEY or PLACEHOLDER_AUDIT_KEY
# The demo is served on http://127.0.0.1, so cookies cannot require HTTPS.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SAFEHUB_DEMO = True
# The demo prints notification emails to the console unless an SMTP host is configured.
if not EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
