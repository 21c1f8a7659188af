from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from safehub.notifications import schedule
from safehub.notifications.models import ScheduledCheck


class Command(BaseCommand):
    help = (
        "Periodic checks: `safehub checks list` shows them and when each last ran; "
        "`safehub checks run [NAME]` runs one (or all) now, as the scheduler would."
    )

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="The registered checks, their period and last run.")
        run = sub.add_parser("run", help="Run the named check, or every check, once now.")
        run.add_argument("name", nargs="?", help="A check's name; all of them if left out.")

    def handle(self, *args: Any, **options: Any) -> None:
        checks = schedule.load()
        if options["action"] == "list":
            states = {s.name: s for s in ScheduledCheck.objects.all()}
            for name, check in sorted(checks.items()):
                state = states.get(name)
                last = state.last_run_at.isoformat() if state and state.last_run_at else "never"
                self.stdout.write(f"{name}  every {check.every}  last run {last}")
            return
        names = [options["name"]] if options["name"] else sorted(checks)
        now = timezone.now()
        for name in names:
            try:
                result = schedule.run(name, now)
            except KeyError as error:
                raise CommandError(error.args[0]) from error
            self.stdout.write(f"{name}: {result}")
