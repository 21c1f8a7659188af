from __future__ import annotations

import getpass
import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from safehub.access import services
from safehub.access.models import Agency, Role
from safehub.access.policy import SYSTEM


class Command(BaseCommand):
    help = (
        "Create an account in an agency with one role. The password is asked for, or read "
        "from standard input with --password-stdin; it must pass the password rules."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("--agency", required=True, help="The agency's name, exactly.")
        parser.add_argument("--role", required=True, choices=[r.value for r in Role])
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--email", default="")
        parser.add_argument("--password-stdin", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        agency = Agency.objects.filter(name=options["agency"]).first()
        if agency is None:
            names = ", ".join(Agency.objects.values_list("name", flat=True)) or "none yet"
            raise CommandError(f"No agency is called {options['agency']!r}. Agencies: {names}")
        if options["password_stdin"]:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The passwords do not match.")
        try:
            user = services.create_user(
                username=options["username"],
                agency=agency,
                role=options["role"],
                password=password,
                first_name=options["first_name"],
                last_name=options["last_name"],
                email=options["email"],
                acting_user=SYSTEM,
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(
            self.style.SUCCESS(f"Created {user.username} ({user.get_role_display()})")
        )
