"""Set up, serve, load, print, tear down: one self-contained load test (README.md)."""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg

from bench.load import cpu

ROOT = Path(__file__).resolve().parents[2]
LOCUSTFILE = Path(__file__).with_name("locustfile.py")
POSTGRES = "postgresql://postgres@127.0.0.1:5432"
# Another name (SAFEHUB_LOAD_DATABASE) runs a second set-up, say of older code, beside this one.
DATABASE = os.environ.get("SAFEHUB_LOAD_DATABASE", "safehub_load_bench")
# The four scenarios: 10 and 50 users, thinking 1-3 s between requests or not at all.
SCENARIOS = ((10, "1-3"), (50, "1-3"), (10, "0"), (50, "0"))


@dataclass(frozen=True)
class Scenario:
    users: int
    think: str
    time: str
    spawn_rate: float


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(engine: str, var_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="safehub.settings.demo",
        SAFEHUB_VAR_DIR=str(var_dir),
        SAFEHUB_RUN_TASKS="false",
        SAFEHUB_LOG_LEVEL="WARNING",
        PYTHONPATH=os.pathsep.join(
            filter(None, [str(ROOT / "src"), str(ROOT), env.get("PYTHONPATH")])
        ),
        DATABASE_URL=(
            f"{POSTGRES}/{DATABASE}".replace("postgresql://", "postgres://")
            if engine == "postgres"
            else f"sqlite:///{var_dir / 'load.sqlite3'}"
        ),
    )
    return env


def _postgres(sql: str) -> None:
    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as connection:
        connection.execute(sql)


def set_up(engine: str, var_dir: Path, accounts: int) -> tuple[dict[str, str], Path]:
    """A fresh demo database with the load accounts; the sample file for the locust file."""
    if engine == "postgres":
        _postgres(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        _postgres(f"CREATE DATABASE {DATABASE}")
    env = server_env(engine, var_dir)
    begin = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "safehub.cli", "demo", "--no-serve"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        cwd=ROOT,
    )
    sample = var_dir / "sample.json"
    subprocess.run(  # noqa: S603
        [sys.executable, "-m", "bench.load.prepare", "--accounts", str(accounts), "--out", sample],
        env=env,
        check=True,
        cwd=ROOT,
    )
    # Fresh planner statistics, as autovacuum (PostgreSQL) or `PRAGMA optimize` would leave
    # them on a server that has run for a while: the demo was just written in bulk.
    if engine == "postgres":
        with psycopg.connect(f"{POSTGRES}/{DATABASE}", autocommit=True) as connection:
            connection.execute("VACUUM ANALYZE")
    else:
        with sqlite3.connect(var_dir / "load.sqlite3") as connection:
            connection.execute("ANALYZE")
    print(f"set up ({engine}): {time.perf_counter() - begin:.0f} s", flush=True)
    return env, sample


@contextlib.contextmanager
def serving(
    env: dict[str, str], workers: int, worker_class: str, threads: int
) -> Iterator[tuple[str, int]]:
    """gunicorn on a free loopback port until the block ends: its address and process id."""
    port = free_port()
    argv = [
        sys.executable, "-m", "gunicorn", "safehub.wsgi:application",
        "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
        "--worker-class", worker_class, "--threads", str(threads),
        "--timeout", "120", "--log-level", "warning",
    ]  # fmt: skip
    server = subprocess.Popen(argv, env=env, cwd=ROOT)  # noqa: S603
    host = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{host}/healthz", timeout=2) as answer:  # noqa: S310
                    if answer.status == 200:
                        break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.3)
        yield host, server.pid
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


def _enough_accounts(sample: Path, users: int) -> None:
    """A sign-in code is accepted once: simulated users sharing an account are refused and
    stop, which quietly leaves fewer users than asked for (and the sign-ins in the figures)."""
    accounts = int(json.loads(sample.read_text(encoding="utf-8"))["accounts"])
    if accounts < users:
        raise SystemExit(
            f"{sample} has {accounts} accounts per role, fewer than {users} users: run "
            f"`python -m bench.load.prepare --accounts {users} --out {sample}` with the "
            "server's environment, or set up afresh"
        )


def _seconds(text: str) -> float:
    units = {"s": 1, "m": 60, "h": 3600}
    return float(text[:-1]) * units[text[-1]] if text[-1] in units else float(text)


def run_locust(  # noqa: PLR0913 - a scenario, and the processes to measure
    host: str, sample: Path, scenario: Scenario, out: Path, *, server_pid: int, database: str
) -> tuple[Path, str]:
    """Run one scenario; its stats file and a line of CPU per request (bench.load.cpu)."""
    prefix = out / f"u{scenario.users}-think{scenario.think}"
    history = Path(f"{prefix}_stats_history.csv")
    history.unlink(missing_ok=True)
    env = dict(os.environ, LOAD_SAMPLE=str(sample), LOAD_THINK=scenario.think)
    argv = [
        sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless",
        "--host", host, "--users", str(scenario.users),
        "--spawn-rate", str(scenario.spawn_rate), "--run-time", scenario.time,
        "--stop-timeout", "10", "--csv", str(prefix), "--csv-full-history", "--only-summary",
        "--loglevel", "WARNING",
    ]  # fmt: skip
    started = time.monotonic()
    locust = subprocess.Popen(  # noqa: S603
        argv,
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=(out / "locust.log").open("a", encoding="utf-8"),
    )
    # After every user has signed in (the figures restart then), and 2 s before the end.
    run = _seconds(scenario.time)
    first_at = min(scenario.users / scenario.spawn_rate + 10, run / 3)
    time.sleep(first_at)
    first = cpu.sample(server_pid, database, locust.pid, history)
    time.sleep(max(run - 2 - (time.monotonic() - started), 0))
    last = cpu.sample(server_pid, database, locust.pid, history)
    locust.wait()  # locust exits 1 when any request failed: the table says which
    line = "CPU per request: not measured" if not (first and last) else cpu.per_request(first, last)
    return Path(f"{prefix}_stats.csv"), line


def table(stats: Path, title: str) -> str:
    """One row per endpoint and the totals: requests, req/s, p50, p95, p99, errors."""
    with stats.open(encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    lines = [
        title,
        (
            f"{'endpoint':<30} {'requests':>9} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} "
            f"{'p99 ms':>7} {'errors':>7}"
        ),
    ]
    for row in sorted(rows, key=lambda r: (r["Name"] == "Aggregated", r["Name"])):
        if row["Request Count"] == "0":  # sign-ins, left out once everyone had signed in
            continue
        name = "TOTAL" if row["Name"] == "Aggregated" else f"{row['Type']} {row['Name']}"
        name = name.replace("GET GET ", "GET ").replace("POST POST ", "POST ")
        lines.append(
            f"{name[:30]:<30} {row['Request Count']:>9} {float(row['Requests/s']):>7.1f} "
            f"{row['50%']:>7} {row['95%']:>7} {row['99%']:>7} {row['Failure Count']:>7}"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__)
    parser.add_argument("command", choices=["run", "all"], help="one scenario, or the four")
    parser.add_argument("--engine", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--think", default="1-3", help="seconds between requests, or 0")
    parser.add_argument("--time", default="60s", help="how long each scenario runs")
    parser.add_argument("--spawn-rate", type=float, default=10, help="users started a second")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--worker-class", default="sync", help="gunicorn worker class")
    parser.add_argument("--threads", type=int, default=1, help="threads per gthread worker")
    parser.add_argument("--keep", action="store_true", help="keep the database and files")
    parser.add_argument(
        "--reuse", type=Path, help="a folder kept by --keep: skip the set-up, keep everything"
    )
    args = parser.parse_args()
    scenarios = (
        [Scenario(args.users, args.think, args.time, args.spawn_rate)]
        if args.command == "run"
        else [Scenario(u, t, args.time, args.spawn_rate) for u, t in SCENARIOS]
    )
    var_dir = args.reuse or Path(tempfile.mkdtemp(prefix="safehub-load-"))
    args.keep = args.keep or bool(args.reuse)
    try:
        if args.reuse:
            env, sample = server_env(args.engine, var_dir), var_dir / "sample.json"
            _enough_accounts(sample, max(s.users for s in scenarios))
        else:
            env, sample = set_up(args.engine, var_dir, max(s.users for s in scenarios))
        with serving(env, args.workers, args.worker_class, args.threads) as (host, pid):
            for scenario in scenarios:
                database = DATABASE if args.engine == "postgres" else "(none)"
                stats, cpu_line = run_locust(
                    host, sample, scenario, var_dir, server_pid=pid, database=database
                )
                think = "none" if scenario.think in {"0", "none"} else f"{scenario.think} s"
                print(
                    table(
                        stats,
                        f"\n{args.engine}, {args.workers} {args.worker_class} workers, "
                        f"{scenario.users} users, think time {think}, {scenario.time}:",
                    ),
                    flush=True,
                )
                print(cpu_line, flush=True)
        print(f"\nload average: {os.getloadavg()[0]:.2f} (1 min), {os.cpu_count()} cores")
    finally:
        if args.keep:
            database = f" and database {DATABASE}" if args.engine == "postgres" else ""
            print(f"kept: {var_dir}{database}")
        else:
            shutil.rmtree(var_dir, ignore_errors=True)
            if args.engine == "postgres":
                _postgres(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
