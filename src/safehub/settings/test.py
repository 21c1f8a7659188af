"""Tests: SQLite or PostgreSQL chosen by SAFEHUB_TEST_DATABASE; a fast password hasher."""

from __future__ import annotations

from safehub import config
from safehub.settings.base import *  # noqa: F403
from safehub.settings.base import (
    PLACEHOLDER_AUDIT_KEY,
    PLACEHOLDER_FIELD_KEY,
    PLACEHOLDER_SECRET_KEY,
    VAR_DIR,
    database_from_url,
)

SECRET_KEY = PLACEHOLDER_SECRET_KEY
FIELD_ENCRYPTION_KEYS = [PLACEHOLDER_FIELD_KEY]
AUDIT_KEY = PLACEHOLDER_AUDIT_KEY
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "testserver"]
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False

_engine = config.get("SAFEHUB_TEST_DATABASE")
if _engine == "postgres":
    DATABASES = {"default": database_from_url(config.get("SAFEHUB_TEST_POSTGRES_URL"))}
elif _engine == "sqlite":
    DATABASES = {"default": database_from_url(f"sqlite:///{VAR_DIR / 'test.sqlite3'}")}
else:
    raise ValueError(f"SAFEHUB_TEST_DATABASE must be sqlite or postgres, not {_engine!r}")
# Checkpoints of the test databases' chains, apart from the demo's; the integration tests
# give each test a file of its own.
AUDIT_CHECKPOINT_FILE = VAR_DIR / f"test-audit-checkpoints-{_engine}.jsonl"
# Every commit seals, so a test sees its events in the chain at once; the throttle has its own
# test.
AUDIT_SEAL_SECONDS = 0.0

# Argon2 is deliberately slow; tests that are not about hashing use a fast hasher.
# tests/unit/test_settings.py proves production still hashes with Argon2.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve static files straight from the app folders, so tests need no collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Tests read sent emails from django.core.mail.outbox, unless a test starts an SMTP server.
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
