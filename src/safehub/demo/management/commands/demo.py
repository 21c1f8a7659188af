from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from safehub.access.policy import SYSTEM
from safehub.demo import services as demo


class Command(BaseCommand):
    help = (
        "Set up and serve the demo: migrate the database, collect static files, load the "
        "geography, agencies and demo accounts (keeping existing data), print the logins, serve."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--no-serve", action="store_true", help="Set up and print the logins, then stop."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        accounts = demo.load(acting_user=SYSTEM)
        self.stdout.write(self.style.SUCCESS("Safehub demo is ready. Demo logins:"))
        width = max(len(a.username) for a, _ in accounts)
        for account, created in accounts:
            note = "" if created else "  (existing account: password unchanged)"
            self.stdout.write(f"  {account.username:<{width}}  {account.role.label}{note}")
        self.stdout.write(f"Password for new demo accounts: {demo.demo_password()}")
        if not options["no_serve"]:
            call_command("serve")
