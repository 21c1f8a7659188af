# ruff: noqa: PLC0415 - Safehub modules are imported after django.setup(), inside each step
"""Analytics benchmarks: the committee report at council scale, every metric at national scale.

    # council scale: a snapshot of the demo (safehub demo --no-serve; safehub snapshot create)
    .venv/bin/python bench/analytics_bench.py council --snapshot-dir var/snapshots --id ID
    # national scale: writes a synthetic snapshot, then times every metric on DuckDB and the
    # same SQL (transpiled by SQLGlot) on PostgreSQL over the same rows
    .venv/bin/python bench/analytics_bench.py national --children 2000000 --years 10 \
        --out /tmp/synth-2m [--postgres postgres://postgres@127.0.0.1:5432/safehub_bench]

Results go in bench/RESULTS.md by hand, with the machine and date.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import platform
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safehub.settings.test")


def _setup() -> None:
    import django

    django.setup()


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def council(args: argparse.Namespace) -> None:
    _setup()
    from safehub.analytics import snapshot
    from safehub.reports import committee, render

    manifest = snapshot.load(args.id, root=args.snapshot_dir)
    cases = [
        ("Bradford South", dt.date(2016, 10, 27)),
        ("Bradford West", dt.date(2016, 10, 31)),
        ("Bradford", dt.date(2017, 3, 31)),
    ]
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs")
    for area, day in cases:
        for edition in ("restricted", "public"):
            for fmt in ("json", "html", "xlsx", "pdf"):
                start = time.perf_counter()
                report = committee.build(manifest, area=area, as_of=day, edition=edition)
                content = render.render(report, fmt)
                seconds = time.perf_counter() - start
                print(f"{area:15} {day} {edition:10} {fmt:4} {seconds:6.2f} s {len(content):>9,} B")


def _open_children_sql(day: dt.date) -> str:
    from safehub.analytics import metrics

    return metrics.get("open_children").render(d=day)


def national(args: argparse.Namespace) -> None:
    _setup()
    from safehub.analytics import engines, metrics, snapshot, synth

    out: Path = args.out
    if (out / "manifest.json").is_file():
        manifest = snapshot.open_path(out)
        print(f"using existing synthetic snapshot {out}")
    else:
        start = time.perf_counter()
        manifest = synth.generate(children=args.children, years=args.years, out=out)
        print(f"synth: {time.perf_counter() - start:.1f} s")
    rows = {k: v["rows"] for k, v in manifest.data["tables"].items()}
    print("rows:", ", ".join(f"{k} {v:,}" for k, v in rows.items()))
    day = dt.date.fromisoformat(manifest.data["knowledge_time"][:10]) - dt.timedelta(days=200)
    fy = day.year if day.month >= 4 else day.year - 1
    values = {"d": day, "start": dt.date(fy - 2, 4, 1), "end": day + dt.timedelta(days=1)}
    engine = engines.DuckDBEngine(manifest)
    total = 0.0
    timings: dict[str, float] = {}
    for metric in metrics.all_metrics().values():
        given = {k: v for k, v in values.items() if k in metric.parameters}
        start = time.perf_counter()
        result = engine.run(metric, dates=metrics.month_ends(day, 36), **given)
        seconds = time.perf_counter() - start
        timings[metric.name] = seconds
        total += seconds
        print(f"duckdb {metric.name:30} {seconds:6.2f} s {len(result.rows):>8,} rows")
    print(f"duckdb every metric, every area and ward, D={day}: {total:.1f} s")
    print(f"peak memory (process): {_peak_mib():,.0f} MiB")
    engine.close()
    if args.postgres:
        _postgres(args.postgres, manifest, day, timings["open_children"], values)


def _postgres(url: str, manifest: object, day: dt.date, duck_seconds: float, values: dict) -> None:
    import psycopg
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq
    import sqlglot

    from safehub.analytics import engines, metrics

    types = {
        "string": "text",
        "date32[day]": "date",
        "int64": "bigint",
        "timestamp[us, tz=UTC]": "timestamptz",
    }
    with psycopg.connect(url.replace("postgres://", "postgresql://", 1), autocommit=True) as con:
        start = time.perf_counter()
        for table in manifest.data["tables"]:  # type: ignore[attr-defined]
            arrow = pq.read_table(manifest.file(table))  # type: ignore[attr-defined]
            cols = ", ".join(f'"{f.name}" {types[str(f.type)]}' for f in arrow.schema)
            con.execute(f"DROP TABLE IF EXISTS {table}")
            con.execute(f"CREATE UNLOGGED TABLE {table} ({cols})")
            buffer = io.BytesIO()
            pacsv.write_csv(arrow, buffer, pacsv.WriteOptions(include_header=False))
            with con.cursor().copy(f"COPY {table} FROM STDIN (FORMAT csv)") as copy:
                copy.write(buffer.getvalue())
            con.execute(f"ANALYZE {table}")
        print(f"postgres load: {time.perf_counter() - start:.1f} s")
        con.execute("CREATE TEMP TABLE series (d date)")
        total_pg = total_duck = 0.0
        duck = engines.DuckDBEngine(manifest)  # type: ignore[arg-type]
        for metric in metrics.all_metrics().values():
            if metric.name == "monthly_open_children":
                continue  # needs the series table filled; the per-D metrics are compared
            given = {k: v for k, v in values.items() if k in metric.parameters}
            sql = sqlglot.transpile(metric.render(**given), read="duckdb", write="postgres")[0]
            start = time.perf_counter()
            con.execute(sql).fetchall()
            pg = time.perf_counter() - start
            start = time.perf_counter()
            duck.run(metric, **given)
            dk = time.perf_counter() - start
            total_pg += pg
            total_duck += dk
            print(
                f"{metric.name:30} postgres {pg:6.2f} s  duckdb {dk:6.2f} s  ratio {pg / dk:5.1f}"
            )
        print(
            f"all per-D metrics: postgres {total_pg:.1f} s, duckdb {total_duck:.1f} s, "
            f"ratio {total_pg / total_duck:.1f}"
        )
        del duck_seconds, day


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="kind", required=True)
    c = sub.add_parser("council")
    c.add_argument("--snapshot-dir", type=Path, required=True)
    c.add_argument("--id", required=True)
    n = sub.add_parser("national")
    n.add_argument("--children", type=int, default=2_000_000)
    n.add_argument("--years", type=int, default=10)
    n.add_argument("--out", type=Path, required=True)
    n.add_argument("--postgres")
    args = parser.parse_args()
    council(args) if args.kind == "council" else national(args)


if __name__ == "__main__":
    main()
