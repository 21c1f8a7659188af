"""`safehub match train|index|dedupe|benchmark`: the matching model and what it finds.

- `train` estimates the model from the children held (or `--synthetic N` records) and
  saves it with a new version under `SAFEHUB_VAR_DIR/matching/`.
- `index` files every child under their blocking keys again (after a bulk import).
- `dedupe` offers likely duplicate pairs to the review queue (runs on a schedule too).
- `benchmark` prints precision, recall, F1, wall time and peak memory (docs/matching.md).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from safehub.access.models import User
from safehub.access.policy import SYSTEM, Principal


def progress_bar(label: str) -> Any:
    started = time.monotonic()

    def show(done: int, total: int) -> None:
        if total:
            filled = int(30 * done / total)
            bar = "#" * filled + "-" * (30 - filled)
            sys.stderr.write(f"\r{label} [{bar}] {done:,}/{total:,}")
        else:
            sys.stderr.write(f"\r{label} {done:,} read")
        sys.stderr.write(f"  {time.monotonic() - started:.0f} s")
        if total and done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return show


class Command(BaseCommand):
    help = "Train the matching model, find duplicates, or benchmark it. See docs/matching.md."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        train = sub.add_parser("train", help="Estimate the model and save a new version.")
        train.add_argument(
            "--synthetic",
            type=int,
            metavar="N",
            help="Train on N synthetic records instead of the children held.",
        )
        train.add_argument(
            "--max-pairs",
            type=float,
            default=2e6,
            help="Cap on pairs for u sampling and each EM block.",
        )
        train.add_argument(
            "--output", type=Path, help="Directory to save in (default SAFEHUB_VAR_DIR/matching)."
        )
        sub.add_parser("index", help="File every child under their blocking keys again.")
        dedupe = sub.add_parser("dedupe", help="Offer likely duplicate pairs for review.")
        dedupe.add_argument(
            "--threshold",
            type=float,
            default=0.5,
            help="Lowest match probability offered (default 0.5).",
        )
        dedupe.add_argument(
            "--as",
            dest="username",
            help="The account the review queue records as offering the pairs "
            "(default: the server itself).",
        )
        bench = sub.add_parser("benchmark", help="Precision, recall and F1 on labelled data.")
        bench.add_argument("--dataset", required=True, help="febrl3, febrl4, synthetic or PATH.csv")
        bench.add_argument(
            "--records",
            type=int,
            help="How many records (synthetic: default 100,000; CSV: the first N).",
        )
        bench.add_argument("--engine", choices=("duckdb", "spark"), default="duckdb")
        bench.add_argument(
            "--baseline",
            action="store_true",
            help="Also run recordlinkage's standard recipe on the same records.",
        )
        bench.add_argument(
            "--threshold",
            type=float,
            default=0.5,
            help="Match probability at or above which a pair is a match (default 0.5).",
        )
        bench.add_argument(
            "--model",
            type=Path,
            help="A saved model (model-vN.json) to reuse instead of training on the records.",
        )
        bench.add_argument(
            "--memory-limit",
            default="4GB",
            help="DuckDB's memory limit; beyond it DuckDB spills to disk (default 4GB).",
        )
        bench.add_argument(
            "--baseline-timeout",
            type=float,
            default=1800,
            help="Seconds after which the baseline is stopped and reported unfinished.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _train(self, options: dict[str, Any]) -> None:
        from safehub.matching import index, model, synthetic  # noqa: PLC0415

        if options["synthetic"]:
            raws = list(synthetic.generate(options["synthetic"]))
            table = model.frame(model.standardised(r) for r in raws)
        else:
            table = model.frame(index.records())
            table["unique_id"] = table["unique_id"].astype("int64")
        if len(table) < 1000:  # noqa: PLR2004 - too few to estimate from
            raise CommandError(f"{len(table)} records are too few to train on (1,000 at least)")
        linker = model.train(table, max_pairs=options["max_pairs"])
        saved = model.save(linker, records=len(table), directory=options["output"])
        self.stdout.write(f"Model {saved.version} trained on {len(table):,} records")

    def _index(self, options: dict[str, Any]) -> None:
        from safehub.matching import index  # noqa: PLC0415

        done = index.rebuild(progress=progress_bar("Indexing children"))
        self.stdout.write(f"{done:,} children indexed")

    def _dedupe(self, options: dict[str, Any]) -> None:
        from safehub.duplicates.services import offer_pairs  # noqa: PLC0415
        from safehub.matching import dedupe  # noqa: PLC0415

        acting: Principal = SYSTEM
        if options["username"]:
            try:
                acting = User.objects.get(username=options["username"], is_active=True)
            except User.DoesNotExist as error:
                raise CommandError(f"No active account {options['username']!r}") from error
        pairs = dedupe.predict_pairs(
            threshold=options["threshold"], progress=progress_bar("Finding duplicates")
        )
        new = offer_pairs(pairs, acting_user=acting)
        self.stdout.write(f"{new:,} new pairs offered for review")

    def _benchmark(self, options: dict[str, Any]) -> None:
        import resource  # noqa: PLC0415

        from safehub.matching import benchmark  # noqa: PLC0415

        try:
            data = benchmark.load(options["dataset"], options["records"])
        except (OSError, ValueError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Dataset {data.name}: {data.records:,} records, {data.true_pairs():,} true pairs"
            f" ({'link' if data.link else 'dedupe'}), threshold {options['threshold']};"
            f" {data.phases.line()}"
        )
        results = benchmark.run(
            data,
            options=benchmark.Options(
                engine=options["engine"],
                threshold=options["threshold"],
                memory_limit=options["memory_limit"],
                saved_model=options["model"],
            ),
            baseline=options["baseline"],
            baseline_timeout=options["baseline_timeout"],
        )
        for result in results:
            self.stdout.write(result if isinstance(result, str) else "\n".join(result.lines()))
        load = (
            Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else []
        )
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        self.stdout.write(
            f"Load average at the end: {' '.join(load)}; {os.cpu_count()} cores; this "
            f"process's peak memory {peak:,.0f} MiB"
        )
