"""Referral import benchmark: `safehub import referrals` of a large file, through the command.

    .venv/bin/python -m bench.referral_import_bench [--rows 100000] [--engine postgres|sqlite]

Generates a synthetic referrals CSV (docs/import-format.md; invented names and numbers): about
one child in six is referred more than once, matched by NHS number or by name and date of
birth; half the rows give a postcode and a referring agency. Imports it into a fresh database
(PostgreSQL `safehub_bench_referrals`, dropped afterwards, or a temporary SQLite file) with
`call_command("import", "referrals", …)`, exactly as `safehub import referrals` runs, then
imports it again (the idempotent path: every row already imported). Prints one line per figure.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

import psycopg

BENCH_DB = "safehub_bench_referrals"
SERVER = "postgresql://postgres@127.0.0.1:5432"
GIVEN = ["Testa", "Exemplo", "Placeholda", "Samplo", "Dummia", "Fictio", "Mocka", "Specimo"]
FAMILY = ["Samplewell", "Fictitious", "Mockton", "Placeholder", "Testington", "Exampleby"]
ETHNICITY = ["WBRI", "WBRI", "APKN", "WROM", "MWBC", "BAFR", "NOBT"]
SOURCES = ["6", "2A", "2B", "5D", "8", "1A", "3E"]
TYPES = ["cse", "cce", "cse;online", "cce;trafficking", "online"]
POSTCODES = ["BD6 3AA", "BD4 0AA", "BD5 0AA", "BD3 9AA", "BD7 1AA", "BD8 7AA"]
AGENCIES = ["Bench Police", "Bench Education", "Bench Health"]
COLUMNS = [
    "external_reference", "received_at", "source", "referring_agency", "exploitation_types",
    "concerns", "given_name", "family_name", "date_of_birth", "sex", "ethnicity",
    "ethnicity_source", "nhs_number", "postcode",
]  # fmt: skip


def _nhs_number(stem: int) -> str | None:
    """A 10-digit number with a valid Modulus 11 check digit, or None for a stem without one."""
    digits = [int(c) for c in f"{stem:09d}"]
    check = 11 - sum(w * d for w, d in zip(range(10, 1, -1), digits, strict=True)) % 11
    if check == 10:
        return None
    return f"{stem:09d}{0 if check == 11 else check}"


def generate(path: Path, rows: int, seed: int = 10) -> int:
    """Write `rows` referrals to `path`; returns how many distinct children they name."""
    rng = random.Random(seed)
    start = dt.datetime(2015, 4, 1, 9, tzinfo=dt.UTC)
    children: list[dict[str, str]] = []
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(COLUMNS)
        for n in range(rows):
            if children and rng.random() < 0.17:
                child = rng.choice(children)
            else:
                born = dt.date(2001, 1, 1) + dt.timedelta(days=rng.randrange(3650))
                nhs = _nhs_number(900_000_000 + len(children)) if rng.random() < 0.6 else None
                child = {
                    # A serial in the family name keeps children without an NHS number apart.
                    "given_name": rng.choice(GIVEN),
                    "family_name": f"{rng.choice(FAMILY)}{len(children)}",
                    "date_of_birth": born.isoformat(),
                    "sex": rng.choice("FFFM"),
                    "ethnicity": rng.choice(ETHNICITY),
                    "ethnicity_source": "self_identified",
                    "nhs_number": nhs or "",
                }
                children.append(child)
            received = start + dt.timedelta(minutes=n * 7)
            out.writerow(
                [f"BENCH-{n:07d}", received.isoformat(), rng.choice(SOURCES),
                 rng.choice(AGENCIES) if rng.random() < 0.5 else "",
                 rng.choice(TYPES), "Synthetic concern for benchmarking, with a comma, here.",
                 child["given_name"], child["family_name"], child["date_of_birth"], child["sex"],
                 child["ethnicity"], child["ethnicity_source"], child["nhs_number"],
                 rng.choice(POSTCODES) if rng.random() < 0.5 else ""]
            )  # fmt: skip
    return len(children)


def _setup(engine: str) -> None:
    if engine == "postgres":
        with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as c:
            c.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
            c.execute(f"CREATE DATABASE {BENCH_DB}")
        os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{BENCH_DB}"
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    os.environ["DJANGO_SETTINGS_MODULE"] = "safehub.settings.demo"
    import django  # noqa: PLC0415

    django.setup()
    from django.core.management import call_command  # noqa: PLC0415
    from django.db import transaction  # noqa: PLC0415

    call_command("migrate", verbosity=0)
    from safehub.access.models import Agency, AgencyType, Role, User  # noqa: PLC0415
    from safehub.access.policy import SYSTEM  # noqa: PLC0415
    from safehub.geo import services  # noqa: PLC0415

    services.load_reference_data(acting_user=SYSTEM)
    with transaction.atomic():
        for name in AGENCIES:
            Agency.objects.create(name=name, agency_type=AgencyType.POLICE)
        User.objects.create_user(
            "bench", password=None, role=Role.HUB_PRACTITIONER, agency=Agency.objects.first()
        )


def _teardown(engine: str) -> None:
    from django.db import connections  # noqa: PLC0415

    connections.close_all()
    if engine == "postgres":
        with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as c:
            c.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")


def _import(path: Path) -> float:
    from django.core.management import call_command  # noqa: PLC0415

    from bench import cpu  # noqa: PLC0415

    out = io.StringIO()
    used = cpu.now()
    began = time.perf_counter()
    call_command("import", "referrals", str(path), "--as", "bench", stdout=out, stderr=sys.stdout)
    took = time.perf_counter() - began
    print(f"  {out.getvalue().strip()}")
    print(f"  {cpu.now() - used}; load average {os.getloadavg()[0]:.1f}")
    return took


def run(rows: int, engine: str) -> None:
    folder = Path(tempfile.mkdtemp())
    path = folder / "referrals.csv"
    began = time.perf_counter()
    children = generate(path, rows)
    print(
        f"generate {rows:,} rows about {children:,} children: {time.perf_counter() - began:.1f} s"
    )
    _setup(engine)
    try:
        first = _import(path)
        print(f"{engine} import {rows:,} rows: {first:.1f} s = {rows / first:,.0f} rows/s")
        again = _import(path)
        print(f"{engine} re-import (all already imported): {again:.1f} s")
    finally:
        _teardown(engine)
        path.unlink()
        folder.rmdir()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory {rss:,.0f} MiB; load average {os.getloadavg()[0]:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--engine", choices=("postgres", "sqlite"), default="postgres")
    args = parser.parse_args()
    run(args.rows, args.engine)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
