"""Name search at a million children: the old query beside the indexed one, on both engines.

    .venv/bin/python -m bench.search_bench [--children 1000000] [--runs 20] [--old-runs 3]
        [--engine sqlite|postgres] [--keep DIR] [--reuse]

Each engine gets a fresh, migrated database (SQLite in a temporary folder; PostgreSQL
`safehub_bench_search`, dropped afterwards) in its own process, loaded with invented children
(given names from a short list, family names from syllables: about 27,000 different ones) and
an alias for one child in ten. Then each search is timed `runs` times, as a hub practitioner
sees it, old query (a join to the aliases, DISTINCT) and new (`people.name_search.find_by_name`,
which `search_children` uses) in the same run; medians and 95th percentiles in milliseconds,
and the first run of each apart ("first"): the first time this process reads those pages, so
cold (PostgreSQL's shared buffers, SQLite's page cache per connection; every run is planned
afresh, Django prepares nothing). Only the query is timed: the audit of the rows listed is the
same for both.

Loading a million children takes many minutes. `--keep DIR` keeps the SQLite file in DIR and
the PostgreSQL database; a later run with the same `--keep DIR --reuse` migrates and measures
them again without loading. The old query takes seconds a search at this size: `--old-runs`
times it fewer times than the new one.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

BENCH_DB = os.environ.get("SAFEHUB_BENCH_SEARCH_DB", "safehub_bench_search")
GIVEN = (
    "Amira",
    "Ben",
    "Caitlin",
    "Dylan",
    "Ella",
    "Farah",
    "Grace",
    "Harley",
    "Isla",
    "Jayden",
    "Kai",
    "Layla",
    "Mason",
    "Nadia",
    "Oliver",
    "Priya",
    "Quinn",
    "Riley",
    "Sana",
    "Tyler",
    "Umar",
    "Violet",
    "Wiktor",
    "Xena",
    "Yusuf",
    "Zara",
    "Aaliyah",
    "Bilal",
    "Chloe",
    "Dawid",
)
SYLLABLES = (
    "ash",
    "bur",
    "cal",
    "den",
    "ew",
    "far",
    "gor",
    "hal",
    "ing",
    "jen",
    "kel",
    "lan",
    "mor",
    "nor",
    "ock",
    "par",
    "quin",
    "ros",
    "sut",
    "tam",
    "ul",
    "ver",
    "wat",
    "yar",
    "zel",
    "brook",
    "field",
    "ton",
)


def family(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(3)).capitalize()


def load(count: int) -> None:
    from django.db import connection  # noqa: PLC0415

    from safehub.people.models import Child, ChildAlias  # noqa: PLC0415

    rng = random.Random(1)
    batch = 20_000
    for start in range(0, count, batch):
        children = []
        for _ in range(min(batch, count - start)):
            name = family(rng)
            children.append(
                Child(
                    given_name=rng.choice(GIVEN),
                    family_name=name,
                    date_of_birth=dt.date(2006, 1, 1) + dt.timedelta(days=rng.randint(0, 4000)),
                    sex=rng.choice("FM"),
                )
            )
        made = Child.objects.bulk_create(children)
        ChildAlias.objects.bulk_create(
            ChildAlias(child_id=c.pk, given_name="", family_name=family(rng)) for c in made[::10]
        )
    with connection.cursor() as cursor:
        # PostgreSQL: VACUUM too, as autovacuum would soon (the visibility map). The name
        # indexes keep no pending list (people 0010), so they need no VACUUM to be quick.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def old_query(scope, name: str) -> list:  # the query before the name indexes
    from django.db.models import Q  # noqa: PLC0415

    query = Q()
    for part in name.split():
        query &= (
            Q(given_name__icontains=part)
            | Q(family_name__icontains=part)
            | Q(aliases__given_name__icontains=part)
            | Q(aliases__family_name__icontains=part)
        )
    return list(scope.filter(query).distinct().order_by("family_name", "given_name")[:50])


def new_query(scope, name: str) -> list:
    from safehub.people.name_search import SearchTooBroadError, find_by_name  # noqa: PLC0415

    try:
        return find_by_name(scope, name)
    except SearchTooBroadError:  # stopped at its time limit: the page asks for more
        return []


def run_engine(args: argparse.Namespace) -> None:
    engine, count, runs, keep, reuse = args.engine, args.children, args.runs, args.keep, args.reuse
    os.environ.update(
        DJANGO_SETTINGS_MODULE="safehub.settings.test",
        SAFEHUB_TEST_DATABASE=engine,
        SAFEHUB_VAR_DIR=keep or tempfile.mkdtemp(),
        SAFEHUB_TEST_POSTGRES_URL=f"postgres://postgres@127.0.0.1:5432/{BENCH_DB}",
    )
    if engine == "sqlite" and keep and not reuse:
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                (Path(keep) / f"test.sqlite3{suffix}").unlink()
    if engine == "postgres" and not reuse:
        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
            c.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
            c.execute(f"CREATE DATABASE {BENCH_DB}")
    import django  # noqa: PLC0415

    django.setup()
    from django.core.management import call_command  # noqa: PLC0415
    from tests.factories import UserFactory  # noqa: PLC0415

    from safehub.access.models import Role, User  # noqa: PLC0415
    from safehub.people.models import Child  # noqa: PLC0415
    from safehub.people.queries import children_for  # noqa: PLC0415

    call_command("migrate", verbosity=0)
    if reuse:
        count = Child.objects.count()
        print(f"{engine:<8} {count:,} children kept from an earlier run")
    else:
        begin = time.perf_counter()
        load(count)
        print(f"{engine:<8} {count:,} children loaded in {time.perf_counter() - begin:.0f} s")
    if not runs:  # --runs 0: load and keep only
        return
    hub = User.objects.filter(role=Role.HUB_PRACTITIONER).first()  # kept from an earlier run
    scope = children_for(hub or UserFactory(role=Role.HUB_PRACTITIONER))
    rare = Child.objects.order_by("pk").values_list("family_name", flat=True)[count // 2]
    searches = {
        f"family name ({rare})": rare,
        f"given and family ({GIVEN[3]} {rare[:6]})": f"{GIVEN[3]} {rare[:6]}",
        f"part of a name ({rare[2:7].lower()})": rare[2:7].lower(),
        "common syllable (brook)": "brook",
        "two letters (ur)": "ur",
        f"two common words ({GIVEN[3]} brook)": f"{GIVEN[3]} brook",
        f"two letters and a word (ur {rare[:6].lower()})": f"ur {rare[:6].lower()}",
        "nobody (zzqx)": "zzqx",
        "two syllables (zel ton)": "zel ton",
        "four syllables, rare together (zel ton ash bur)": "zel ton ash bur",
    }
    for label, name in searches.items():
        line = f"{engine:<8} {label:<50}"
        for how, query, repeat in (("old", old_query, args.old_runs), ("new", new_query, runs)):
            times = []
            for _ in range(repeat):
                start = time.perf_counter()
                found = query(scope, name)
                times.append((time.perf_counter() - start) * 1000)
            p95 = statistics.quantiles(times, n=20)[-1] if repeat >= 2 else times[0]
            line += f" {how} p50 {statistics.median(times):7.1f} p95 {p95:7.1f}"
            line += f" first {times[0]:7.1f} ms ({len(found)})"
        print(line, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--children", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--old-runs", type=int, default=3)
    parser.add_argument("--engine", choices=["sqlite", "postgres"])
    parser.add_argument("--keep", default="", help="keep the databases (SQLite: in this folder)")
    parser.add_argument("--reuse", action="store_true", help="measure the databases kept")
    args = parser.parse_args()
    if args.reuse and not args.keep:
        parser.error("--reuse needs --keep DIR")
    if args.engine:
        run_engine(args)
        return
    for engine in ("sqlite", "postgres"):
        subprocess.run(  # noqa: S603
            [sys.executable, "-m", "bench.search_bench", "--engine", engine,
             "--children", str(args.children), "--runs", str(args.runs),
             "--old-runs", str(args.old_runs), "--keep", args.keep,
             *(["--reuse"] if args.reuse else [])],
            check=True,
        )  # fmt: skip
    if args.keep:
        return
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        c.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")


if __name__ == "__main__":
    main()
