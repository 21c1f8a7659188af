from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand

from safehub.audit import chain


class Command(BaseCommand):
    # Django's system checks import every view and the API first, which is most of a
    # command's start-up; `safehub check` (and `serve`, `migrate`) run them.
    requires_system_checks: list[str] = []
    help = (
        "The audit trail's keyed chain: `verify` checks it against the signed checkpoints, "
        "`checkpoint` records its head outside the database (docs/audit.md)."
    )

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser(
            "verify",
            help="Seal, check every event's keyed hash and link and every checkpoint; "
            "exit 1 at the first break.",
        )
        sub.add_parser("head", help="Seal, then print the chain's length and newest hash.")
        sub.add_parser(
            "checkpoint",
            help="Seal, then append the signed head to SAFEHUB_AUDIT_CHECKPOINT_FILE.",
        )
        sub.add_parser("seal", help="Link every committed event not yet in the chain.")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "seal":
            self.stdout.write(f"Sealed {chain.seal()} events.")
        elif action == "head":
            count, newest = chain.head()
            self.stdout.write(f"{count} events; newest hash {newest}")
        elif action == "checkpoint":
            mark = chain.checkpoint()
            self.stdout.write(
                f"Checkpoint written at {mark.written_at}: {mark.position} events; "
                f"newest hash {mark.hash}"
            )
        else:
            self._verify()

    def _verify(self) -> None:
        result = chain.verify()
        if not result.ok:
            self.stderr.write(f"Audit trail broken: {result.broken}.")
            sys.exit(1)
        agreed = (
            f"agrees with all {result.checkpoints} checkpoints"
            if result.checkpoints
            else "no checkpoint yet (run `safehub audit checkpoint`)"
        )
        self.stdout.write(
            f"Audit trail intact: {result.events} events, every link holds; {agreed}."
        )
