"""`safehub export history DIR [--as USERNAME]`: the hub's history in the history format."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from safehub.interchange import cli


class Command(BaseCommand):
    help = "Export records to files. See docs/history-format.md."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="kind", required=True)
        cli.add_export_arguments(
            sub.add_parser(
                "history",
                help="Export the hub's history (children, addresses, referrals, …) as CSV files.",
                description=(
                    "Writes one CSV file per kind and a manifest, in the format the history "
                    "import reads, limited to what the acting user may see. The export is "
                    "audited."
                ),
            )
        )

    def handle(self, *args: Any, **options: Any) -> None:
        cli.run_export(options, stdout=self.stdout)
