from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from safehub.access.policy import SYSTEM
from safehub.analytics import snapshot
from safehub.reports import services
from safehub.reports.committee import EDITIONS, ReportError
from safehub.reports.render import FORMATS
from safehub.rules.disclosure import DisclosureError


class Command(BaseCommand):
    help = "Reports built from a snapshot: `report committee` for an area committee."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="kind", required=True)
        committee = sub.add_parser("committee", help="The area committee report.")
        committee.add_argument(
            "--area",
            required=True,
            help="Area committee, or the local authority's name for the whole district.",
        )
        committee.add_argument("--as-of", required=True, type=dt.date.fromisoformat)
        committee.add_argument("--edition", choices=EDITIONS, default="restricted")
        committee.add_argument("--format", choices=FORMATS, default="html")
        committee.add_argument("--out", required=True, type=Path)
        committee.add_argument("--snapshot", help="Snapshot id (default: the latest).")
        committee.add_argument("--snapshot-dir", type=Path, help="Snapshot directory.")
        committee.add_argument(
            "--compare-with",
            help="Id of the snapshot an earlier edition was published from: explain revisions.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            content = services.committee_report(
                area=options["area"],
                as_of=options["as_of"],
                edition=options["edition"],
                fmt=options["format"],
                snapshot_id=options["snapshot"],
                root=options["snapshot_dir"],
                compare_with=options["compare_with"],
                acting_user=SYSTEM,
            )
        except (ReportError, snapshot.SnapshotError) as error:
            raise CommandError(str(error)) from error
        except DisclosureError as error:
            raise CommandError(f"the public edition was not written: {error}") from error
        out: Path = options["out"]
        out.write_bytes(content)
        self.stdout.write(f"Wrote {out} ({len(content):,} bytes)")
