"""Audited requests in parallel on PostgreSQL: does the audit chain serialise them?

    .venv/bin/python -m bench.audit_bench [--threads 8] [--requests 50] [--work-ms 20]

Each thread plays requests: a transaction that writes an audit event, then does `--work-ms` of
other work (sleeping, so the figure is about waiting, not CPU) before it commits, and is sealed
after commit as in production. The same load runs twice: as the chain works now, and with the
old design's lock emulated (the chain's advisory lock taken at the audit write and held to
commit). Prints requests per second for each, and checks the chain at the end.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import threading
import time

import psycopg

BENCH_DB = "safehub_bench_audit"


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


def _run(threads: int, requests: int, work: float, *, hold_lock: bool) -> float:
    from django.db import connection, transaction  # noqa: PLC0415

    from safehub.audit import chain  # noqa: PLC0415
    from safehub.audit import services as audit  # noqa: PLC0415

    def player() -> None:
        try:
            for i in range(requests):
                with transaction.atomic():
                    audit.write(None, "bench:request", object_type="bench", object_id=str(i))
                    if hold_lock:
                        with connection.cursor() as cursor:
                            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [727_274_001])
                    time.sleep(work)
        finally:
            connection.close()

    workers = [threading.Thread(target=player) for _ in range(threads)]
    start = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - start
    assert chain.verify().ok
    return threads * requests / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--work-ms", type=float, default=20)
    args = parser.parse_args()
    _setup()
    work = args.work_ms / 1000
    for label, hold in (("lock held to commit (old)", True), ("sealed after commit (now)", False)):
        rate = _run(args.threads, args.requests, work, hold_lock=hold)
        print(f"{label:<28} {args.threads} threads: {rate:7.1f} requests/s")
    from django.db import connection  # noqa: PLC0415

    connection.close()
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        c.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")


if __name__ == "__main__":
    main()
