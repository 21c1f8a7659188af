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


def _moment(text: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


class Command(BaseCommand):
    # Django's system checks import every view and the API first, which is most of a
    # command's start-up; `safehub check` (and `serve`, `migrate`) run them.
    requires_system_checks: list[str] = []
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
        source = committee.add_mutually_exclusive_group()
        source.add_argument("--snapshot", help="Snapshot id (default: the latest).")
        source.add_argument(
            "--as-known-at",
            type=_moment,
            help="Take a new snapshot as known at this time (ISO 8601; UTC if no offset) and "
            "report from it, in one step.",
        )
        committee.add_argument("--snapshot-dir", type=Path, help="Snapshot directory.")
        committee.add_argument(
            "--compare-with",
            help="Id of the snapshot an earlier edition was published from: explain revisions.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        common = {
            "area": options["area"],
            "as_of": options["as_of"],
            "edition": options["edition"],
            "fmt": options["format"],
            "root": options["snapshot_dir"],
            "compare_with": options["compare_with"],
            "acting_user": SYSTEM,
        }
        try:
            if options["as_known_at"] is not None:
                manifest, content = services.committee_report_as_known_at(
                    as_known_at=options["as_known_at"], **common
                )
                self.stdout.write(
                    f"Snapshot {manifest.id} written, as known at {manifest.data['knowledge_time']}"
                )
            else:
                content = services.committee_report(snapshot_id=options["snapshot"], **common)
        except (ReportError, snapshot.SnapshotError) as error:
            raise CommandError(str(error)) from error
        except DisclosureError as error:
            raise CommandError(f"the public edition was not written: {error}") from error
        out: Path = options["out"]
        out.write_bytes(content)
        self.stdout.write(f"Wrote {out} ({len(content):,} bytes)")
