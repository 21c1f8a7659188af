"""What the crash tests share: Safehub run as real processes against a database of their own.

A crash test cannot use the suite's test database: that lives in the test's transaction, and
what it checks is what another process left on disk. So each gets a copy of the test database
as the migrations left it, before any test ran (`Migrated`: a file copied on SQLite, a database
made from a template on PostgreSQL), and runs `safehub` commands and the server as subprocesses
with the demo settings pointed at it. The backup tests start their sites from the same copy.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from django.db.backends.base.base import BaseDatabaseWrapper

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


@dataclass(frozen=True)
class Migrated:
    """The suite's test database as every migration left it, copied before any test ran.

    Running the migrations takes tens of seconds of CPU; copying their result takes a moment.
    So they run once per engine per run (pytest-django's test database, conftest's
    `django_db_setup`), and a test that needs a migrated database of its own gets a copy:
    the file on SQLite, a template database on the test server on PostgreSQL.
    """

    sqlite: Path | None = None
    postgres: str | None = None  # the template database's URL

    @classmethod
    def capture(cls, connection: BaseDatabaseWrapper, folder: Path, server: str) -> Migrated:
        """Copy the test database `connection` has just migrated; `server` is the URL of any
        database on its PostgreSQL server."""
        if connection.vendor == "sqlite":
            target = folder / "migrated.sqlite3"
            connection.ensure_connection()
            with sqlite3.connect(target) as copy:
                connection.connection.backup(copy)
            copy.close()
            return cls(sqlite=target)
        name = f"{connection.settings_dict['NAME']}_migrated"
        source = connection.settings_dict["NAME"]
        connection.close()  # a template may have no other session
        with _admin(server) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]
            admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')  # type: ignore[arg-type]
        return cls(postgres=f"{server.rsplit('/', 1)[0]}/{name}")

    def drop(self) -> None:
        if self.postgres:
            with _admin(self.postgres) as admin:
                name = self.postgres.rsplit("/", 1)[1]
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]

    def copy_sqlite(self, target: Path) -> None:
        assert self.sqlite is not None, "a SQLite copy asked for in the PostgreSQL run"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.sqlite, target)

    def copy_postgres(self, name: str) -> str:
        """A new database `name` on the test server, migrated; its URL."""
        assert self.postgres is not None, "a PostgreSQL copy asked for in the SQLite run"
        template = self.postgres.rsplit("/", 1)[1]
        with _admin(self.postgres) as admin:
            admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')  # type: ignore[arg-type]
        return f"{self.postgres.rsplit('/', 1)[0]}/{name}"

    def restore_into(self, cluster: Cluster, url: str, folder: Path) -> None:
        """Load the migrated database into `url`, an empty database on another cluster, with
        that cluster's own pg_dump and pg_restore."""
        assert self.postgres is not None, "a PostgreSQL copy asked for in the SQLite run"
        dump = folder / "migrated.dump"
        source, target = _psycopg_url(self.postgres), _psycopg_url(url)
        restore = ["pg_restore", "--no-owner", "--exit-on-error", "--single-transaction"]
        for argv in (
            ["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", f"--dbname={source}"],
            [*restore, f"--dbname={target}", str(dump)],
        ):
            done = subprocess.run(  # noqa: S603 - PostgreSQL's own programs, our arguments
                [str(cluster.bin / argv[0]), *argv[1:]],
                capture_output=True,
                text=True,
                check=False,
                timeout=300,
            )
            assert done.returncode == 0, done.stderr[-3000:]


def _psycopg_url(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


def _admin(url: str) -> psycopg.Connection[tuple[object, ...]]:
    """An autocommit session on the `postgres` database of `url`'s server."""
    return psycopg.connect(_psycopg_url(url).rsplit("/", 1)[0] + "/postgres", autocommit=True)


class Templates:
    """Databases for one test module, each a copy of the migrated test database."""

    def __init__(self, folder: Path, migrated: Migrated) -> None:
        self.folder = folder
        self.migrated = migrated
        self.clusters: set[Path] = set()  # clusters holding the migrated template database

    def new_sqlite(self, name: str) -> Database:
        var_dir = self.folder / name
        var_dir.mkdir()
        self.migrated.copy_sqlite(var_dir / "db.sqlite3")
        return Database(f"sqlite:///{var_dir / 'db.sqlite3'}", var_dir)

    def new_postgres(self, cluster: Cluster, name: str) -> Database:
        if cluster.root not in self.clusters:
            url = cluster.create_database(TEMPLATE)
            self.migrated.restore_into(cluster, url, self.folder)
            self.clusters.add(cluster.root)
        var_dir = self.folder / name
        var_dir.mkdir()
        return Database(cluster.create_database(name, template=TEMPLATE), var_dir)


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
