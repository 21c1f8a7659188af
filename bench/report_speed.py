# ruff: noqa: PLC0415 - Safehub modules are imported after django.setup(), inside each step
"""The district's public committee report as a PDF, timed in-process: this code beside a before.

    # a demo snapshot first (a fresh SQLite database in a temporary folder; about 20 s):
    .venv/bin/python -m bench.report_speed --make-demo /tmp/report-bench
    # then the timings, this checkout beside the code at REF (git archive of REF's src/, run
    # in a child process with the same snapshot), and beside this code with the disclosure
    # audit solved the old way, two LPs per hidden cell:
    .venv/bin/python -m bench.report_speed --snapshot-dir /tmp/report-bench --before-ref REF

Each figure is the median of --runs builds after one warm-up build (imports, fonts and reading
the snapshot's tables into memory, which a process does once per snapshot, are not counted):
"view model" is `committee.build` (metrics, sections, disclosure control and its audit; "of
which audit LPs" is the time in the audit's linear programs), "charts" the charts and the map
as `render.to_pdf` draws them, "PDF" the rest of `render.to_pdf`: the page's HTML and
WeasyPrint's layout and writing ("of which layout" is `HTML.render`); "total" is view model +
charts + PDF as `report committee --format pdf` runs it, "total CPU" the process's CPU time over
the same steps. This checkout keeps the charts it draws (`safehub.reports.charts`): "charts
drawn" empties that cache before every build, as for a report nobody has asked for yet; "charts
cached" keeps it, as for the same report asked again. The other columns empty it
too. Results go in bench/RESULTS.md by hand, with the machine, date and load average.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PHASES = (
    "view model",
    "  of which audit LPs",
    "charts",
    "PDF",
    "  of which layout",
    "total",
    "total CPU",
)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safehub.settings.test")
os.environ.setdefault("SAFEHUB_TEST_DATABASE", "sqlite")


def _setup(var_dir: Path | None = None) -> None:
    if var_dir is not None:
        os.environ["SAFEHUB_VAR_DIR"] = str(var_dir)
    import django

    django.setup()


def make_demo(out: Path) -> None:
    """A snapshot of the demo, from a fresh SQLite database under `out`."""
    out.mkdir(parents=True, exist_ok=True)
    _setup(out)
    from django.core.management import call_command

    from safehub.access.policy import SYSTEM
    from safehub.analytics import snapshot
    from safehub.demo import services as demo

    call_command("migrate", verbosity=0)
    demo.load(acting_user=SYSTEM)
    manifest = snapshot.create(acting_user=SYSTEM, snapshot_id="demo", root=out)
    print(f"snapshot {manifest.id} in {out}")


def _count_lp_calls() -> dict[str, int]:
    """Count the LPs the disclosure audit solves: scipy linprog calls, wherever it imports it
    from (older code, and the per-cell reference), and HiGHS runs through highspy (this code)."""
    import importlib

    import scipy.optimize
    from highspy._core import _Highs

    calls = {"lps": 0}
    original = scipy.optimize.linprog
    run = _Highs.run  # the class the audit solves with

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls["lps"] += 1
        return original(*args, **kwargs)

    def counted_run(self: Any) -> Any:
        calls["lps"] += 1
        return run(self)

    # The audit imports it when it solves (this code); older code imported it with the module.
    scipy.optimize.linprog = counted
    _Highs.run = counted_run  # type: ignore[method-assign]
    for name in ("safehub.rules.disclosure_lp", "safehub.rules.disclosure"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        if getattr(module, "linprog", None) is not None:
            module.linprog = counted  # type: ignore[attr-defined]
    return calls


def _phase_timers() -> dict[str, float]:
    """Time spent in the disclosure audit's LPs, drawing the charts and in WeasyPrint's layout,
    as they happen."""
    import weasyprint

    from safehub.reports import charts
    from safehub.rules import disclosure

    spent = {"audit": 0.0, "charts": 0.0, "layout": 0.0}

    def timed(key: str, function: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[key] += time.perf_counter() - start

        return wrapper

    disclosure.provable_ranges = timed("audit", disclosure.provable_ranges)  # type: ignore[assignment]
    # The PDF takes the charts' files from `charts.images` (older code: from `draw_all`).
    drawing = "images" if hasattr(charts, "images") else "draw_all"
    setattr(charts, drawing, timed("charts", getattr(charts, drawing)))
    weasyprint.HTML.render = timed("layout", weasyprint.HTML.render)  # type: ignore[method-assign]
    return spent


def _per_cell() -> None:
    """The audit as it was: two LPs of its own for every hidden cell."""
    from safehub.rules import disclosure, disclosure_lp

    def per_cell(table: Any, hidden: Any, cells: Any = None) -> dict[Any, Any]:
        order = sorted(hidden)
        return {c: disclosure_lp.provable_range(table, order, c) for c in (cells or order)}

    disclosure.provable_ranges = per_cell  # type: ignore[assignment]


def measure(
    snapshot_dir: Path, runs: int, *, per_cell: bool = False, cold: bool = False
) -> dict[str, Any]:
    _setup(snapshot_dir)
    from safehub.analytics import snapshot
    from safehub.reports import committee, render

    if per_cell:
        _per_cell()
    calls = _count_lp_calls()
    spent = _phase_timers()
    manifest = snapshot.load("demo", root=snapshot_dir)
    day = dt.date(2017, 3, 31)
    times: dict[str, list[float]] = {k: [] for k in PHASES}
    for run in range(runs + 1):
        calls["lps"] = 0
        spent.update(audit=0.0, charts=0.0, layout=0.0)
        if cold:  # the charts this checkout keeps (SAFEHUB_VAR_DIR is the snapshot folder)
            shutil.rmtree(snapshot_dir / "cache" / "charts", ignore_errors=True)
        cpu_start = time.process_time()
        start = time.perf_counter()
        report = committee.build(manifest, area="Bradford", as_of=day, edition="public")
        built = time.perf_counter()
        pdf = render.to_pdf(report)  # draws the charts, as the command does
        done, cpu_done = time.perf_counter(), time.process_time()
        if not pdf.startswith(b"%PDF"):
            raise RuntimeError("the report did not render as a PDF")
        if run == 0:
            continue  # warm-up
        times["view model"].append(built - start)
        times["  of which audit LPs"].append(spent["audit"])
        times["charts"].append(spent["charts"])
        times["  of which layout"].append(spent["layout"])
        times["PDF"].append(done - built - spent["charts"])
        times["total"].append(done - start)
        times["total CPU"].append(cpu_done - cpu_start)
    return {
        "median": {k: statistics.median(v) for k, v in times.items()},
        "worst": {k: max(v) for k, v in times.items()},
        "lp_solves": calls["lps"],
    }


def _child(snapshot_dir: Path, runs: int, *flags: str, src: str | None = None) -> dict[str, Any]:
    """The measurement in a child process: of this checkout, or of the `src/` folder given."""
    pythonpath = f"{src}:{ROOT}" if src else os.environ.get("PYTHONPATH", "")
    done = subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-m",
            "bench.report_speed",
            "--snapshot-dir",
            str(snapshot_dir),
            "--runs",
            str(runs),
            "--json",
            *flags,
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": pythonpath, "PYTHONWARNINGS": "ignore"},
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _before(ref: str, snapshot_dir: Path, runs: int) -> dict[str, Any]:
    """The same measurement on the code at `ref`, in a child process."""
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(  # noqa: S603
            ["git", "-C", str(ROOT), "archive", ref, "src"],  # noqa: S607
            capture_output=True,
            check=True,
        )
        subprocess.run(["tar", "-x", "-C", tmp], input=archive.stdout, check=True)  # noqa: S603, S607
        return _child(snapshot_dir, runs, "--cold", src=f"{tmp}/src")


def _print(columns: dict[str, dict[str, Any]]) -> None:
    names = list(columns)
    print(f"{'median of runs, seconds':28}" + "".join(f"{n:>26}" for n in names))
    for key in PHASES:
        row = "".join(
            f"{columns[n]['median'][key]:>26.2f}" if key in columns[n]["median"] else f"{'':>26}"
            for n in names
        )
        print(f"{key:28}{row}")
    print(f"{'worst total':28}" + "".join(f"{columns[n]['worst']['total']:>26.2f}" for n in names))
    print(
        f"{'LPs solved per report':28}" + "".join(f"{columns[n]['lp_solves']:>26}" for n in names)
    )


def _subsetter() -> str:
    """What WeasyPrint subsets the embedded fonts with: HarfBuzz when the system has
    libharfbuzz-subset, else fontTools, which takes a sixth of the PDF's time."""
    from weasyprint.text import ffi

    return "HarfBuzz" if ffi.harfbuzz_subset else "fontTools (no libharfbuzz-subset)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--make-demo", type=Path, help="write a demo snapshot into this folder")
    parser.add_argument("--snapshot-dir", type=Path, help="a folder holding the demo snapshot")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--before-ref", help="a git ref to time beside this checkout")
    parser.add_argument("--json", action="store_true", help="this checkout only, as JSON")
    parser.add_argument("--per-cell", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--cold", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.make_demo:
        make_demo(args.make_demo)
        return
    if args.snapshot_dir is None:
        parser.error("--snapshot-dir is needed (make one with --make-demo)")
    if args.json:
        found = measure(args.snapshot_dir, args.runs, per_cell=args.per_cell, cold=args.cold)
        print(json.dumps(found))
        return
    columns: dict[str, dict[str, Any]] = {}
    if args.before_ref:
        columns[f"before ({args.before_ref[:10]})"] = _before(
            args.before_ref, args.snapshot_dir, args.runs
        )
    columns["two LPs per cell"] = _child(args.snapshot_dir, args.runs, "--per-cell", "--cold")
    columns["charts drawn"] = _child(args.snapshot_dir, args.runs, "--cold")
    columns["charts cached"] = measure(args.snapshot_dir, args.runs)
    load = os.getloadavg()
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; {os.cpu_count()} CPUs")
    print(f"fonts subset with {_subsetter()}")
    _print(columns)


if __name__ == "__main__":
    main()
