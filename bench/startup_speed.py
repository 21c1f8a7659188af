"""How long a `safehub` command takes to start: this checkout beside the code at a git ref.

    .venv/bin/python -m bench.startup_speed --runs 10 --before-ref REF

Each command runs `--runs` times in a fresh process (after one warm-up run that also writes the
bytecode cache), alternating before/after so both meet the same load; the figures are the
median elapsed time and the median CPU time (user + system) of the child. CPU time depends far
less than elapsed time on how busy the machine is. The commands run on a throwaway SQLite
database in a temporary folder, migrated first, with the demo settings; bytecode is cached
under that folder (PYTHONPYCACHEPREFIX), as an installed Safehub caches it, even when
PYTHONDONTWRITEBYTECODE is set in the calling shell.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = (
    ("help",),
    ("--version",),
    ("check",),
    ("audit", "verify"),
    ("report", "--help"),
)


def _run(src: Path, args: tuple[str, ...], env: dict[str, str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(  # noqa: S603
        [sys.executable, "-m", "safehub.cli", *args],
        env={**env, "PYTHONPATH": str(src)},
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return elapsed, cpu


def _checkout(ref: str, into: Path) -> Path:
    archive = subprocess.run(  # noqa: S603
        ["git", "-C", str(ROOT), "archive", ref, "src"],  # noqa: S607
        capture_output=True,
        check=True,
    )
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)  # noqa: S603, S607
    return into / "src"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--before-ref", help="a git ref to time beside this checkout")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env |= {
            "DJANGO_SETTINGS_MODULE": "safehub.settings.demo",
            "SAFEHUB_VAR_DIR": tmp,
            "PYTHONPYCACHEPREFIX": f"{tmp}/pycache",
            "PYTHONWARNINGS": "ignore",
        }
        sources = {"this checkout": ROOT / "src"}
        if args.before_ref:
            before = Path(tmp) / "before"
            before.mkdir()
            sources = {f"before ({args.before_ref[:10]})": _checkout(args.before_ref, before)}
            sources["this checkout"] = ROOT / "src"
        _run(ROOT / "src", ("migrate", "--verbosity", "0"), env)
        load, cpus = os.getloadavg(), os.cpu_count()
        print(f"load average at start {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; {cpus} CPUs")
        names = list(sources)
        print(f"{'median of runs, seconds':28}" + "".join(f"{n:>34}" for n in names))
        print(f"{'':28}" + "".join(f"{'elapsed':>22}{'CPU':>12}" for _ in names))
        for command in COMMANDS:
            times: dict[str, list[tuple[float, float]]] = {n: [] for n in names}
            for name in names:
                _run(sources[name], command, env)  # warm-up: bytecode written
            for _ in range(args.runs):
                for name in names:
                    times[name].append(_run(sources[name], command, env))
            row = "".join(
                f"{statistics.median(t[0] for t in times[n]):>22.2f}"
                f"{statistics.median(t[1] for t in times[n]):>12.2f}"
                for n in names
            )
            print(f"{'safehub ' + ' '.join(command):28}{row}")
        load = os.getloadavg()
        print(f"load average at end {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()
