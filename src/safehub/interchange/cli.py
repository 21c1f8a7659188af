"""`safehub import history DIR` and `safehub export history DIR`: arguments and output.

The `import` command lives with the referral importer (`safehub import referrals`); its
`history` subcommand is defined here and delegated to, so both kinds sit under one name.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, OutputWrapper

from safehub.access.models import User
from safehub.access.policy import SYSTEM, Principal
from safehub.interchange import exporter, formats, importer
from safehub.referrals.import_lock import ImportBusyError

AS_HELP = (
    "The username of the person the import or export is done as: it is recorded as theirs. "
    "Without it, the server's operator (SYSTEM) does it, which the audit trail records as the "
    "command line."
)


def add_import_arguments(parser: Any) -> None:
    parser.add_argument(
        "directory", type=Path, help="A folder in the format of docs/history-format.md."
    )
    parser.add_argument("--as", dest="as_user", metavar="USERNAME", help=AS_HELP)
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="Check every file and say what would be imported; write nothing.",
    )


def add_export_arguments(parser: Any) -> None:
    parser.add_argument(
        "directory", type=Path, help="The folder to write (created if need be; files replaced)."
    )
    parser.add_argument("--as", dest="as_user", metavar="USERNAME", help=AS_HELP)


def acting_user(username: str | None) -> Principal:
    if not username:
        return SYSTEM
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"No active user is called {username!r}.")
    return user


def run_import(options: dict[str, Any], *, stdout: OutputWrapper, stderr: OutputWrapper) -> None:
    directory: Path = options["directory"]
    user = acting_user(options.get("as_user"))
    started = time.monotonic()

    def progress(kind: str, done: int, total: int) -> None:
        stderr.write(
            f"{kind}: {done:,} of {total:,} written ({time.monotonic() - started:.0f} s)\n"
        )

    try:
        result = importer.import_history(
            directory, acting_user=user, dry_run=options["dry_run"], progress=progress
        )
    except importer.HistoryImportError as error:
        stderr.writelines(f"{problem}\n" for problem in error.result.problems)
        raise CommandError(
            f"{len(error.result.problems)} problem(s) in {directory}; nothing was imported."
        ) from error
    except ImportBusyError as error:
        raise CommandError(f"{directory}: {error}.") from error
    lead = "Dry run: nothing was written. Would import" if result.dry_run else "Imported"
    stdout.write(f"{lead} from {result.source_system} ({directory}):\n")
    for spec in formats.FILES:
        name = spec.name
        stdout.write(
            f"  {spec.filename}: {result.rows_read[name]} rows, {result.created[name]} new, "
            f"{result.corrected[name]} corrected, {result.unchanged[name]} unchanged\n"
        )
    if result.learned_now:
        stdout.write(
            f"{len(result.learned_now)} correction(s) dated before Safehub's history of the "
            "record were recorded as learned now (docs/history-format.md):\n"
        )
        stdout.writelines(f"  {notice}\n" for notice in result.learned_now)


def run_export(options: dict[str, Any], *, stdout: OutputWrapper) -> None:
    directory: Path = options["directory"]
    result = exporter.export_history(directory, acting_user=acting_user(options.get("as_user")))
    total = sum(result.rows.values())
    stdout.write(f"Exported {total} rows to {directory}:\n")
    stdout.writelines(f"  {name}.csv: {count} rows\n" for name, count in result.rows.items())
