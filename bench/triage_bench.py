"""The triage queue at scale: the first page with 100,000 open due items on PostgreSQL.

    .venv/bin/python -m bench.triage_bench [--items 100000] [--runs 20] [--old-runs 3]

Builds a fresh PostgreSQL database and bulk-inserts synthetic children with open episodes (a
review each, at mixed risk levels; a strategy discussion due for the high-risk ones) and
referrals waiting for a decision, until there are `--items` open due items. Then:

- builds the due rows (`safehub triage rebuild`'s work) and reports the time;
- times GET /triage (first page, 50 rows, RAG counts, audit of the children listed) through
  Django's test client signed in as a hub manager: median and p95 of `--runs`;
- the same page filtered to "unallocated" and to one worker ("mine"), and page 100;
- the old approach beside it: every item computed in Python from the record and sorted
  (what `triage.queries.due_items` did before due rows), `--old-runs` times;
- prints EXPLAIN ANALYZE of the first page's row query and its count query.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import tempfile
import time

import psycopg

BENCH_DB = "safehub_bench_triage"
LEVELS = ["low"] * 5 + ["medium"] * 3 + ["high"] * 2


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


def _summary(times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"median {_ms(statistics.median(times))}, p95 {_ms(p95)}"


def _setup() -> None:
    os.environ.update(
        DJANGO_SETTINGS_MODULE="safehub.settings.test",
        SAFEHUB_TEST_DATABASE="postgres",
        SAFEHUB_VAR_DIR=tempfile.mkdtemp(),
        SAFEHUB_TEST_POSTGRES_URL=f"postgres://postgres@127.0.0.1:5432/{BENCH_DB}",
    )
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        c.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
        c.execute(f"CREATE DATABASE {BENCH_DB}")
    import django  # noqa: PLC0415

    django.setup()
    from django.core.management import call_command  # noqa: PLC0415

    call_command("migrate", verbosity=0)


def _generate(items: int, workers: list[object]) -> int:
    """Children, episodes, risk changes and referrals giving about `items` due items."""
    from django.db import connection  # noqa: PLC0415
    from django.utils import timezone  # noqa: PLC0415

    from safehub.episodes.models import Episode, RiskChange  # noqa: PLC0415
    from safehub.people.models import Child  # noqa: PLC0415
    from safehub.referrals.models import Referral  # noqa: PLC0415

    rng = random.Random(15)
    now = timezone.now()
    # Per child: one review, one decision, and a strategy discussion when high: about 2.2.
    n_children = round(items / 2.2)
    children = Child.objects.bulk_create(
        [
            Child(
                given_name=f"Bench{i}",
                family_name="Synthetic",
                date_of_birth=dt.date(2010, 1, 1) + dt.timedelta(days=i % 1500),
                sex="F" if i % 5 else "M",
            )
            for i in range(n_children)
        ],
        batch_size=5000,
    )
    episodes = Episode.objects.bulk_create(
        [
            Episode(
                child=c,
                opened_on=(now - dt.timedelta(days=rng.randint(1, 120))).date(),
                allocated_worker=rng.choice([*workers, None]),
            )
            for c in children
        ],
        batch_size=5000,
    )
    RiskChange.objects.bulk_create(
        [
            RiskChange(
                episode=e,
                level=rng.choice(LEVELS),
                effective_on=e.opened_on,
                recorded_at=now - dt.timedelta(hours=rng.randint(1, 72)),
            )
            for e in episodes
        ],
        batch_size=5000,
    )
    high = RiskChange.objects.filter(level="high").count()
    wanted = max(0, items - len(episodes) - high)
    Referral.objects.bulk_create(
        [
            Referral(
                child=children[i % len(children)],
                received_at=now - dt.timedelta(minutes=rng.randint(1, 60 * 24 * 10)),
                source="6",
                concerns="Synthetic concern for the triage bench",
                exploitation_types=["cse"],
            )
            for i in range(wanted)
        ],
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return len(children)


def _old_queue() -> int:
    """The old approach: every item computed in Python from the record, coloured and sorted."""
    from django.utils import timezone  # noqa: PLC0415

    from safehub.people.models import Child  # noqa: PLC0415
    from safehub.rules import working_time  # noqa: PLC0415
    from safehub.triage import sources  # noqa: PLC0415

    now = timezone.now()
    children = Child.objects.all()
    items = [
        (item.due, working_time.rag(now=now, due=item.due, period_start=item.start))
        for s in sources.SOURCES.values()
        for item in s.compute(children)
    ]
    items.sort(key=lambda i: i[0])
    return len(items)


def main() -> None:  # noqa: PLR0915 - one scripted run
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--old-runs", type=int, default=3)
    args = parser.parse_args()
    _setup()
    from django.db import connection, transaction  # noqa: PLC0415
    from django.test import Client  # noqa: PLC0415
    from django.utils import timezone  # noqa: PLC0415
    from django_otp import DEVICE_ID_SESSION_KEY  # noqa: PLC0415
    from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: PLC0415

    from safehub.access.models import Agency, AgencyType, Role, User  # noqa: PLC0415
    from safehub.triage import queries, store  # noqa: PLC0415
    from safehub.triage.models import DueRow  # noqa: PLC0415

    agency = Agency.objects.create(name="Hub", agency_type=AgencyType.CHILDRENS_SERVICES)
    manager = User.objects.create(username="manager", role=Role.HUB_MANAGER, agency=agency)
    workers = [
        User.objects.create(username=f"worker{i}", role=Role.HUB_PRACTITIONER, agency=agency)
        for i in range(20)
    ]
    start = time.perf_counter()
    children = _generate(args.items, workers)
    print(
        f"generated {children} children with their records in {time.perf_counter() - start:.1f} s"
    )
    start = time.perf_counter()
    with transaction.atomic():
        rows = store.refresh_all()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE triage_duerow")
    print(f"due rows built: {rows} in {time.perf_counter() - start:.1f} s")
    open_rows = DueRow.objects.filter(queries.sources.windowed(timezone.now())).count()
    print(f"open due items in the queue: {open_rows}")

    client = Client()
    with transaction.atomic():
        client.force_login(manager)
    device = TOTPDevice.objects.create(user=manager, name="bench", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    pages = {
        "first page (all, by due)": "/triage",
        "first page, unallocated": "/triage?scope=unallocated",
        "first page, high risk, red": "/triage?risk=high&rag=red",
        "first page, by highest risk": "/triage?sort=risk",
        "page 100": "/triage?page=100",
    }
    for name, path in pages.items():
        client.get(path)  # warm
        times = []
        for _ in range(args.runs):
            begin = time.perf_counter()
            response = client.get(path)
            times.append(time.perf_counter() - begin)
            assert response.status_code == 200, (path, response.status_code)
        print(f"GET {name:<30} {_summary(times)}")
    mine = Client()
    with transaction.atomic():
        mine.force_login(workers[0])
    device = TOTPDevice.objects.create(user=workers[0], name="bench", confirmed=True)
    session = mine.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    times = []
    for _ in range(args.runs):
        begin = time.perf_counter()
        assert mine.get("/triage?scope=mine").status_code == 200
        times.append(time.perf_counter() - begin)
    print(f"GET {'first page, mine (a worker)':<30} {_summary(times)}")

    times = []
    for _ in range(args.old_runs):
        begin = time.perf_counter()
        n = _old_queue()
        times.append(time.perf_counter() - begin)
    print(f"old approach (all {n} items in Python) {_summary(times)} over {args.old_runs} runs")

    # The queries the first page runs, each explained with its real timings.
    from django.test.utils import CaptureQueriesContext  # noqa: PLC0415

    with transaction.atomic(), CaptureQueriesContext(connection) as captured:
        queries.queue_page(manager)
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            if "triage_duerow" not in query["sql"] or not query["sql"].startswith("SELECT"):
                continue
            cursor.execute(f"EXPLAIN ANALYZE {query['sql']}")
            print(f"\nEXPLAIN ANALYZE of: {query['sql'][:160]}...")
            for (line,) in cursor.fetchall():
                print(f"  {line}")
    connection.close()
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        c.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")


if __name__ == "__main__":
    main()
