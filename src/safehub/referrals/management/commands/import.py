# ruff: noqa: N999 - Django names the command after its module, and the command is `import`.
"""`safehub import referrals FILE --as USERNAME [--dry-run]`; `safehub import history DIR`;
`safehub import awareness FILE --as USERNAME [--dry-run]`.

A subcommand per kind of record, so later imports (missing episodes, awareness sessions) join
this one under `safehub import` rather than each taking a top-level name. `history` is the
history importer's (safehub.interchange, docs/history-format.md), handed over to it whole.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from safehub.access.models import User
from safehub.awareness import services as awareness
from safehub.interchange import cli as history
from safehub.referrals import importer
from safehub.referrals.import_lock import ImportBusyError

AS_HELP = (
    "The username of the person the import is done as: it is recorded as theirs, and their "
    "role must allow importing referrals and recording them (a hub practitioner, hub manager "
    "or police hub officer). Required: the server's own SYSTEM identity may manage reference "
    "data and accounts but holds no permission over children's records, so a referral import "
    "always names the person accountable for it."
)
# Progress lines are written for kinds with more records than this.
PROGRESS_FROM = 5000


class Command(BaseCommand):
    help = "Import records from a file, all or nothing. See docs/import-format.md."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="kind", required=True)
        referrals = sub.add_parser(
            "referrals",
            help="Import referrals, each with its child's identity, from CSV or JSON Lines.",
            description=(
                "Every row is checked first and every problem listed with its row number; "
                "any problem means nothing is imported. Rows whose external_reference is "
                "already in Safehub are skipped, so importing a file twice adds nothing."
            ),
        )
        referrals.add_argument(
            "file", type=Path, help="A .csv or .jsonl file in the format of docs/import-format.md."
        )
        referrals.add_argument(
            "--as", dest="as_user", metavar="USERNAME", required=True, help=AS_HELP
        )
        referrals.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the file and say what would be imported; write nothing.",
        )
        history.add_import_arguments(
            sub.add_parser(
                "history",
                help="Import a hub's history from another system: a folder of CSV files.",
                description=(
                    "Every file and cross-reference is checked first and every problem listed "
                    "with its file, row and column; any problem means nothing is imported. "
                    "See docs/history-format.md."
                ),
            )
        )

        sessions = sub.add_parser(
            "awareness",
            help="Import awareness and training sessions from CSV.",
            description=(
                "Every row is checked first and every problem listed with its row number; "
                "any problem means nothing is imported. Rows whose reference is already in "
                "Safehub are skipped, so importing a file twice adds nothing."
            ),
        )
        sessions.add_argument(
            "file", type=Path, help="A .csv file in the format of docs/import-format.md."
        )
        sessions.add_argument(
            "--as",
            dest="as_user",
            metavar="USERNAME",
            required=True,
            help="The username the import is recorded as: an administrator or hub manager.",
        )
        sessions.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the file and say what would be imported; write nothing.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["kind"] == "history":
            history.run_import(options, stdout=self.stdout, stderr=self.stderr)
        elif options["kind"] == "awareness":
            self._awareness(options)
        else:
            self._referrals(options)

    def _referrals(self, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path} is not a file.")
        try:
            file_format = importer.format_for(path)
        except ValueError as error:
            raise CommandError(str(error)) from error
        user = User.objects.filter(username=options["as_user"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user is called {options['as_user']!r}.")
        dry_run = options["dry_run"]
        started = time.monotonic()

        def progress(kind: str, done: int, total: int) -> None:
            if total <= PROGRESS_FROM:
                return  # a small file is written in a moment
            self.stderr.write(
                f"{kind}: {done:,} of {total:,} written ({time.monotonic() - started:.0f} s)"
            )

        try:
            result = importer.import_referrals(
                path.read_bytes(),
                file_format=file_format,
                acting_user=user,
                dry_run=dry_run,
                progress=progress,
            )
        except importer.ReferralImportError as error:
            for problem in error.result.problems:
                self.stderr.write(f"{path.name}: {problem}")
            raise CommandError(
                f"{len(error.result.problems)} problem(s) in {path.name}; nothing was imported."
            ) from error
        except ImportBusyError as error:
            raise CommandError(f"{path.name}: {error}.") from error
        self.stdout.write(_summary(result, path.name))

    def _awareness(self, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path} is not a file.")
        user = User.objects.filter(username=options["as_user"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user is called {options['as_user']!r}.")
        try:
            result = awareness.import_sessions(
                path.read_bytes(), acting_user=user, dry_run=options["dry_run"]
            )
        except awareness.AwarenessImportError as error:
            for problem in error.result.problems:
                self.stderr.write(f"{path.name}: {problem}")
            raise CommandError(
                f"{len(error.result.problems)} problem(s) in {path.name}; nothing was imported."
            ) from error
        except ImportBusyError as error:
            raise CommandError(f"{path.name}: {error}.") from error
        sessions = f"{result.sessions} {_plural(result.sessions, 'session')}"
        if result.dry_run:
            self.stdout.write(
                f"Dry run: nothing was written. {path.name} would import {sessions} "
                f"({result.reached} people reached); {result.already_imported} already imported."
            )
        else:
            self.stdout.write(
                f"Imported {sessions} from {path.name} ({result.reached} people reached); "
                f"{result.already_imported} already imported."
            )


def _summary(result: importer.ReferralImport, name: str) -> str:
    children = (
        f"{result.new_children} new {_plural(result.new_children, 'child', 'children')}, "
        f"{result.matched_children} already known"
    )
    if result.dry_run:
        return (
            f"Dry run: nothing was written. {name} would import "
            f"{result.referrals} {_plural(result.referrals, 'referral')} "
            f"({children}); {result.already_imported} already imported."
        )
    return (
        f"Imported {result.referrals} {_plural(result.referrals, 'referral')} from "
        f"{name} ({children}; {result.addresses} "
        f"{_plural(result.addresses, 'address', 'addresses')} recorded); "
        f"{result.already_imported} already imported."
    )


def _plural(count: int, one: str, many: str | None = None) -> str:
    return one if count == 1 else (many or f"{one}s")
