from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from safehub import config
from safehub.audit import services as audit
from safehub.operations import backup


def default_folder() -> Path:
    configured = config.get("SAFEHUB_BACKUP_DIR")
    return Path(configured) if configured else Path(config.get("SAFEHUB_VAR_DIR")) / "backups"


class Command(BaseCommand):
    # Django's system checks import every view and the API first, which is most of a
    # command's start-up; `safehub check` (and `serve`, `migrate`) run them.
    requires_system_checks: list[str] = []
    help = (
        "Back up the database (pg_dump custom format, or SQLite's online backup), the analytics "
        "snapshots and the audit checkpoints into a new folder; --keep prunes older backups."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--to", type=Path, help="Folder to write into (SAFEHUB_BACKUP_DIR).")
        parser.add_argument(
            "--keep", type=int, help="Afterwards, keep only the newest KEEP backups there."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        into = options["to"] or default_folder()
        if options["keep"] is not None and options["keep"] < 1:
            raise CommandError("--keep must be at least 1")
        try:
            made = backup.create(into)
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        with transaction.atomic():
            audit.write(None, "backup:created", object_type="backup", object_id=made.path.name)
        rows = sum(made.tables.values())
        self.stdout.write(
            f"Backup written to {made.path}: {made.engine}, {len(made.tables)} tables, {rows} rows."
        )
        if options["keep"]:
            for gone in backup.prune(into, keep=options["keep"]):
                self.stdout.write(f"Deleted the older backup {gone.name}.")
