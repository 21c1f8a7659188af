"""Intake candidates against many children: p50/p95 of `candidates.find`, warm.

    .venv/bin/python -m bench.matching_intake_bench [--children 1000000] [--engine postgres|sqlite]

Fills a fresh database (PostgreSQL `safehub_bench_matcheng`, dropped afterwards, or a
temporary SQLite file) with N synthetic children (`safehub.matching.synthetic`: about 40% are
further records of an earlier child) and their blocking keys, in bulk. Then looks up 300 new
referrals' details (the next records of the same generator, so about 40% are a child already
held) after 30 warm-up lookups, and prints the median and 95th percentile, with how many
lookups found the true child.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import statistics
import tempfile
import time
from pathlib import Path

import psycopg

BENCH_DB = "safehub_bench_matcheng"
SERVER = "postgresql://postgres@127.0.0.1:5432"
BATCH = 20_000


def _setup(engine: str) -> None:
    if engine == "postgres":
        with psycopg.connect(SERVER, autocommit=True) as c:
            c.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
            c.execute(f"CREATE DATABASE {BENCH_DB}")
        os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{BENCH_DB}"
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    os.environ["DJANGO_SETTINGS_MODULE"] = "safehub.settings.demo"
    import django  # noqa: PLC0415

    django.setup()
    from django.core.management import call_command  # noqa: PLC0415

    call_command("migrate", verbosity=0)


def _teardown(engine: str) -> None:
    from django.db import connections  # noqa: PLC0415

    connections.close_all()
    if engine == "postgres":
        with psycopg.connect(SERVER, autocommit=True) as c:
            c.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")


def _fill(raws: list[dict[str, str]]) -> dict[str, int]:
    """Children and their keys in bulk; returns record id -> child pk."""
    from safehub.matching import keys, model  # noqa: PLC0415
    from safehub.matching.models import ChildKey  # noqa: PLC0415
    from safehub.people.models import Child  # noqa: PLC0415

    ids: dict[str, int] = {}
    for start in range(0, len(raws), BATCH):
        batch = raws[start : start + BATCH]
        children = Child.objects.bulk_create(
            Child(
                given_name=r["given_name"],
                family_name=r["family_name"],
                date_of_birth=dt.date.fromisoformat(r["date_of_birth"]),
                sex=r["sex"] or "U",
                nhs_number=r["nhs_number"],
                upn=r["upn"],
                school=r["school"],
            )
            for r in batch
        )
        rows = []
        for raw, child in zip(batch, children, strict=True):
            ids[raw["record_id"]] = child.pk
            # Postcodes are left out of the child rows (they live on addresses); keys keep them.
            rows.extend(
                ChildKey(child_id=child.pk, key=k) for k in keys.stored(model.standardised(raw))
            )
        ChildKey.objects.bulk_create(rows, batch_size=BATCH)
    return ids


def run(children: int, engine: str) -> None:
    from safehub.matching import synthetic  # noqa: PLC0415

    _setup(engine)
    try:
        raws = list(synthetic.generate(children + 330, seed=21))
        held, new = raws[:children], raws[children:]
        start = time.perf_counter()
        ids = _fill(held)
        print(
            f"{engine}: {children:,} children and their keys written in "
            f"{time.perf_counter() - start:.0f} s"
        )
        if engine == "postgres":
            from django.db import connection  # noqa: PLC0415

            with connection.cursor() as c:
                c.execute("VACUUM ANALYZE matching_childkey")
        else:
            from django.db import connection  # noqa: PLC0415

            with connection.cursor() as c:
                c.execute("ANALYZE")
        _lookups(new, held, ids, engine)
    finally:
        _teardown(engine)


def _lookups(
    new: list[dict[str, str]], held: list[dict[str, str]], ids: dict[str, int], engine: str
) -> None:
    from safehub.matching import candidates  # noqa: PLC0415

    children_of: dict[str, list[int]] = {}
    for r in held:
        children_of.setdefault(r["cluster_id"], []).append(ids[r["record_id"]])
    timings: list[float] = []
    should, found = 0, 0
    for number, raw in enumerate(new):
        details = candidates.Details(
            given_name=raw["given_name"],
            family_name=raw["family_name"],
            date_of_birth=dt.date.fromisoformat(raw["date_of_birth"]),
            sex=raw["sex"],
            postcode=raw["postcode"],
            nhs_number=raw["nhs_number"],
            upn=raw["upn"],
            school=raw["school"],
        )
        start = time.perf_counter()
        result = candidates.find(details)
        elapsed = time.perf_counter() - start
        if number < 30:
            continue
        timings.append(elapsed * 1000)
        truth = children_of.get(raw["cluster_id"], [])
        if truth:
            should += 1
            found += any(c.child in truth for c in result)
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(
        f"{engine}: {len(timings)} lookups, median {statistics.median(timings):.1f} ms, "
        f"95th percentile {p95:.1f} ms, worst {timings[-1]:.1f} ms; "
        f"true child offered for {found} of {should} referrals of a child already held; "
        f"peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB; "
        f"load average {' '.join(Path('/proc/loadavg').read_text().split()[:3])}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=1_000_000)
    parser.add_argument("--engine", choices=("postgres", "sqlite"), default="sqlite")
    args = parser.parse_args()
    run(args.children, args.engine)


if __name__ == "__main__":
    main()
