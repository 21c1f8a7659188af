from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from safehub.analytics import snapshot


class Command(BaseCommand):
    help = "Write a synthetic snapshot (no database) for benchmarking the metrics at scale."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--children", type=int, required=True)
        parser.add_argument("--years", type=int, default=10)
        parser.add_argument("--out", type=Path, required=True, help="New directory to write.")
        parser.add_argument("--seed", type=int, default=2016)

    def handle(self, *args: Any, **options: Any) -> None:
        from safehub.analytics import synth  # noqa: PLC0415 - numpy and pyarrow: not for --help

        try:
            manifest = synth.generate(
                children=options["children"],
                years=options["years"],
                out=options["out"],
                seed=options["seed"],
            )
        except snapshot.SnapshotError as error:
            raise CommandError(str(error)) from error
        rows = ", ".join(f"{k} {v['rows']:,}" for k, v in manifest.data["tables"].items())
        self.stdout.write(f"Synthetic snapshot written to {manifest.path}\n  {rows}")
