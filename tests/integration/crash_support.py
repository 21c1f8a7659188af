"""What the crash tests share: Safehub run as real processes against a database of their own.

A crash test cannot use the suite's test database: that lives in the test's transaction, and
what it checks is what another process left on disk. So each gets a database migrated once
per session (a file copied on SQLite, a database made from a template on PostgreSQL), and
runs `safehub` commands and the server as subprocesses with the demo settings pointed at it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from safehub import config
from tests.support.postgres_cluster import Cluster, NoPostgresError

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = "crash_template"


@dataclass(frozen=True)
class Database:
    """A migrated database another process can use, and the folder its files go in."""

    url: str
    var_dir: Path

    def env(self, **extra: str) -> dict[str, str]:
        """The environment for a `safehub` process on this database."""
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "safehub.settings.demo",
            "DATABASE_URL": self.url,
            "SAFEHUB_VAR_DIR": str(self.var_dir),
            "SAFEHUB_RUN_TASKS": "false",
            "SAFEHUB_LOG_LEVEL": "WARNING",
            "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
            "PYTHONWARNINGS": "ignore",
            **extra,
        }

    def run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        """`safehub ARGS` on this database, to the end."""
        return subprocess.run(  # noqa: S603 - our own interpreter and command
            [sys.executable, "-m", "safehub.cli", *args],
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            cwd=ROOT,
        )

    def python(self, code: str, timeout: float = 120) -> object:
        """Run `code` in `safehub shell` on this database; what it prints, read as JSON."""
        done = self.run("shell", "--no-imports", "-c", code, timeout=timeout)
        assert done.returncode == 0, done.stderr[-3000:]
        return json.loads(done.stdout.strip().splitlines()[-1])


def private_cluster() -> Iterator[Cluster]:
    """A PostgreSQL cluster of the test's own on a free port, never the shared server.

    PostgreSQL-only: skipped in the SQLite run, and failed rather than skipped in the
    PostgreSQL run when no PostgreSQL programs are installed and SAFEHUB_REQUIRE_POSTGRES=1.
    """
    if config.get("SAFEHUB_TEST_DATABASE") != "postgres":
        pytest.skip("PostgreSQL only: runs in the PostgreSQL suite")
    try:
        cluster = Cluster()
    except NoPostgresError as error:
        if config.get_bool("SAFEHUB_REQUIRE_POSTGRES"):
            pytest.fail(f"{error} and SAFEHUB_REQUIRE_POSTGRES=1")
        pytest.skip(str(error))
    with cluster:
        yield cluster


class Templates:
    """Migrated databases to copy: migrating takes far longer than copying."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.sqlite: Path | None = None
        self.clusters: set[Path] = set()  # clusters holding a migrated template database

    def new_sqlite(self, name: str) -> Database:
        if self.sqlite is None:
            template = self.folder / "template.sqlite3"
            migrate(Database(f"sqlite:///{template}", self.folder / "template-var"))
            self.sqlite = template
        var_dir = self.folder / name
        var_dir.mkdir()
        shutil.copyfile(self.sqlite, var_dir / "db.sqlite3")
        return Database(f"sqlite:///{var_dir / 'db.sqlite3'}", var_dir)

    def new_postgres(self, cluster: Cluster, name: str) -> Database:
        if cluster.root not in self.clusters:
            url = cluster.create_database(TEMPLATE)
            migrate(Database(url, self.folder / "template-var"))
            self.clusters.add(cluster.root)
        var_dir = self.folder / name
        var_dir.mkdir()
        return Database(cluster.create_database(name, template=TEMPLATE), var_dir)


def migrate(database: Database) -> None:
    database.var_dir.mkdir(parents=True, exist_ok=True)
    done = database.run("migrate", "--verbosity=0", timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]


# The setup of an agency and a hub practitioner who imports and records referrals.
HUB_PRACTITIONER = """
import json
from safehub.access.models import Agency, AgencyType, Role, User
hub, _ = Agency.objects.get_or_create(
    name="Children's Services – Exploitation Hub",
    defaults={"agency_type": AgencyType.CHILDRENS_SERVICES},
)
user = User.objects.filter(username="worker").first()
if user is None:
    user = User.objects.create_user(
        "worker", password="not-used-in-tests-0", role=Role.HUB_PRACTITIONER, agency=hub
    )
print(json.dumps({"user": user.pk}))
"""
