"""CPU seconds per request, by who spent them: the server, the database, the load generator.

Throughput at saturation on a shared machine depends on whatever else runs there; the CPU a
request costs does much less. `Meter` samples, at two moments of a scenario (after every
simulated user has signed in, and just before the end), the CPU time of the gunicorn
processes, of the PostgreSQL backends serving the bench database and of locust, and the
requests locust has counted (its `_stats_history.csv`, written every second). The difference
divided by the requests between the two moments is the cost of one request of the mix.
A backend that ended between the samples takes its CPU with it, so the database figure is a
floor; the server keeps its connections open (CONN_MAX_AGE), so few do.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import psutil


@dataclass(frozen=True)
class Sample:
    server: dict[int, float]
    database: dict[int, float]
    generator: dict[int, float]
    requests: int


def _cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


def _tree(pid: int) -> dict[int, float]:
    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return {}
    seen = {}
    for process in processes:
        try:
            seen[process.pid] = _cpu(process)
        except psutil.NoSuchProcess:
            continue
    return seen


def _backends(database: str) -> dict[int, float]:
    """PostgreSQL backends connected to `database` (their title names it)."""
    seen = {}
    for process in psutil.process_iter(["name", "cmdline"]):
        try:
            title = " ".join(process.info["cmdline"] or [])
            if title.startswith("postgres:") and f" {database} " in f"{title} ":
                seen[process.pid] = _cpu(process)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return seen


def requests_so_far(history: Path) -> int | None:
    """The total locust has counted (the newest "Aggregated" row), None before the first."""
    if not history.exists():
        return None
    newest = None
    with history.open(encoding="utf-8") as file:
        for row in csv.DictReader(file):
            if row.get("Name") == "Aggregated":
                newest = int(row["Total Request Count"])
    return newest


def sample(server_pid: int, database: str, generator_pid: int, history: Path) -> Sample | None:
    requests = requests_so_far(history)
    if requests is None:
        return None
    return Sample(_tree(server_pid), _backends(database), _tree(generator_pid), requests)


def _spent(before: dict[int, float], after: dict[int, float]) -> float:
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())


def per_request(first: Sample, last: Sample) -> str:
    """One line: CPU milliseconds per request for each party, and the requests measured."""
    requests = last.requests - first.requests
    if requests <= 0:
        return "CPU per request: no requests between the samples"
    server = _spent(first.server, last.server) * 1000 / requests
    database = _spent(first.database, last.database) * 1000 / requests
    generator = _spent(first.generator, last.generator) * 1000 / requests
    return (
        f"CPU per request ({requests} requests): server {server:.1f} ms, database "
        f"{database:.1f} ms, load generator {generator:.1f} ms; server and database together "
        f"{server + database:.1f} ms, so two cores serve at most "
        f"{2000 / (server + database):.0f} requests/s with nothing else running"
    )
