from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from safehub.access.policy import SYSTEM
from safehub.crypto import keys, services


class Command(BaseCommand):
    help = (
        "Field encryption keys: `generate` prints a new key; `rotate` re-encrypts every "
        "encrypted value with the newest key in SAFEHUB_FIELD_KEYS (see docs/keys.md)."
    )

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("generate", help="Print a new Fernet key (nothing is stored).")
        sub.add_parser(
            "rotate",
            help="Re-encrypt every encrypted value, history included, with the newest key.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "generate":
            self.stdout.write(keys.generate())
            return
        try:
            rotated = services.rotate(acting_user=SYSTEM)
        except keys.UnreadableValueError as error:
            raise CommandError(str(error)) from error
        for table in rotated:
            self.stdout.write(f"  {table.table} ({', '.join(table.columns)}): {table.values:,}")
        total = sum(t.values for t in rotated)
        self.stdout.write(
            self.style.SUCCESS(
                f"Re-encrypted {total:,} values in {len(rotated)} tables with the newest key. "
                "Older keys can now be removed from SAFEHUB_FIELD_KEYS."
            )
        )
