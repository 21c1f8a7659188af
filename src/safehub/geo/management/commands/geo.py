from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from safehub.access.policy import SYSTEM
from safehub.geo import services


class Command(BaseCommand):
    help = "Geography: load the shipped wards, import the ONS postcode directory, place an address."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("load-wards", help="Load the ward sets shipped with Safehub (re-runnable).")
        imp = sub.add_parser(
            "import-postcodes",
            help="Import postcode-to-ward rows from an ONS postcode directory CSV, all or nothing.",
        )
        imp.add_argument("file", type=Path, help="CSV with a `pcds` column and a ward column.")
        imp.add_argument(
            "--ward-column",
            default="osward",
            help="Column holding the ward code (ONSPD: `osward`; default %(default)s).",
        )
        res = sub.add_parser("resolve", help="Show which ward an address falls in on a date.")
        res.add_argument("--on", type=dt.date.fromisoformat, default=dt.datetime.now(dt.UTC).date())
        res.add_argument("--postcode")
        res.add_argument("--lon", type=float)
        res.add_argument("--lat", type=float)
        res.add_argument("--ward-code")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "load-wards":
            summary = services.load_reference_data(acting_user=SYSTEM)
            self.stdout.write(
                f"Loaded {summary.ward_sets} ward set(s): {summary.wards} wards in "
                f"{summary.area_committees} area committees."
            )
        elif action == "import-postcodes":
            self._import_postcodes(options["file"], options["ward_column"])
        else:
            self._resolve(options)

    def _import_postcodes(self, path: Path, ward_column: str) -> None:
        if not path.is_file():
            raise CommandError(f"{path} is not a file.")
        with path.open(encoding="utf-8-sig", newline="") as stream:
            try:
                result = services.import_postcodes(
                    stream,
                    ward_column=ward_column,
                    acting_user=SYSTEM,
                    progress=lambda n: self.stderr.write(f"  {n:,} rows read…"),
                )
            except services.PostcodeImportError as error:
                for problem in error.result.problems:
                    self.stderr.write(f"{path.name}: {problem}")
                raise CommandError(
                    f"{len(error.result.problems)} problem(s) in {path.name}; nothing was imported."
                ) from error
        self.stdout.write(
            f"Read {result.rows_read:,} rows: {result.imported:,} imported or updated, "
            f"{result.unchanged:,} unchanged, {result.outside_district:,} outside the district."
        )

    def _resolve(self, options: dict[str, Any]) -> None:
        resolution = services.resolve_ward(
            on=options["on"],
            postcode=options["postcode"],
            longitude=options["lon"],
            latitude=options["lat"],
            ward_code=options["ward_code"],
            acting_user=SYSTEM,
        )
        if resolution.ward is None:
            self.stderr.write(resolution.problem)
            sys.exit(1)
        ward = resolution.ward
        self.stdout.write(
            f"{ward.code} {ward.name} ({ward.area_committee.name}) by {resolution.method}"
        )
