from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from safehub.audit import services as audit
from safehub.operations import backup


class Command(BaseCommand):
    # Django's system checks import every view and the API first, which is most of a
    # command's start-up; `safehub check` (and `serve`, `migrate`) run them.
    requires_system_checks: list[str] = []
    help = (
        "Restore a backup folder made by `safehub backup` into an EMPTY database (and the "
        "snapshot folder), check it against its manifest, and compare every table's rows."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("folder", type=Path, help="A safehub-backup-… folder.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            made = backup.restore(options["folder"])
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        with transaction.atomic():
            audit.write(None, "backup:restored", object_type="backup", object_id=made.path.name)
        self.stdout.write(
            f"Restored {made.path.name}: {len(made.tables)} tables, "
            f"{sum(made.tables.values())} rows, every count as backed up. "
            "Next: `safehub audit verify`."
        )
