"""Geography benchmark: postcode directory import and ward lookup by coordinates.

    .venv/bin/python -m bench.geo_bench [--rows 300000] [--points 100000]

Generates a synthetic postcode directory shaped like the national ONSPD (most rows belong to
other districts, a share to Bradford's wards), imports it into a fresh SQLite file and a fresh
PostgreSQL database side by side, re-imports it (the idempotent path), and times point-in-
polygon lookups. Prints one line per figure.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import resource
import string
import sys
import tempfile
import time
from pathlib import Path

import psycopg

BENCH_DB = "safehub_bench"


def synthetic_onspd(rows: int, bradford_share: float, seed: int = 7) -> str:
    rng = random.Random(seed)
    wards = [f"E0500{1341 + i}" for i in range(30)]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["pcds", "osward", "oslaua"])
    seen: set[str] = set()
    while len(seen) < rows:
        area = "".join(rng.choices(string.ascii_uppercase, k=2))
        unit = "".join(rng.choices("ABDEFGHJLNPQRSTUWXYZ", k=2))
        postcode = f"{area}{rng.randint(1, 99)} {rng.randint(0, 9)}{unit}"
        if postcode in seen:
            continue
        seen.add(postcode)
        if rng.random() < bradford_share:
            writer.writerow([postcode, rng.choice(wards), "E08000032"])
        else:
            writer.writerow([postcode, f"E05{rng.randint(100000, 999999)}", "E08000099"])
    return out.getvalue()


def setup(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "safehub.settings.demo"
    import django  # noqa: PLC0415

    django.setup()
    from django.core.management import call_command  # noqa: PLC0415

    call_command("migrate", verbosity=0)
    from safehub.access.policy import SYSTEM  # noqa: PLC0415
    from safehub.geo import services  # noqa: PLC0415

    services.load_reference_data(acting_user=SYSTEM)


def run_import(text: str) -> tuple[float, object]:
    from safehub.access.policy import SYSTEM  # noqa: PLC0415
    from safehub.geo import services  # noqa: PLC0415

    start = time.perf_counter()
    result = services.import_postcodes(io.StringIO(text), ward_column="osward", acting_user=SYSTEM)
    return time.perf_counter() - start, result


def one_engine(engine: str, rows: int) -> None:
    """Runs in a child process so each engine gets a fresh Django."""
    text = synthetic_onspd(rows, bradford_share=0.15)
    if engine == "sqlite":
        tmp = tempfile.mkdtemp()
        setup(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}")
    else:
        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
            c.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
            c.execute(f"CREATE DATABASE {BENCH_DB}")
        setup(f"postgres://postgres@127.0.0.1:5432/{BENCH_DB}")
    first, result = run_import(text)
    second, again = run_import(text)
    print(
        f"{engine:<8} import {rows:,} rows ({result.imported:,} in district): {first:6.2f} s "  # type: ignore[attr-defined]
        f"= {rows / first:,.0f} rows/s; re-import (no change): {second:6.2f} s "
        f"({again.unchanged:,} unchanged)"  # type: ignore[attr-defined]
    )


def lookups(points: int) -> None:
    import json  # noqa: PLC0415
    from importlib import resources  # noqa: PLC0415

    from safehub.rules.geography import WardLocator, WardShape  # noqa: PLC0415

    data = resources.files("safehub.geo") / "data" / "bradford-wards-2013.geojson"
    features = json.loads(data.read_text(encoding="utf-8"))["features"]
    start = time.perf_counter()
    locator = WardLocator(WardShape(f["properties"]["code"], f["geometry"]) for f in features)
    built = time.perf_counter() - start
    rng = random.Random(11)
    coords = [(rng.uniform(-2.06, -1.64), rng.uniform(53.72, 53.96)) for _ in range(points)]
    start = time.perf_counter()
    found = sum(1 for x, y in coords if locator.locate(longitude=x, latitude=y))
    took = time.perf_counter() - start
    print(
        f"lookup   {points:,} points ({found:,} inside a ward): {took:6.2f} s "
        f"= {points / took:,.0f} lookups/s; index built in {built * 1000:.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--points", type=int, default=100_000)
    parser.add_argument("--engine", choices=["sqlite", "postgres"])
    args = parser.parse_args()
    if args.engine:
        one_engine(args.engine, args.rows)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{args.engine:<8} peak memory {rss:,.0f} MiB")
        return
    import subprocess  # noqa: PLC0415

    for engine in ("sqlite", "postgres"):
        subprocess.run(  # noqa: S603
            [sys.executable, "-m", "bench.geo_bench", "--engine", engine, "--rows", str(args.rows)],
            check=True,
        )
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        c.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")  # leave the server as we found it
    lookups(args.points)


if __name__ == "__main__":
    main()
