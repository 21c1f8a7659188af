"""`make test`'s PostgreSQL suite on a machine with no server: a throwaway one is started for
the run, pointed at by SAFEHUB_TEST_POSTGRES_URL, and stopped and deleted after, whatever
the run's outcome. Engine-agnostic: it starts its own server either way."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.support.postgres_cluster import OWNER_FILE, PREFIX, answers, free_port, programs

ROOT = Path(__file__).resolve().parents[2]
# Run as the command: where it connects, and whose pg_dump comes first on PATH.
PROBE = """
import os, shutil, sys, psycopg
url = os.environ["SAFEHUB_TEST_POSTGRES_URL"]
server = url.replace("postgres://", "postgresql://").rsplit("/", 1)[0]
with psycopg.connect(server + "/postgres") as c:
    version = c.execute("SHOW server_version_num").fetchone()[0]
print(url, shutil.which("pg_dump"), version)
sys.exit(int(os.environ["PROBE_EXIT"]))
"""


def _run(exit_code: int) -> tuple[subprocess.CompletedProcess[str], int, str]:
    unreachable = f"postgres://postgres@127.0.0.1:{free_port()}/safehub_probe"
    env = {**os.environ, "SAFEHUB_TEST_POSTGRES_URL": unreachable, "PROBE_EXIT": str(exit_code)}
    with subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "tests.support.postgres_cluster", "--", sys.executable, "-c", PROBE],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as wrapper:
        out, err = wrapper.communicate(timeout=300)
    done = subprocess.CompletedProcess(wrapper.args, wrapper.returncode, out, err)
    return done, wrapper.pid, unreachable


def _left_behind(pid: int) -> list[Path]:
    return [
        owner.parent
        for owner in Path(tempfile.gettempdir()).glob(f"{PREFIX}*/{OWNER_FILE}")
        if owner.read_text().strip() == str(pid)
    ]


def test_the_run_gets_a_throwaway_server_deleted_after() -> None:
    done, pid, unreachable = _run(0)
    assert done.returncode == 0, done.stderr
    url, pg_dump, version = done.stdout.split()
    assert url != unreachable
    assert url.startswith("postgres://postgres@127.0.0.1:")
    assert url.endswith("/safehub_probe")  # the database name asked for is kept
    # The backup tests' pg_dump is the server's own version, first on PATH.
    assert Path(pg_dump).parent == programs() or PREFIX in pg_dump
    assert int(version) >= 150000
    assert "running on a throwaway one" in done.stderr
    assert answers(url) is not None  # stopped
    assert _left_behind(pid) == []  # and deleted


def test_a_failing_run_fails_and_still_deletes_its_server() -> None:
    done, pid, _ = _run(3)
    assert done.returncode == 3
    url = done.stdout.split()[0]
    assert answers(url) is not None
    assert _left_behind(pid) == []
