"""An import killed part-way (SIGKILL, as the OOM killer or a power cut would) and run again
leaves exactly what an import never interrupted leaves: nothing half-written in between.

The import runs as its own process on a database of its own, on the engine of this run
(SQLite or PostgreSQL; PostgreSQL on a private throwaway cluster). It is killed when its
progress line shows it has written part of the file, never after a guessed delay.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from safehub import config
from tests.integration.crash_support import (
    HUB_PRACTITIONER,
    ROOT,
    Database,
    Migrated,
    Templates,
)
from tests.integration.crash_support import private_cluster as _private_cluster
from tests.support.postgres_cluster import Cluster

pytestmark = pytest.mark.crash

ROWS = 6000  # more than the 5,000 at which the importer writes its first progress line
PART_WAY = f"children: 5,000 of {ROWS:,} written"
HEADER = (
    "external_reference,received_at,source,exploitation_types,concerns,given_name,"
    "family_name,date_of_birth,sex,ethnicity,ethnicity_source"
)

# Counts and a digest of what an import leaves, read back through Safehub's models (the
# concerns are encrypted: their stored bytes differ from one write to the next).
STATE = """
import hashlib, json
from safehub.audit.models import AuditEvent
from safehub.people.models import Child
from safehub.referrals.models import Referral
rows = sorted(
    "|".join(str(v) for v in (
        r.external_reference, r.received_at.isoformat(), r.source, ",".join(r.exploitation_types),
        r.concerns, r.child.given_name, r.child.family_name, r.child.date_of_birth, r.child.sex,
        r.child.ethnicity, r.child.ethnicity_source, r.recorded_by.username,
    ))
    for r in Referral.objects.select_related("child", "recorded_by")
)
actions = {}
for action in AuditEvent.objects.values_list("action", flat=True):
    actions[action] = actions.get(action, 0) + 1
print(json.dumps({
    "children": Child.objects.count(),
    "referrals": Referral.objects.count(),
    "child_history": Child.history.count(),
    "referral_history": Referral.history.count(),
    "audit_actions": actions,
    "digest": hashlib.sha256("\\n".join(rows).encode()).hexdigest(),
}))
"""


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory, migrated: Migrated) -> Templates:
    return Templates(tmp_path_factory.mktemp("crash-import"), migrated)


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster | None]:
    if config.get("SAFEHUB_TEST_DATABASE") != "postgres":
        yield None
        return
    yield from _private_cluster()


def _database(templates: Templates, cluster: Cluster | None, name: str) -> Database:
    if cluster is None:
        return templates.new_sqlite(name)
    return templates.new_postgres(cluster, name)


def _referrals_file(folder: Path) -> Path:
    """ROWS referrals, each about a child of its own (invented names), oldest first."""
    start = dt.datetime(2016, 4, 1, 9, 0, tzinfo=dt.UTC)
    lines = [HEADER]
    for n in range(ROWS):
        received = start + dt.timedelta(minutes=37 * n)
        born = dt.date(2002, 1, 1) + dt.timedelta(days=n % 2500)
        lines.append(
            f"CRASH-{n:05d},{received.isoformat()},6,cse;online,"
            f"Seen with older associates (row {n}).,Testa{n},Samplewell,{born},F,WBRI,"
            "self_identified"
        )
    path = folder / "referrals.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _import(database: Database, path: Path) -> subprocess.CompletedProcess[str]:
    return database.run("import", "referrals", str(path), "--as", "worker", timeout=300)


def _import_killed_part_way(database: Database, path: Path) -> list[str]:
    """Start the import, SIGKILL it at its first progress line; the lines it wrote."""
    seen: list[str] = []
    with subprocess.Popen(  # noqa: S603 - our own interpreter and command
        [sys.executable, "-m", "safehub.cli", "import", "referrals", str(path), "--as", "worker"],
        env=database.env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    ) as process:
        try:
            assert process.stderr is not None
            for line in process.stderr:
                seen.append(line.rstrip())
                if line.startswith(PART_WAY):
                    os.kill(process.pid, signal.SIGKILL)
                    break
        finally:
            if process.poll() is None:
                process.kill()
            process.wait(60)
    return seen


def test_an_import_killed_part_way_and_run_again_equals_one_never_interrupted(
    templates: Templates, cluster: Cluster | None, tmp_path: Path
) -> None:
    path = _referrals_file(tmp_path)
    killed = _database(templates, cluster, "killed")
    whole = _database(templates, cluster, "whole")
    for database in (killed, whole):
        database.python(HUB_PRACTITIONER)

    seen = _import_killed_part_way(killed, path)
    assert any(line.startswith(PART_WAY) for line in seen), seen
    assert killed.python(STATE)["referrals"] == 0  # type: ignore[index]

    again = _import(killed, path)
    assert again.returncode == 0, again.stderr[-2000:]
    assert f"Imported {ROWS} referrals" in again.stdout
    assert "0 already imported" in again.stdout
    uninterrupted = _import(whole, path)
    assert uninterrupted.returncode == 0, uninterrupted.stderr[-2000:]

    after_crash, never_interrupted = killed.python(STATE), whole.python(STATE)
    assert after_crash == never_interrupted
    assert never_interrupted["referrals"] == ROWS  # type: ignore[index]
    for database in (killed, whole):
        verified = database.run("audit", "verify")
        assert verified.returncode == 0, verified.stdout + verified.stderr
