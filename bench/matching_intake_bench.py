"""Intake candidates against many children: p50/p95/p99 of the candidate lookup, warm.

    .venv/bin/python -m bench.matching_intake_bench [--engine sqlite|postgres|both]
                                                    [--sizes 100000,1000000] [--lookups 1000]

For each engine, fills a fresh database (PostgreSQL `safehub_bench_intake`, dropped
afterwards, or a temporary SQLite file, deleted afterwards) in stages: the first size of
synthetic children (`safehub.matching.synthetic`: about 40% are further records of an earlier
child), their addresses and their blocking keys, written in bulk (COPY on PostgreSQL, one
`executemany` a batch on SQLite, both with the schema the migrations make, indexes and all);
then looks up `--lookups` new referrals' details (the next records of the same generator, so
about 40% are a child already held) after 30 warm-up lookups, as the intake service does
(`candidates.find` among the children a hub role may see); then adds children up to the next
size and looks up the next referrals. Prints, for each size, the median, 95th and 99th
percentiles, how often the true child was offered, and the load average; and EXPLAIN of the
capped key lookup and of the shortlist's records, to show both use indexes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psycopg

BENCH_DB = "safehub_bench_intake"
SERVER = "postgresql://postgres@127.0.0.1:5432"
BATCH = 50_000
WARM_UP = 30
CHILD_COLUMNS = (
    "id", "given_name", "family_name", "date_of_birth", "dob_approximate", "sex", "nhs_number",
    "upn", "ethnicity", "ethnicity_source", "first_language", "nationality", "arrived_uk",
    "school", "created_at", "created_by_id", "merged_into_id",
)  # fmt: skip
ADDRESS_COLUMNS = (
    "id", "version", "withdrawn_at", "withdrawn_by_id", "withdrawal_reason", "valid_from",
    "valid_to", "child_id", "address", "postcode", "ward_id", "ward_method",
)  # fmt: skip
KEY_COLUMNS = ("child_id", "key")


def _setup(engine: str, directory: Path) -> None:
    if engine == "postgres":
        with psycopg.connect(SERVER, autocommit=True) as c:
            c.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
            c.execute(f"CREATE DATABASE {BENCH_DB}")
        os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{BENCH_DB}"
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{directory}/bench.sqlite3"
    os.environ["DJANGO_SETTINGS_MODULE"] = "safehub.settings.demo"
    os.environ.setdefault("SAFEHUB_VAR_DIR", str(directory))
    import django  # noqa: PLC0415

    django.setup()
    from django.core.management import call_command  # noqa: PLC0415

    call_command("migrate", verbosity=0)
    _check_columns()


def _check_columns() -> None:
    """The bulk writers name every column: fail at once if the models have changed."""
    from safehub.matching.models import ChildKey  # noqa: PLC0415
    from safehub.people.models import AddressPeriod, Child  # noqa: PLC0415

    for model, columns in ((Child, CHILD_COLUMNS), (AddressPeriod, ADDRESS_COLUMNS)):
        found = {f.column for f in model._meta.concrete_fields}  # noqa: SLF001
        if found != set(columns):
            raise SystemExit(f"{model.__name__} has changed: {sorted(found)}")
    if {f.column for f in ChildKey._meta.concrete_fields} != {"id", *KEY_COLUMNS}:  # noqa: SLF001
        raise SystemExit("matching_childkey has changed")


def _teardown(engine: str) -> None:
    from django.db import connections  # noqa: PLC0415

    connections.close_all()
    if engine == "postgres":
        with psycopg.connect(SERVER, autocommit=True) as c:
            c.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")


def _rows(
    raws: list[dict[str, str]], first_id: int, now: dt.datetime
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Child, address and key rows for a batch of synthetic records (ids from `first_id`)."""
    from safehub.matching import keys, model  # noqa: PLC0415

    children, addresses, filed = [], [], []
    since = "2025-01-01" if isinstance(now, str) else dt.date(2025, 1, 1)
    for number, raw in enumerate(raws):
        pk = first_id + number
        born: Any = dt.date.fromisoformat(raw["date_of_birth"])
        if isinstance(now, str):
            born = raw["date_of_birth"]
        children.append(
            (pk, raw["given_name"], raw["family_name"], born, False, raw["sex"] or "U",
             raw["nhs_number"], raw["upn"], "NOBT", "not_obtained", "", "", None,
             raw["school"], now, None, None)
        )  # fmt: skip
        row = model.standardised(raw)
        if row["postcode"]:
            addresses.append(
                (pk, 1, None, None, "", since, None, pk, "", row["postcode"],
                 None, "")
            )  # fmt: skip
        filed.extend((pk, key) for key in sorted(keys.stored(row)))
    return children, addresses, filed


def _write(engine: str, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    from django.db import connection  # noqa: PLC0415

    names = ", ".join(columns)
    with connection.cursor() as cursor:
        if engine == "postgres":
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("%s" for _ in columns)
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)  # noqa: S608


def _fill(engine: str, raws: list[dict[str, str]], first_id: int) -> None:
    """Children, their addresses and their keys, in bulk, in one transaction a batch."""
    from django.db import connection, transaction  # noqa: PLC0415
    from django.utils import timezone  # noqa: PLC0415

    now: Any = timezone.now()
    if engine == "sqlite":
        # Django's own text forms on SQLite: ISO dates, UTC times without the offset.
        now = now.replace(tzinfo=None).isoformat(" ")
    for start in range(0, len(raws), BATCH):
        children, addresses, filed = _rows(raws[start : start + BATCH], first_id + start, now)
        with transaction.atomic():
            _write(engine, "people_child", CHILD_COLUMNS, children)
            _write(engine, "people_addressperiod", ADDRESS_COLUMNS, addresses)
            _write(engine, "matching_childkey", KEY_COLUMNS, filed)
    with connection.cursor() as cursor:
        if engine == "postgres":
            for table in ("people_child", "people_addressperiod"):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                    f"(SELECT max(id) FROM {table}))"
                )
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute("ANALYZE")


def _details(raw: dict[str, str]) -> Any:
    from safehub.matching import candidates  # noqa: PLC0415

    return candidates.Details(
        given_name=raw["given_name"],
        family_name=raw["family_name"],
        date_of_birth=dt.date.fromisoformat(raw["date_of_birth"]),
        sex=raw["sex"],
        postcode=raw["postcode"],
        nhs_number=raw["nhs_number"],
        upn=raw["upn"],
        school=raw["school"],
    )


def _percentile(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, max(0, round(len(ordered) * share) - 1))]


def _lookups(
    engine: str, held: int, new: list[dict[str, str]], children_of: dict[str, list[int]]
) -> None:
    from safehub.matching import candidates  # noqa: PLC0415
    from safehub.people.models import Child  # noqa: PLC0415

    # The scope of a hub role (people.queries.children_for): every child not merged away.
    hub_scope = Child.objects.filter(merged_into=None)
    timings: list[float] = []
    should = found = offered = 0
    for number, raw in enumerate(new):
        details = _details(raw)
        start = time.perf_counter()
        result = candidates.find(details, among=hub_scope)
        elapsed = time.perf_counter() - start
        if number < WARM_UP:
            continue
        timings.append(elapsed * 1000)
        offered += bool(result)
        truth = children_of.get(raw["cluster_id"], [])
        if truth:
            should += 1
            found += any(c.child in truth for c in result)
    timings.sort()
    print(
        f"{engine} {held:>9,} children: {len(timings)} lookups, "
        f"p50 {statistics.median(timings):.1f} ms, p95 {_percentile(timings, 0.95):.1f} ms, "
        f"p99 {_percentile(timings, 0.99):.1f} ms, worst {timings[-1]:.1f} ms; "
        f"true child offered for {found} of {should} referrals of a child already held "
        f"({offered} lookups offered anyone); load average {_load()}",
        flush=True,
    )


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _explain(engine: str, raw: dict[str, str]) -> None:
    """The plans of the two queries a lookup makes: the capped key lookup, and the records
    of the children shortlisted (with each one's latest postcode)."""
    from django.db import connection  # noqa: PLC0415

    from safehub.matching import candidates, index, keys  # noqa: PLC0415
    from safehub.people.models import Child  # noqa: PLC0415

    sought = sorted(keys.sought(_details(raw).record()))
    with connection.cursor() as cursor:
        prefix = "EXPLAIN" if engine == "postgres" else "EXPLAIN QUERY PLAN"
        cursor.execute(f"{prefix} {candidates.shortlist_sql(len(sought))}", sought)
        # SQLite's rows are (id, parent, 0, detail); each part's lines repeat, so once each.
        lines = [str(row[-1]) for row in cursor.fetchall()]
        plan = "\n".join(dict.fromkeys(lines) if engine == "sqlite" else lines)
    print(f"{engine} EXPLAIN shortlist ({len(sought)} keys):\n  " + plan.replace("\n", "\n  "))
    records = (
        Child.objects.filter(pk__in=candidates.shortlist(set(sought)) or [1])
        .annotate(postcode=index._latest_postcode())  # noqa: SLF001 - the query intake makes
        .values(*index.FIELDS, "postcode")
    )
    plan = records.explain()
    print(f"{engine} EXPLAIN shortlist's records:\n  " + plan.replace("\n", "\n  "), flush=True)


def run(engine: str, sizes: list[int], lookups: int) -> None:
    from safehub.matching import synthetic  # noqa: PLC0415

    directory = Path(tempfile.mkdtemp(prefix="safehub-bench-intake-"))
    _setup(engine, directory)
    try:
        raws = synthetic.generate(sizes[-1] + len(sizes) * (lookups + WARM_UP), seed=21)
        children_of: dict[str, list[int]] = {}
        # The last stage's referrals, held from the next stage on, as the hub recorded them.
        probes: list[dict[str, str]] = []
        held = 0
        for size in sizes:
            batch = probes + [next(raws) for _ in range(size - held - len(probes))]
            start = time.perf_counter()
            _fill(engine, batch, held + 1)
            for number, raw in enumerate(batch, start=held + 1):
                children_of.setdefault(raw["cluster_id"], []).append(number)
            held += len(batch)
            print(
                f"{engine}: {len(batch):,} children, their addresses and keys written in "
                f"{time.perf_counter() - start:.0f} s ({held:,} held; load average {_load()})",
                flush=True,
            )
            probes = [next(raws) for _ in range(lookups + WARM_UP)]
            _lookups(engine, held, probes, children_of)
        _explain(engine, probes[-1])
        print(
            f"{engine}: peak memory "
            f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB",
            flush=True,
        )
    finally:
        _teardown(engine)
        shutil.rmtree(directory, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--engine", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--lookups", type=int, default=1000)
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    if args.engine == "both":
        # One process an engine: Django is set up once per process, for one database.
        for engine in ("sqlite", "postgres"):
            subprocess.run(  # noqa: S603
                [sys.executable, "-m", "bench.matching_intake_bench", "--engine", engine,
                 "--sizes", args.sizes, "--lookups", str(args.lookups)],
                check=True,
            )  # fmt: skip
        return
    run(args.engine, sizes, args.lookups)


if __name__ == "__main__":
    main()
