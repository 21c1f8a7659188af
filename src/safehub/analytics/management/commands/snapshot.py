from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from safehub.access.policy import SYSTEM
from safehub.analytics import snapshot


def _moment(text: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


class Command(BaseCommand):
    # Django's system checks import every view and the API first, which is most of a
    # command's start-up; `safehub check` (and `serve`, `migrate`) run them.
    requires_system_checks: list[str] = []
    help = "Analytics snapshots: create a pseudonymised extract, verify one, list them."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Write a snapshot of the history as known at T.")
        create.add_argument(
            "--as-known-at",
            dest="knowledge_time",
            type=_moment,
            help="Knowledge time T (ISO 8601; UTC if no offset): what Safehub had recorded by T "
            "(before its first import, what the old system had; docs/history-format.md). "
            "Default: now.",
        )
        create.add_argument("--id", dest="snapshot_id", help="Snapshot id (default from time).")
        create.add_argument("--dir", type=Path, help="Snapshot directory (default from config).")
        verify = sub.add_parser("verify", help="Check every file against the manifest's SHA-256.")
        verify.add_argument("snapshot_id")
        verify.add_argument("--dir", type=Path)
        listing = sub.add_parser("list", help="List the snapshots, oldest first.")
        listing.add_argument("--dir", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        root = options.get("dir")
        action = options["action"]
        try:
            if action == "create":
                manifest = snapshot.create(
                    acting_user=SYSTEM,
                    knowledge_time=options["knowledge_time"],
                    snapshot_id=options["snapshot_id"],
                    root=root,
                )
                rows = ", ".join(
                    f"{name} {entry['rows']:,}" for name, entry in manifest.data["tables"].items()
                )
                self.stdout.write(f"Snapshot {manifest.id} written to {manifest.path}\n  {rows}")
            elif action == "verify":
                manifest = snapshot.load(options["snapshot_id"], root=root)
                problems = snapshot.verify(manifest)
                if problems:
                    for problem in problems:
                        self.stderr.write(problem)
                    raise CommandError(f"snapshot {manifest.id} does not verify")
                self.stdout.write(f"Snapshot {manifest.id} verifies: sha256 {manifest.sha256}")
            else:
                for manifest in snapshot.list_all(root):
                    self.stdout.write(
                        f"{manifest.id}\tT={manifest.data['knowledge_time']}\t"
                        f"created {manifest.data['created_at']}\tsha256 {manifest.sha256[:16]}"
                    )
        except snapshot.SnapshotError as error:
            raise CommandError(str(error)) from error
