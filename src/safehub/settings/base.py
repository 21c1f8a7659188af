"""What every profile shares. Values come from `safehub.config`, the one environment reader."""

from __future__ import annotations

from pathlib import Path

import dj_database_url
import django_stubs_ext

from safehub import config

# Lets Django's generic classes be subscripted at run time (ModelAdmin[User]), as typed.
django_stubs_ext.monkeypatch()

PACKAGE_DIR = Path(__file__).resolve().parents[1]
VAR_DIR = Path(config.get("SAFEHUB_VAR_DIR"))

PLACEHOLDER_SECRET_KEY = "insecure-placeholder-for-demo-and-tests-only"  # noqa: S105

SECRET_KEY = config.get("SAFEHUB_SECRET_KEY")
DEBUG = False
ALLOWED_HOSTS = config.get_list("SAFEHUB_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = config.get_list("SAFEHUB_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "safehub.web",
    "safehub.govuk",
    "safehub.access",
    "safehub.audit",
    "safehub.geo",
    "safehub.people",
    "safehub.referrals",
    "safehub.episodes",
    "safehub.concerns",
    "safehub.triage",
    "safehub.casefile",
    "safehub.demo",
    "simple_history",
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
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "safehub.access.middleware.AccessDeniedMiddleware",
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
            ],
        },
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

# Sessions end when the browser closes and after at most ten hours.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = 10 * 60 * 60
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

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

LOG_LEVEL = config.get("SAFEHUB_LOG_LEVEL").upper()
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

SAFEHUB_PHASE = "alpha"
SAFEHUB_DEMO = False
