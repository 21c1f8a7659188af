from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from safehub.access.policy import SYSTEM, TWO_FACTOR_ROLES
from safehub.demo import services as demo


class Command(BaseCommand):
    help = (
        "Set up and serve the demo: migrate the database, collect static files, load the "
        "geography, agencies, demo accounts and history (keeping existing data), snapshot it on "
        "the first run, print the logins, serve."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--no-serve", action="store_true", help="Set up and print the logins, then stop."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        accounts = demo.load(acting_user=SYSTEM)
        if any(created for _, created in accounts):
            # First run: a snapshot of the new history, so the committee report page has
            # figures for analysts and members at once. (By name: analytics sits above demo.)
            call_command("snapshot", "create")
        self.stdout.write(self.style.SUCCESS("Safehub demo is ready. Demo logins:"))
        width = max(len(a.username) for a, _ in accounts)
        roles = max(len(a.role.label) for a, _ in accounts)
        for account, created in accounts:
            code = (
                f"code: safehub totp {account.username}"
                if account.role in TWO_FACTOR_ROLES
                else "no code needed"
            )
            note = "" if created else "  (existing account: password unchanged)"
            self.stdout.write(
                f"  {account.username:<{width}}  {account.role.label:<{roles}}  {code}{note}"
            )
        self.stdout.write(f"Password for new demo accounts: {demo.demo_password()}")
        self.stdout.write(
            "After the password, enter the 6-digit code that `.venv/bin/safehub totp USERNAME` "
            "prints (or add the key from `safehub.demo.services.demo_totp_key` to an "
            "authenticator app)."
        )
        if not options["no_serve"]:
            call_command("serve")
