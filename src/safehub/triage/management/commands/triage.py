"""`safehub triage rebuild`: recompute every due row of the triage queue from the record."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from safehub.access.policy import SYSTEM
from safehub.audit import services as audit
from safehub.triage import store


class Command(BaseCommand):
    help = (
        "`safehub triage rebuild` recomputes the triage queue's due rows from the record: after "
        "upgrading to a release that adds a kind of due item, or after writing case records "
        "outside Safehub's services. Changes no case record."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["rebuild"])

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            rows = store.refresh_all()
            audit.write(SYSTEM, "triage:rebuilt", object_type="triage", object_id=str(rows))
        self.stdout.write(f"{rows} due items in the triage queue.")
