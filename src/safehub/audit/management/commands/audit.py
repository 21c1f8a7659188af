from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand

from safehub.audit import chain


class Command(BaseCommand):
    help = "The audit trail: `verify` checks the hash chain and names the first broken link."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="Check every event's hash and link; exit 1 if one fails.")
        sub.add_parser("head", help="Print the event count and newest hash, to record elsewhere.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "head":
            count, newest = chain.head()
            self.stdout.write(f"{count} events; newest hash {newest}")
            return
        result = chain.verify()
        if result.ok:
            self.stdout.write(f"Audit trail intact: {result.events} events, every link holds.")
            return
        self.stderr.write(f"Audit trail broken at {result.broken}.")
        sys.exit(1)
