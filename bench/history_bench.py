"""History import benchmark: a council's whole hub history, imported on PostgreSQL.

    .venv/bin/python -m bench.history_bench [--children 100000] [--years 10] [--keep DIR]

Generates a synthetic extract in the history format (docs/history-format.md) — children with
address histories, referrals each screened and decided, episodes with their risk changes,
missing episodes — over `--years` years, then imports it into a fresh PostgreSQL database
(`safehub_bench_history`, dropped afterwards), imports it again (the idempotent path: nothing
new), and exports it. Prints one line per figure. Synthetic data only: invented names.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import psycopg

BENCH_DB = "safehub_bench_history"
SERVER = "postgresql://postgres@127.0.0.1:5432"
WARDS = [f"E0500{1341 + i}" for i in range(30)]
GIVEN = ["Testa", "Exemplo", "Placeholda", "Samplo", "Dummia", "Fictio", "Mocka", "Specimo"]
FAMILY = ["Samplewell", "Fictitious", "Mockton", "Placeholder", "Testington", "Exampleby"]
ETHNICITY = ["WBRI", "WBRI", "WBRI", "APKN", "APKN", "WROM", "MWBC", "BAFR", "AOTH", "NOBT"]
SOURCES = ["6", "2A", "2B", "5D", "8", "1A", "3E"]
TYPES = ["cse", "cce", "cse;online", "cce;trafficking", "online"]
LEVELS = ["low", "medium", "high"]
OUTCOMES = ["no_further_action", "advice", "pathway_referral", "strategy_discussion"]
UTC = dt.UTC


def _moment(day: dt.date, rng: random.Random) -> str:
    at = dt.datetime.combine(day, dt.time(rng.randint(8, 19), rng.choice((0, 15, 30, 45))), UTC)
    return at.isoformat()


def generate(directory: Path, *, children: int, years: int, seed: int = 6) -> dict[str, int]:  # noqa: C901, PLR0915 - one generator, kind by kind, reads best in one place
    """Write a synthetic extract of `children` children over `years` years to `directory`."""
    rng = random.Random(seed)
    end = dt.date(2024, 3, 31)
    start = end - dt.timedelta(days=365 * years)
    span = (end - start).days
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "manifest.json").write_text(
        json.dumps(
            {
                "format": "safehub-history",
                "version": 1,
                "source_system": "bench-legacy",
                "extracted_at": "2024-03-31T18:00:00+00:00",
            }
        ),
        encoding="utf-8",
    )
    names = [
        "children",
        "addresses",
        "episodes",
        "risk_changes",
        "referrals",
        "screenings",
        "decisions",
        "missing_episodes",
    ]
    handles = {n: (directory / f"{n}.csv").open("w", encoding="utf-8", newline="") for n in names}
    out = {n: csv.writer(h, lineterminator="\n") for n, h in handles.items()}
    out["children"].writerow(
        ["child_id", "given_name", "family_name", "date_of_birth", "sex", "ethnicity",
         "ethnicity_source", "first_language", "nationality"]
    )  # fmt: skip
    out["addresses"].writerow(["address_id", "child_id", "valid_from", "valid_to", "ward_code"])
    out["episodes"].writerow(["episode_id", "child_id", "opened_on", "closed_on", "closure_reason"])
    out["risk_changes"].writerow(
        ["risk_change_id", "episode_id", "level", "effective_on", "reason"]
    )
    out["referrals"].writerow(
        ["referral_id", "child_id", "received_at", "source", "exploitation_types", "concerns",
         "external_reference", "episode_id"]
    )  # fmt: skip
    out["screenings"].writerow(["screening_id", "referral_id", "screened_at", "computed_level"])
    out["decisions"].writerow(["decision_id", "referral_id", "outcome", "decided_at"])
    out["missing_episodes"].writerow(["missing_id", "child_id", "kind", "started_at", "ended_at"])
    counts = dict.fromkeys(names, 0)
    for n in range(children):
        child = f"C{n:07d}"
        first_seen = start + dt.timedelta(days=rng.randrange(span - 60))
        born = first_seen - dt.timedelta(days=rng.randint(10 * 365, 17 * 365))
        out["children"].writerow(
            [child, rng.choice(GIVEN), rng.choice(FAMILY), born.isoformat(), rng.choice("FFFM"),
             rng.choice(ETHNICITY), rng.choice(("self_identified", "parent_carer")), "English",
             "British"]
        )  # fmt: skip
        counts["children"] += 1
        # Addresses: consecutive periods from before the first referral to now.
        moves = rng.randint(1, 3)
        day = first_seen - dt.timedelta(days=rng.randint(30, 900))
        for a in range(moves):
            until = None if a == moves - 1 else day + dt.timedelta(days=rng.randint(90, 1200))
            if until is not None and until >= end:
                until = None
            out["addresses"].writerow(
                [f"{child}-A{a}", child, day.isoformat(), until.isoformat() if until else "",
                 rng.choice(WARDS)]
            )  # fmt: skip
            counts["addresses"] += 1
            if until is None:
                break
            day = until
        # Referrals, each screened and decided; most open an episode with its risk history.
        day = first_seen
        for r in range(rng.randint(1, 3)):
            if day >= end - dt.timedelta(days=10):
                break
            referral = f"{child}-R{r}"
            received = day
            level = rng.choice(LEVELS)
            episode = ""
            if rng.random() < 0.6:
                episode = f"{child}-E{r}"
                closed = day + dt.timedelta(days=rng.randint(60, 600))
                open_now = closed >= end
                out["episodes"].writerow(
                    [episode, child, day.isoformat(), "" if open_now else closed.isoformat(),
                     "" if open_now else "Risk reduced"]
                )  # fmt: skip
                counts["episodes"] += 1
                effective = day
                for k in range(rng.randint(1, 4)):
                    out["risk_changes"].writerow(
                        [f"{episode}-K{k}", episode, level if k == 0 else rng.choice(LEVELS),
                         effective.isoformat(), "Reviewed"]
                    )  # fmt: skip
                    counts["risk_changes"] += 1
                    effective += dt.timedelta(days=rng.randint(14, 120))
                    if effective >= min(closed, end):
                        break
                day = min(closed, end)
            out["referrals"].writerow(
                [referral, child, _moment(received, rng),
                 rng.choice(SOURCES), rng.choice(TYPES), "Synthetic concern for benchmarking.",
                 f"BENCH-{referral}", episode]
            )  # fmt: skip
            out["screenings"].writerow(
                [f"{referral}-S", referral, _moment(received, rng), level]
            )  # fmt: skip
            out["decisions"].writerow(
                [f"{referral}-D", referral, rng.choice(OUTCOMES),
                 _moment(received + dt.timedelta(days=1), rng)]
            )  # fmt: skip
            counts["referrals"] += 1
            counts["screenings"] += 1
            counts["decisions"] += 1
            day += dt.timedelta(days=rng.randint(30, 400))
        for m in range(rng.choice((0, 0, 1, 2, 3))):
            went = first_seen + dt.timedelta(days=rng.randint(0, 400), hours=rng.randint(0, 20))
            if went >= end:
                break
            started = dt.datetime.combine(went, dt.time(20), UTC)
            ended = started + dt.timedelta(hours=rng.randint(2, 60))
            out["missing_episodes"].writerow(
                [f"{child}-M{m}", child, "missing", started.isoformat(), ended.isoformat()]
            )
            counts["missing_episodes"] += 1
    for handle in handles.values():
        handle.close()
    return counts


def _setup() -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as c:
        c.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
        c.execute(f"CREATE DATABASE {BENCH_DB}")
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{BENCH_DB}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "safehub.settings.demo"
    import django  # noqa: PLC0415

    django.setup()
    from django.core.management import call_command  # noqa: PLC0415

    call_command("migrate", verbosity=0)
    from safehub.access.policy import SYSTEM  # noqa: PLC0415
    from safehub.geo import services  # noqa: PLC0415

    services.load_reference_data(acting_user=SYSTEM)


def _teardown() -> None:
    from django.db import connections  # noqa: PLC0415

    connections.close_all()
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as c:
        c.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")  # leave the server as we found it


def run(children: int, years: int, keep: Path | None, *, again_too: bool = True) -> None:
    folder = keep or Path(tempfile.mkdtemp()) / "history"
    began = time.perf_counter()
    counts = generate(folder, children=children, years=years)
    total = sum(counts.values())
    print(f"generate {total:,} rows ({counts}) in {time.perf_counter() - began:.1f} s")
    _setup()
    try:
        from safehub.access.policy import SYSTEM  # noqa: PLC0415
        from safehub.interchange import exporter, importer  # noqa: PLC0415

        def progress(kind: str, done: int, of: int) -> None:
            if done == of or done % 50_000 == 0:
                print(f"  {kind}: {done:,}/{of:,} ({time.perf_counter() - began:.0f} s)")

        from bench import cpu  # noqa: PLC0415

        used = cpu.now()
        began = time.perf_counter()
        result = importer.import_history(folder, acting_user=SYSTEM, progress=progress)
        first = time.perf_counter() - began
        print(
            f"import   {total:,} rows, {sum(result.created.values()):,} new: {first:.1f} s "
            f"= {total / first:,.0f} rows/s"
        )
        print(f"  {cpu.now() - used}; load average {os.getloadavg()[0]:.1f}")
        if not again_too:
            return
        began = time.perf_counter()
        again = importer.import_history(folder, acting_user=SYSTEM)
        second = time.perf_counter() - began
        print(
            f"re-import (no change): {second:.1f} s, {sum(again.created.values())} new, "
            f"{sum(again.unchanged.values()):,} unchanged"
        )
        began = time.perf_counter()
        exported = exporter.export_history(folder.parent / "export", acting_user=SYSTEM)
        print(f"export   {sum(exported.rows.values()):,} rows: {time.perf_counter() - began:.1f} s")
    finally:
        _teardown()
        if keep is None:
            shutil.rmtree(folder.parent, ignore_errors=True)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory {rss:,.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--children", type=int, default=100_000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--keep", type=Path, help="Write the generated extract here and keep it.")
    parser.add_argument(
        "--first-only",
        action="store_true",
        help="Time the first import only: no re-import, export.",
    )
    args = parser.parse_args()
    run(args.children, args.years, args.keep, again_too=not args.first_only)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
