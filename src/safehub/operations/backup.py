"""Backups of everything Safehub keeps, and their restore into an empty database.

A backup is one folder, `safehub-backup-<UTC time>`, holding:

- `database.dump` (PostgreSQL: `pg_dump`'s custom format) or `database.sqlite3` (SQLite: the
  online backup API, consistent while the service runs);
- `snapshots.tar`: the analytics snapshots folder (published figures are read from these);
- `audit-checkpoints.jsonl`: the audit chain's signed checkpoints, kept outside the database;
- `manifest.json`: when, which engine, the row count of every table and a SHA-256 of each
  file, so a restore can prove it is whole.

Restore refuses a database that already holds Safehub's tables, checks every file against the
manifest first, and compares every table's row count after. The audit key
(`SAFEHUB_AUDIT_KEY`), field keys and pseudonym key are NOT in a backup: they are kept apart
from the data they protect (docs/backup.md).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import sqlite3
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, connections

from safehub.analytics.snapshot import snapshot_root

MANIFEST = "manifest.json"
PREFIX = "safehub-backup-"


class BackupError(Exception):
    """A backup could not be made, or a restore could not be done safely."""


@dataclass(frozen=True)
class Backup:
    path: Path
    engine: str
    tables: dict[str, int]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _engine() -> str:
    return "postgresql" if connection.vendor == "postgresql" else "sqlite"


def row_counts() -> dict[str, int]:
    """Rows in every table of the database, by table name."""
    with connection.cursor() as cursor:
        names = sorted(connection.introspection.table_names(cursor))
        counts = {}
        for name in names:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(name)}")  # noqa: S608 - names from the catalogue
            counts[name] = int(cursor.fetchone()[0])
    return counts


def _pg_args() -> tuple[list[str], dict[str, str] | None]:
    """Connection arguments for pg_dump/pg_restore, and an environment only for a password
    (never on the command line, where `ps` would show it)."""
    db = settings.DATABASES["default"]
    args = [f"--dbname={db['NAME']}"]
    for key, flag in (("HOST", "--host"), ("PORT", "--port"), ("USER", "--username")):
        if db.get(key):
            args.append(f"{flag}={db[key]}")
    env = {"PGPASSWORD": str(db["PASSWORD"])} if db.get("PASSWORD") else None
    return args, env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} is not installed: install the PostgreSQL client tools")
    return found


def _dump_database(folder: Path) -> str:
    if _engine() == "postgresql":
        target = folder / "database.dump"
        args, env = _pg_args()
        done = subprocess.run(  # noqa: S603 - fixed arguments, our own database
            [_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={target}", *args],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode:
            raise BackupError(f"pg_dump failed: {done.stderr.strip().splitlines()[-1:]}")
        return target.name
    target = folder / "database.sqlite3"
    connection.ensure_connection()
    source = connection.connection
    with sqlite3.connect(target) as copy:
        source.backup(copy)
    copy.close()
    return target.name


def _tar_snapshots(folder: Path) -> str:
    target = folder / "snapshots.tar"
    root = snapshot_root()
    with tarfile.open(target, "w") as tar:
        if root.exists():
            for child in sorted(root.iterdir()):
                tar.add(child, arcname=child.name)
    return target.name


def create(into: Path, *, now: dt.datetime | None = None) -> Backup:
    """Write a whole backup into a new folder under `into`; return it."""
    now = now or dt.datetime.now(dt.UTC)
    folder = into / f"{PREFIX}{now:%Y%m%dT%H%M%S%fZ}"
    into.mkdir(parents=True, exist_ok=True)
    folder.mkdir(mode=0o700)  # the whole case record: readable by the service account only
    try:
        tables = row_counts()
        files = [_dump_database(folder), _tar_snapshots(folder)]
        checkpoints = Path(settings.AUDIT_CHECKPOINT_FILE)
        if checkpoints.exists():
            shutil.copy2(checkpoints, folder / "audit-checkpoints.jsonl")
            files.append("audit-checkpoints.jsonl")
        manifest = {
            "format": 1,
            "created_at": now.isoformat(),
            "engine": _engine(),
            "tables": tables,
            "files": {name: _sha256(folder / name) for name in files},
        }
        (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
        for path in folder.iterdir():
            path.chmod(0o600)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return Backup(folder, _engine(), tables)


def prune(into: Path, *, keep: int) -> list[Path]:
    """Delete all but the newest `keep` backups under `into`; return what was deleted."""
    found = sorted(p for p in into.glob(f"{PREFIX}*") if (p / MANIFEST).exists())
    doomed = found[: max(len(found) - keep, 0)]
    for path in doomed:
        shutil.rmtree(path)
    return doomed


def _manifest(folder: Path) -> dict[str, Any]:
    path = folder / MANIFEST
    if not path.exists():
        raise BackupError(f"{folder} is not a Safehub backup: it has no {MANIFEST}")
    manifest: dict[str, Any] = json.loads(path.read_text())
    for name, digest in manifest["files"].items():
        if not (folder / name).exists():
            raise BackupError(f"the backup is incomplete: {name} is missing")
        if _sha256(folder / name) != digest:
            raise BackupError(f"the backup is damaged: {name} does not match its checksum")
    return manifest


def _require_empty() -> None:
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    if "django_migrations" in tables:
        raise BackupError(
            "the database already holds Safehub's tables: restore only into an empty database"
        )


def _restore_database(folder: Path, manifest: dict[str, Any]) -> None:
    if manifest["engine"] != _engine():
        raise BackupError(
            f"the backup is of a {manifest['engine']} database; this one is {_engine()}"
        )
    if _engine() == "postgresql":
        connections.close_all()
        args, env = _pg_args()
        done = subprocess.run(  # noqa: S603 - fixed arguments, our own database
            [
                _tool("pg_restore"),
                "--no-owner",
                "--exit-on-error",
                "--single-transaction",
                *args,
                str(folder / "database.dump"),
            ],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode:
            raise BackupError(f"pg_restore failed: {done.stderr.strip().splitlines()[-1:]}")
        return
    connection.ensure_connection()
    with sqlite3.connect(folder / "database.sqlite3") as source:
        source.backup(connection.connection)
    source.close()


def _restore_files(folder: Path) -> None:
    root = snapshot_root()
    root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(folder / "snapshots.tar") as tar:
        for member in tar.getmembers():
            if (root / member.name.split("/")[0]).exists():
                continue  # a snapshot is never overwritten: the one on disk is the same id
            tar.extract(member, root, filter="data")
    checkpoints = folder / "audit-checkpoints.jsonl"
    target = Path(settings.AUDIT_CHECKPOINT_FILE)
    if checkpoints.exists() and not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(checkpoints, target)


def restore(folder: Path) -> Backup:
    """Restore the backup in `folder` into this (empty) database and the snapshot folder."""
    manifest = _manifest(folder)
    _require_empty()
    _restore_database(folder, manifest)
    _restore_files(folder)
    tables = row_counts()
    expected: dict[str, int] = manifest["tables"]
    differ = {t: (n, tables.get(t)) for t, n in expected.items() if tables.get(t) != n}
    if differ:
        raise BackupError(f"restored row counts differ from the backup's: {differ}")
    return Backup(folder, str(manifest["engine"]), tables)
