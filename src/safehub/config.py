"""Every environment variable Safehub reads, declared once with its help text.

Settings, the CLI and the test harness read the environment only through `get()`, so this
table is the whole configuration surface. `safehub config` prints it and a test checks that
the README lists every name.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Variable:
    name: str
    default: str
    help: str


VARIABLES: tuple[Variable, ...] = (
    Variable(
        "DJANGO_SETTINGS_MODULE",
        "safehub.settings.production",
        "Settings profile: `safehub.settings.production` (default), `safehub.settings.demo` "
        "(what `make demo` uses) or `safehub.settings.test` (what the test suite uses).",
    ),
    Variable(
        "DATABASE_URL",
        "",
        "Database as a URL: `postgres://user@host:5432/name` or `sqlite:////abs/path.sqlite3`. "
        "Empty means the embedded SQLite file `SAFEHUB_VAR_DIR/safehub.sqlite3`.",
    ),
    Variable(
        "SAFEHUB_VAR_DIR",
        str(REPO_ROOT / "var"),
        "Directory for the embedded database, collected static files and snapshots.",
    ),
    Variable(
        "SAFEHUB_SECRET_KEY",
        "",
        "Django secret key (50+ random characters). Required in production; the demo and "
        "test profiles use a fixed placeholder that production refuses.",
    ),
    Variable(
        "SAFEHUB_FIELD_KEYS",
        "",
        "Comma-separated Fernet keys for the encrypted narratives and case notes, newest "
        "first: the first encrypts, all decrypt. Required in production; the demo and test "
        "profiles use a fixed placeholder that production refuses. `safehub keys generate` "
        "makes a key; `docs/keys.md` is the rotation procedure.",
    ),
    Variable(
        "SAFEHUB_ALLOWED_HOSTS",
        "localhost,127.0.0.1",
        "Comma-separated host names the site answers to.",
    ),
    Variable(
        "SAFEHUB_CSRF_TRUSTED_ORIGINS",
        "",
        "Comma-separated origins (`https://hub.example.gov.uk`) trusted for form posts behind "
        "a proxy.",
    ),
    Variable(
        "SAFEHUB_BEHIND_TLS_PROXY",
        "true",
        "`true` when a TLS-terminating proxy sets `X-Forwarded-Proto`; enables HSTS and "
        "HTTPS redirects in production.",
    ),
    Variable("SAFEHUB_HOST", "127.0.0.1", "Address `safehub serve` binds to."),
    Variable("PORT", "8000", "Port `safehub serve` (and `make demo`) listens on."),
    Variable("SAFEHUB_WORKERS", "2", "Number of gunicorn worker processes for `safehub serve`."),
    Variable("SAFEHUB_LOG_LEVEL", "INFO", "Log level for Safehub's own loggers."),
    Variable(
        "SAFEHUB_SESSION_IDLE_MINUTES",
        "30",
        "Minutes without a request after which a signed-in session ends (idle timeout).",
    ),
    Variable(
        "SAFEHUB_SESSION_ABSOLUTE_HOURS",
        "10",
        "Hours after signing in at which a session ends however active it is (absolute timeout).",
    ),
    Variable(
        "SAFEHUB_CASELOAD_SOFT_LIMIT",
        "12",
        "Open episodes a worker may hold before the manager's caseload view marks them over "
        "their limit (a soft limit: allocation is not refused).",
    ),
    Variable(
        "SAFEHUB_SIGN_OFF",
        "no_further_action,override,closure",
        "Comma-separated kinds of decision that wait for a hub manager's approval before they "
        "take effect: `no_further_action` (on a medium- or high-risk screening), `override` "
        "(of the screening tool's level), `closure` (of an episode). Empty: none do.",
    ),
    Variable(
        "SAFEHUB_DEMO_PASSWORD",
        "hub-demo-password-2026",
        "Password given to the demo users when `safehub demo` first creates them.",
    ),
    Variable(
        "SAFEHUB_TEST_DATABASE",
        "sqlite",
        "Engine the integration tests run on: `sqlite` or `postgres`.",
    ),
    Variable(
        "SAFEHUB_TEST_POSTGRES_URL",
        "postgres://postgres@127.0.0.1:5432/safehub",
        "PostgreSQL server for tests; the suite creates and drops `test_<name>` on it.",
    ),
    Variable(
        "SAFEHUB_REQUIRE_POSTGRES",
        "0",
        "`1` makes PostgreSQL tests fail, not skip, when the server is unreachable (CI sets it).",
    ),
    Variable(
        "SAFEHUB_REQUIRE_BROWSER",
        "0",
        "`1` makes browser tests fail, not skip, when Chromium is missing (CI sets it).",
    ),
    Variable(
        "SAFEHUB_REQUIRE_SPARK",
        "0",
        "`1` makes the Spark parity test fail, not skip, when Java or PySpark is missing "
        "(CI sets it).",
    ),
    Variable("SAFEHUB_CHROMIUM", "/usr/bin/chromium", "Chromium binary the browser tests drive."),
    Variable(
        "SAFEHUB_BACKUP_DIR",
        "",
        "Folder `safehub backup` writes into. Empty means `SAFEHUB_VAR_DIR/backups`. Put it on "
        "other storage than the database's.",
    ),
    Variable(
        "SAFEHUB_SNAPSHOT_DIR",
        "",
        "Directory holding analytics snapshots, one folder per snapshot id, never overwritten. "
        "Empty means `SAFEHUB_VAR_DIR/snapshots`.",
    ),
    Variable(
        "SAFEHUB_PSEUDONYM_KEY",
        "insecure-pseudonym-key-for-demo-and-tests-only",
        "Secret key (32+ random characters) for the keyed HMAC-SHA256 pseudonyms in snapshots. "
        "Outside the demo and test profiles the placeholder is refused. Keep it stable: a new "
        "key gives every child a new pseudonym.",
    ),
    Variable(
        "SAFEHUB_AUDIT_KEY",
        "",
        "Secret key (32+ random characters) for the keyed HMAC-SHA256 chain over the audit "
        "trail and its signed checkpoints; kept outside the database, so whoever can edit the "
        "database cannot rewrite the chain. Required in production; the demo and test "
        "profiles use a fixed placeholder that production refuses. Keep it stable: "
        "`safehub audit verify` checks every past event with it (`docs/audit.md`).",
    ),
    Variable(
        "SAFEHUB_AUDIT_CHECKPOINT_FILE",
        "",
        "Append-only file the signed checkpoints of the audit chain's head are added to, one "
        "JSON line each; put it outside the database's host or ship it off (syslog, backup). "
        "Empty means `SAFEHUB_VAR_DIR/audit-checkpoints.jsonl`.",
    ),
    Variable(
        "SAFEHUB_AUDIT_CHECKPOINT_MINUTES",
        "10",
        "A checkpoint is written automatically when the chain has grown and the last one is "
        "older than this many minutes (`0` writes one after every sealing).",
    ),
    Variable(
        "SAFEHUB_AUDIT_SEAL_SECONDS",
        "1",
        "Each server process seals the audit chain after a commit at most once in this many "
        "seconds, and the task runner seals what is left as often; `0` seals after every "
        "commit.",
    ),
    Variable(
        "SAFEHUB_SITE_URL",
        "http://127.0.0.1:8000",
        "The address people reach Safehub at, without a trailing slash: the links in "
        "notification emails start with it.",
    ),
    Variable(
        "SAFEHUB_EMAIL_HOST",
        "",
        "SMTP server notification emails are sent through. Empty means no email is sent (the "
        "in-app notifications still are); the demo prints emails to the console instead.",
    ),
    Variable("SAFEHUB_EMAIL_PORT", "25", "Port of the SMTP server."),
    Variable(
        "SAFEHUB_EMAIL_USE_TLS",
        "false",
        "`true` to upgrade the SMTP connection with STARTTLS (usually with port 587).",
    ),
    Variable("SAFEHUB_EMAIL_HOST_USER", "", "User name for the SMTP server; empty: no sign-in."),
    Variable("SAFEHUB_EMAIL_HOST_PASSWORD", "", "Password for the SMTP server's user."),
    Variable(
        "SAFEHUB_EMAIL_FROM",
        "Safehub <safehub@localhost>",
        "The From address of notification emails.",
    ),
    Variable(
        "SAFEHUB_RUN_TASKS",
        "true",
        "`true` makes `safehub serve` (and so `make demo`) also start the task runner: the "
        "scheduler of periodic checks and a worker (`safehub tasks`). Set `false` where the "
        "task runner is run as a service of its own.",
    ),
    Variable(
        "SAFEHUB_SCHEDULER_SECONDS",
        "60",
        "How often, in seconds, the scheduler looks for periodic checks that are due.",
    ),
)

_BY_NAME = {v.name: v for v in VARIABLES}


def get(name: str) -> str:
    """The variable's value from the environment, or its declared default."""
    variable = _BY_NAME[name]  # KeyError: a variable must be declared before it is read
    return os.environ.get(name, variable.default)


def get_bool(name: str) -> bool:
    return get(name).strip().lower() in {"1", "true", "yes", "on"}


def get_list(name: str) -> list[str]:
    return [item.strip() for item in get(name).split(",") if item.strip()]


def markdown_table() -> str:
    """The configuration table as it appears in the README."""
    rows = ["| variable | default | what it does |", "|---|---|---|"]
    for v in VARIABLES:
        default = f"`{v.default}`" if v.default else "(empty)"
        if v.name == "SAFEHUB_VAR_DIR":
            default = "`var/` in the checkout"
        rows.append(f"| `{v.name}` | {default} | {v.help} |")
    return "\n".join(rows)
