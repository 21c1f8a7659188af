"""What every profile shares. Values come from `safehub.config`, the one environment reader."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import dj_database_url
import django_stubs_ext
from whitenoise.compress import Compressor

from safehub import config

# Lets Django's generic classes be subscripted at run time (ModelAdmin[User]), as typed.
django_stubs_ext.monkeypatch()

VAR_DIR = Path(config.get("SAFEHUB_VAR_DIR"))

PLACEHOLDER_SECRET_KEY = "insecure-placeholder-for-demo-and-tests-only"  # noqa: S105

SECRET_KEY = config.get("SAFEHUB_SECRET_KEY")

# Field encryption (safehub.crypto): Fernet keys, newest first, never stored in the database.
# The placeholder is base64 of "insecure-field-key-demo-and-test"; production refuses it.
PLACEHOLDER_FIELD_KEY = "aW5zZWN1cmUtZmllbGQta2V5LWRlbW8tYW5kLXRlc3Q="
FIELD_ENCRYPTION_KEYS = config.get_list("SAFEHUB_FIELD_KEYS")

# The audit chain's HMAC key (safehub.audit.chain), never stored in the database.
PLACEHOLDER_AUDIT_KEY = "insecure-audit-key-for-demo-and-tests-only"
AUDIT_KEY = config.get("SAFEHUB_AUDIT_KEY")
AUDIT_CHECKPOINT_FILE = Path(
    config.get("SAFEHUB_AUDIT_CHECKPOINT_FILE") or VAR_DIR / "audit-checkpoints.jsonl"
)
AUDIT_CHECKPOINT_MINUTES = int(config.get("SAFEHUB_AUDIT_CHECKPOINT_MINUTES"))
AUDIT_SEAL_SECONDS = float(config.get("SAFEHUB_AUDIT_SEAL_SECONDS"))
DEBUG = False
ALLOWED_HOSTS = config.get_list("SAFEHUB_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = config.get_list("SAFEHUB_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "safehub.web",
    "safehub.govuk",
    "safehub.access",
    "safehub.audit",
    "safehub.crypto",
    "safehub.geo",
    "safehub.people",
    "safehub.matching",
    "safehub.referrals",
    "safehub.episodes",
    "safehub.flags",
    "safehub.scrutiny",
    "safehub.intelligence",
    "safehub.partnership",
    "safehub.meetings",
    "safehub.interchange",
    "safehub.triage",
    "safehub.casefile",
    "safehub.duplicates",
    "safehub.analytics",
    "safehub.reports",
    "safehub.demo",
    "safehub.operations",
    "safehub.notifications",
    "safehub.awareness",
    "django_tasks",
    "django_tasks_db",
    "simple_history",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "ninja",  # serves the API docs' Swagger UI from the package, not a CDN
    "safehub.access.admin_apps.SafehubAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "safehub.audit.middleware.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "safehub.access.sessions.SessionTimeoutMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "safehub.access.sessions.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "safehub.web.middleware.ContentSecurityPolicyMiddleware",
    "safehub.access.middleware.AccessDeniedMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into our lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "safehub.urls"
WSGI_APPLICATION = "safehub.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "safehub.web.context_processors.service",
                "safehub.notifications.context_processors.unread",
            ],
        },
    },
    {
        # The busiest pages' longest tables (safehub.govuk.jinja), from each app's jinja2/.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "NAME": "jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"environment": "safehub.govuk.jinja.environment"},
    },
]


def database_from_url(url: str) -> dict[str, object]:
    """A Django DATABASES entry from a URL; empty means the embedded SQLite file."""
    if not url:
        url = f"sqlite:///{VAR_DIR / 'safehub.sqlite3'}"
    if url.startswith("sqlite:///"):
        # The embedded database's folder is made on first use, so a fresh clone just works.
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    db: dict[str, object] = dict(dj_database_url.parse(url, conn_max_age=60))
    # One request is one transaction: a failed request leaves nothing half-written, and an
    # audit event commits with the action it records.
    db["ATOMIC_REQUESTS"] = True
    if db["ENGINE"] == "django.db.backends.sqlite3":
        db["CONN_MAX_AGE"] = 0
        # WAL lets readers carry on while one gunicorn worker writes; a busy timeout
        # queues writers instead of failing them.
        db["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA foreign_keys=ON;",
        }
    return db


DATABASES = {"default": database_from_url(config.get("DATABASE_URL"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "access.User"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

# django-axes first: it refuses a locked-out account before its password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "safehub.access.backends.UserAndAgencyBackend",
]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sessions end when the browser closes, after SAFEHUB_SESSION_IDLE_MINUTES without a request
# and SAFEHUB_SESSION_ABSOLUTE_HOURS after signing in (enforced by
# safehub.access.sessions.SessionTimeoutMiddleware; the cookie age is only a backstop).
SAFEHUB_SESSION_IDLE_TIMEOUT = dt.timedelta(minutes=int(config.get("SAFEHUB_SESSION_IDLE_MINUTES")))
SAFEHUB_SESSION_ABSOLUTE_TIMEOUT = dt.timedelta(
    hours=int(config.get("SAFEHUB_SESSION_ABSOLUTE_HOURS"))
)
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = int(SAFEHUB_SESSION_ABSOLUTE_TIMEOUT.total_seconds())
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_NAME = "safehub_session"
CSRF_COOKIE_NAME = "safehub_csrftoken"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Two-factor sign-in (django-otp): a TOTP authenticator app for every role in
# safehub.access.policy.TWO_FACTOR_ROLES. Wrong codes slow the next attempt down
# exponentially (1 s, 2 s, 4 s …): django-otp's throttling, switched on explicitly here.
OTP_TOTP_ISSUER = "Safehub"
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_TOTP_SYNC = True
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Lockout (django-axes), in safehub.access.lockout: by username and address (5), by address
# (20, across usernames) and by username (10, across addresses), each for fifteen minutes from
# the failure that set it; a known device (signed cookie after a two-factor sign-in) gets past
# the last two, which strangers can drive. A successful sign-in clears that username's count
# from that address.
AXES_ENABLED = True
AXES_HANDLER = "safehub.access.lockout.LockoutHandler"
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address", "username"]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_CALLABLE = "safehub.web.auth_views.locked_out"
# Nothing personal in logs or axes' tables: usernames are stored as a keyed hash, log lines
# name only the path, the typed username is masked in the stored form data, and successful
# sign-ins are in our audit trail rather than a second access log.
AXES_VERBOSE = False
AXES_USERNAME_CALLABLE = "safehub.access.lockout.hashed_username"
AXES_CLIENT_STR_CALLABLE = "safehub.access.lockout.client_str"
AXES_SENSITIVE_PARAMETERS = ["username", "password", "otp_token"]
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ADMIN = False

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "safehub.web.storage.CompressedOnceStorage"},
}
# Source maps are fetched only by a browser's developer tools, so they are served as they are:
# compressing the API docs' maps (twice, hashed name and plain) was over half of collectstatic.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "map")

LOG_LEVEL = config.get("SAFEHUB_LOG_LEVEL").upper()

# Team management (docs/triage.md): the caseload soft limit, and what needs a manager's sign-off.
SAFEHUB_CASELOAD_SOFT_LIMIT = int(config.get("SAFEHUB_CASELOAD_SOFT_LIMIT"))
SAFEHUB_SIGN_OFF = frozenset(config.get_list("SAFEHUB_SIGN_OFF"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "safehub.audit.context.RequestIdLogFilter"}},
    "formatters": {
        "plain": {
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_id"],
        },
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"safehub": {"level": LOG_LEVEL, "propagate": True}},
}

# Notifications by email (safehub.notifications): SMTP when a host is configured, else none.
SAFEHUB_SITE_URL = config.get("SAFEHUB_SITE_URL").rstrip("/")
EMAIL_HOST = config.get("SAFEHUB_EMAIL_HOST")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.dummy.EmailBackend"
)
EMAIL_PORT = int(config.get("SAFEHUB_EMAIL_PORT"))
EMAIL_USE_TLS = config.get_bool("SAFEHUB_EMAIL_USE_TLS")
EMAIL_HOST_USER = config.get("SAFEHUB_EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = config.get("SAFEHUB_EMAIL_HOST_PASSWORD")
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = config.get("SAFEHUB_EMAIL_FROM")

# The task runner (django-tasks with its database backend): a queued task is a row, so work
# survives restarts, on SQLite and PostgreSQL alike (docs/notifications.md).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# Modules whose `@periodic` checks the scheduler runs (safehub.notifications.schedule).
SAFEHUB_CHECK_MODULES: tuple[str, ...] = (
    "safehub.notifications.checks",
    "safehub.partnership.checks",
    "safehub.duplicates.checks",
    "safehub.meetings.checks",
    "safehub.scrutiny.checks",
)
SAFEHUB_SCHEDULER_SECONDS = int(config.get("SAFEHUB_SCHEDULER_SECONDS"))

SAFEHUB_PHASE = "alpha"
SAFEHUB_DEMO = False
