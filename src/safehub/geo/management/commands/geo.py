from __future__ import annotations

import contextlib
import datetime as dt
import json
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
        wards = sub.add_parser(
            "import-wards",
            help="Load a council's wards from an ONS ward boundary GeoJSON, all or nothing.",
        )
        wards.add_argument(
            "file", type=Path, help="GeoJSON with WDyyCD/WDyyNM (any year) or code/name."
        )
        wards.add_argument("--set", required=True, dest="set_name", help="Name of the ward set.")
        wards.add_argument(
            "--from",
            required=True,
            dest="valid_from",
            type=dt.date.fromisoformat,
            help="First day the wards are in force (the day of the election that brings them in).",
        )
        wards.add_argument(
            "--to",
            dest="valid_to",
            type=dt.date.fromisoformat,
            default=None,
            help="First day they are no longer in force; leave out while they still are.",
        )
        wards.add_argument(
            "--areas",
            type=Path,
            default=None,
            help="CSV of ward_code,area_committee (optionally local_authority_code and "
            "local_authority_name).",
        )
        wards.add_argument("--authority-code", default="", help="ONS code of the local authority.")
        wards.add_argument("--authority-name", default="", help="Name of the local authority.")
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
        elif action == "import-wards":
            self._import_wards(options)
        elif action == "import-postcodes":
            self._import_postcodes(options["file"], options["ward_column"])
        else:
            self._resolve(options)

    def _import_wards(self, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        areas: Path | None = options["areas"]
        for given in (path, areas):
            if given is not None and not given.is_file():
                raise CommandError(f"{given} is not a file.")
        try:
            collection = json.loads(path.read_text(encoding="utf-8-sig"))
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise CommandError(f"{path.name} is not GeoJSON: {error}") from error
        try:
            with contextlib.ExitStack() as stack:
                stream = (
                    stack.enter_context(areas.open(encoding="utf-8-sig", newline=""))
                    if areas is not None
                    else None
                )
                result = services.import_wards(
                    collection,
                    set_name=options["set_name"],
                    valid_from=options["valid_from"],
                    valid_to=options["valid_to"],
                    areas=stream,
                    authority_code=options["authority_code"],
                    authority_name=options["authority_name"],
                    acting_user=SYSTEM,
                )
        except services.WardImportError as error:
            for problem in error.problems:
                self.stderr.write(f"{path.name}: {problem}")
            raise CommandError(
                f"{len(error.problems)} problem(s) in {path.name}; nothing was loaded."
            ) from error
        verb = "Loaded" if result.created else "Updated"
        self.stdout.write(
            f"{verb} the ward set {result.ward_set!r} of {result.local_authority}: "
            f"{result.wards} wards in {result.area_committees} area committee(s)."
        )

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
