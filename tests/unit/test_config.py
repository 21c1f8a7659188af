"""Configuration is declared once, read in one place, and documented in the README."""

from __future__ import annotations

import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from safehub import config
from safehub.audit.services import ACTION_TAG

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "safehub"


def test_readme_lists_every_variable() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [v.name for v in config.VARIABLES if f"| `{v.name}` |" not in readme]
    assert not missing, f"add these to the README's configuration table: {missing}"


def test_every_variable_read_is_declared() -> None:
    declared = {v.name for v in config.VARIABLES}
    read = set()
    for path in [*SRC.rglob("*.py"), *ROOT.joinpath("tests").rglob("*.py")]:
        read |= set(re.findall(r"config\.get(?:_bool|_list)?\(\s*\"([A-Z_]+)\"", path.read_text()))
    assert read <= declared
    assert read, "the scan found nothing: the pattern is wrong"


def test_only_config_reads_the_environment() -> None:
    # cli.py, wsgi.py and serve.py set DJANGO_SETTINGS_MODULE for Django; they do not read.
    allowed = {"config.py", "cli.py", "wsgi.py", "serve.py"}
    offenders = [
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if path.name not in allowed and re.search(r"os\.environ|getenv", path.read_text())
    ]
    assert offenders == []


def _production(env: dict[str, str], code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code],
        # Good field and audit keys, so each test meets only the refusal it is about.
        env={
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(ROOT / "src"),  # this checkout's code, not an installed copy
            "SAFEHUB_FIELD_KEYS": Fernet.generate_key().decode(),
            "SAFEHUB_AUDIT_KEY": secrets.token_urlsafe(32),
            **env,
        },
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize("key", ["", "insecure-placeholder-for-demo-and-tests-only", "short"])
def test_production_refuses_a_missing_or_placeholder_secret(key: str) -> None:
    result = _production({"SAFEHUB_SECRET_KEY": key}, "import safehub.settings.production")
    assert result.returncode != 0
    assert "SAFEHUB_SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize("key", ["", "insecure-audit-key-for-demo-and-tests-only", "short"])
def test_production_refuses_a_missing_or_placeholder_audit_key(key: str) -> None:
    env = {"SAFEHUB_SECRET_KEY": "k" * 60, "SAFEHUB_AUDIT_KEY": key}
    result = _production(env, "import safehub.settings.production")
    assert result.returncode != 0
    assert "SAFEHUB_AUDIT_KEY must be set" in result.stderr


def test_production_is_safe_by_default() -> None:
    code = (
        "import safehub.settings.production as s;"
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT,"
        " s.SECURE_HSTS_SECONDS > 0, s.PASSWORD_HASHERS[0].endswith('Argon2PasswordHasher'),"
        " s.DATABASES['default']['ENGINE'])"
    )
    result = _production({"SAFEHUB_SECRET_KEY": "k" * 60}, code)
    assert result.stdout.split() == [
        "False",
        "True",
        "True",
        "True",
        "True",
        "True",
        "django.db.backends.sqlite3",
    ]


def test_database_url_selects_postgresql() -> None:
    code = "import safehub.settings.production as s; print(s.DATABASES['default']['ENGINE'])"
    env = {"SAFEHUB_SECRET_KEY": "k" * 60, "DATABASE_URL": "postgres://u@db.example:5432/hub"}
    assert _production(env, code).stdout.strip() == "django.db.backends.postgresql"


@pytest.mark.parametrize(
    ("tag", "ok"),
    [
        ("auth:login:failed", True),
        ("episode:risk:changed", True),
        ("login", False),
        ("Auth:Login", False),
        ("auth:login failed for pat", False),
    ],
)
def test_audit_tags_are_hierarchical_identifiers(tag: str, ok: bool) -> None:
    assert bool(ACTION_TAG.match(tag)) is ok


def test_deployment_checklist_is_clean_under_production_settings(tmp_path: Path) -> None:
    result = subprocess.run(  # noqa: S603 - our own console script
        [
            str(Path(sys.executable).with_name("safehub")),
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
        ],
        env={
            "PATH": "/usr/bin:/bin",
            "SAFEHUB_SECRET_KEY": secrets.token_urlsafe(60),
            "SAFEHUB_FIELD_KEYS": Fernet.generate_key().decode(),
            "SAFEHUB_AUDIT_KEY": secrets.token_urlsafe(32),
            "PYTHONPATH": str(ROOT / "src"),
            "SAFEHUB_VAR_DIR": str(tmp_path),
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
