"""`safehub backup` and `safehub restore`, end to end, on the engine this run is testing.

The demo is loaded into a database of its own (not the test database: restore needs an empty
one, and the commands run as separate processes as an operator would run them; it starts as a
copy of the migrated test database, so `safehub demo` finds nothing left to migrate), backed up,
and restored into a second, empty database with its own (empty) snapshot folder. The restored
database must hold every row, keep an intact audit chain, and give the same committee figures
from a fresh snapshot as the original's demo snapshot.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.db import connection

from safehub import config
from tests.integration.crash_support import Migrated

ROOT = Path(__file__).resolve().parents[2]
REPORT = ("committee", "--area", "Bradford South", "--as-of", "2017-03-31", "--format", "json")


def _safehub(
    env: dict[str, str], *args: str, check: bool = True
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(  # noqa: S603 - our own command, our own arguments
        [sys.executable, "-m", "safehub.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if check and done.returncode:
        pytest.fail(f"safehub {' '.join(args)} failed: {done.stderr[-2000:]}")
    return done


class Site:
    """One installation: its database and its var folder."""

    def __init__(self, var: Path, database_url: str) -> None:
        self.var = var
        self.env = {
            **os.environ,
            "PYTHONPATH": str(ROOT / "src"),
            "DJANGO_SETTINGS_MODULE": "safehub.settings.demo",
            "SAFEHUB_VAR_DIR": str(var),
            "DATABASE_URL": database_url,
        }

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return _safehub(self.env, *args, check=check)

    def figures(self, snapshot_id: str) -> dict[str, Any]:
        out = self.var / f"report-{snapshot_id}.json"
        self.run("report", *REPORT, "--snapshot", snapshot_id, "--out", str(out))
        report: dict[str, Any] = json.loads(out.read_text())
        report.pop("snapshot")  # which snapshot, when: the one thing that must differ
        return report

    def snapshots(self) -> list[str]:
        return sorted(p.name for p in (self.var / "snapshots").iterdir())


@pytest.fixture
def sites(engine: str, tmp_path: Path, migrated: Migrated) -> Iterator[tuple[Site, Site]]:
    """The original site's database is migrated (a copy of the test database as the
    migrations left it: running them again would take longer than all the rest); the site
    restored into starts empty."""
    original, restored = tmp_path / "original", tmp_path / "restored"
    if engine == "sqlite":
        migrated.copy_sqlite(original / "safehub.sqlite3")
        yield Site(original, ""), Site(restored, "")
        return
    server = config.get("SAFEHUB_TEST_POSTGRES_URL").replace("postgres://", "postgresql://", 1)
    base = server.rsplit("/", 1)[0]
    # Named after this run's test database, so runs sharing a server never drop each other's.
    test_database = connection.settings_dict["NAME"]
    names = (f"{test_database}_backup_original", f"{test_database}_backup_restored")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{names[1]}"')
    try:
        yield Site(original, migrated.copy_postgres(names[0])), Site(restored, f"{base}/{names[1]}")
    finally:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            for name in names:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_backup_restores_into_an_empty_database_whole(
    sites: tuple[Site, Site], tmp_path: Path
) -> None:
    original, restored = sites
    original.run("demo", "--no-serve")
    (published,) = original.snapshots()
    backups = tmp_path / "backups"
    made = original.run("backup", "--to", str(backups)).stdout
    (folder,) = backups.iterdir()
    assert f"Backup written to {folder}" in made
    assert oct(folder.stat().st_mode & 0o777) == "0o700"

    said = restored.run("restore", str(folder)).stdout
    assert "every count as backed up" in said
    verified = restored.run("audit", "verify").stdout
    assert "Audit trail intact" in verified
    assert "agrees with all 1 checkpoints" in verified
    # The snapshot folder came back too, and a new snapshot of the restored database gives
    # the same committee figures as the one published before the backup.
    assert restored.snapshots() == [published]
    restored.run("snapshot", "create")
    (fresh,) = set(restored.snapshots()) - {published}
    assert restored.figures(fresh) == original.figures(published)

    # A second restore over what is now a full database is refused, and changes nothing.
    again = restored.run("restore", str(folder), check=False)
    assert again.returncode == 1
    assert "restore only into an empty database" in again.stderr


def test_keep_prunes_older_backups_and_a_damaged_one_is_refused_before_any_write(
    sites: tuple[Site, Site], tmp_path: Path
) -> None:
    original, restored = sites
    original.run("migrate")
    backups = tmp_path / "backups"
    for _ in range(3):
        original.run("backup", "--to", str(backups), "--keep", "2")
    kept = sorted(backups.iterdir())
    assert len(kept) == 2

    snapshots = kept[-1] / "snapshots.tar"
    with snapshots.open("ab") as f:
        f.write(b"\0")
    refused = restored.run("restore", str(kept[-1]), check=False)
    assert refused.returncode == 1
    assert "the backup is damaged: snapshots.tar does not match its checksum" in refused.stderr
    assert not (restored.var / "snapshots").exists()
