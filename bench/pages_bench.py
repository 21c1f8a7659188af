"""Page timings over the demo history: what a hub practitioner waits for.

    .venv/bin/python -m bench.pages_bench [--runs 20]

Loads the demo (geography, accounts and the generated Bradford history: about 11,000
children and 15,000 referrals) into a fresh SQLite file and a fresh PostgreSQL database, then
times the busiest pages in-process through Django's test client, signed in as the demo
practitioner. Prints the median and worst of the runs for each page, per engine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

import psycopg

BENCH_DB = "safehub_bench_pages"


def run_engine(engine: str, runs: int) -> None:
    # The test profile: static files served from the app folders, no collectstatic needed.
    os.environ.update(
        DJANGO_SETTINGS_MODULE="safehub.settings.test",
        SAFEHUB_TEST_DATABASE=engine,
        SAFEHUB_VAR_DIR=tempfile.mkdtemp(),
        SAFEHUB_TEST_POSTGRES_URL=f"postgres://postgres@127.0.0.1:5432/{BENCH_DB}",
    )
    if engine == "postgres":
        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
            c.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
            c.execute(f"CREATE DATABASE {BENCH_DB}")
    import django  # noqa: PLC0415

    django.setup()
    from django.core.management import call_command  # noqa: PLC0415
    from django.db import connection  # noqa: PLC0415

    call_command("migrate", verbosity=0)
    assert connection.vendor == {"sqlite": "sqlite", "postgres": "postgresql"}[engine]
    from django.db import transaction  # noqa: PLC0415
    from django.test import Client  # noqa: PLC0415
    from django_otp import DEVICE_ID_SESSION_KEY  # noqa: PLC0415
    from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: PLC0415

    from safehub.access.models import User  # noqa: PLC0415
    from safehub.access.policy import SYSTEM  # noqa: PLC0415
    from safehub.demo import services as demo  # noqa: PLC0415
    from safehub.episodes.models import Episode  # noqa: PLC0415

    start = time.perf_counter()
    demo.load(acting_user=SYSTEM)
    print(f"{engine:<8} demo load (history included): {time.perf_counter() - start:6.1f} s")
    busiest = Episode.objects.order_by("-opened_on").first()
    assert busiest is not None
    client = Client()
    with transaction.atomic():  # signing in writes its audit event in a transaction
        client.force_login(User.objects.get(username="practitioner"))
    # The code step done, as django_otp.login records it (the demo account has an app).
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(
        user__username="practitioner"
    ).persistent_id
    session.save()
    pages = {
        "triage queue": "/triage",
        "child page": f"/children/{busiest.child_id}",
        "child page as of 2016-10-27": f"/children/{busiest.child_id}?on_0=27&on_1=10&on_2=2016",
        "search 'test'": "/children/search?name=test",
        "API referrals list": "/api/v1/referrals",
    }
    for name, path in pages.items():
        times = []
        for _ in range(runs):
            begin = time.perf_counter()
            response = client.get(path)
            times.append(time.perf_counter() - begin)
            assert response.status_code == 200, (path, response.status_code)
        print(
            f"{engine:<8} {name:<28} median {statistics.median(times) * 1000:7.1f} ms, "
            f"worst {max(times) * 1000:7.1f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--engine", choices=["sqlite", "postgres"])
    args = parser.parse_args()
    if args.engine:
        run_engine(args.engine, args.runs)
        return
    for engine in ("sqlite", "postgres"):
        subprocess.run(  # noqa: S603
            [
                sys.executable,
                "-m",
                "bench.pages_bench",
                "--engine",
                engine,
                "--runs",
                str(args.runs),
            ],
            check=True,
        )
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        c.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")  # leave the server as we found it


if __name__ == "__main__":
    main()
