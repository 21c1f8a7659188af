"""`safehub check records`: the data-quality report; any other `safehub check` is Django's."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.commands import check
from django.db import transaction

from safehub.access.policy import SYSTEM
from safehub.audit import services as audit
from safehub.casefile import records_check


class Command(check.Command):
    help = (
        "`safehub check records` lists stored records that break a plausibility rule (exit 1 "
        "if any do) and changes nothing; otherwise Django's system checks."
    )

    # django-stubs types the labels as lists; they are the command line's words.
    def handle(self, *app_labels: Any, **options: Any) -> None:
        if app_labels != ("records",):
            super().handle(*app_labels, **options)
            return
        with transaction.atomic():
            findings = records_check.find()
            records = len({(f.kind, f.record_id) for f in findings})
            audit.write(
                SYSTEM, "records:checked", object_type="casefile.records", object_id=str(records)
            )
        for finding in findings:
            self.stdout.write(str(finding))
        if not records:
            self.stdout.write("Every record passes the plausibility rules.")
            return
        self.stdout.write(
            f"{records} record{'s' if records != 1 else ''} break a rule; nothing was changed."
        )
        sys.exit(1)
