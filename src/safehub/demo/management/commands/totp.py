from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP

from safehub.access import two_factor
from safehub.access.models import User


class Command(BaseCommand):
    help = (
        "Print the current 6-digit sign-in code of a demo account. Only with the demo settings: "
        "real accounts' codes come from their owners' phones."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username", help="A demo account, such as practitioner.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.SAFEHUB_DEMO:
            raise CommandError(
                "safehub totp works only in the demo (DJANGO_SETTINGS_MODULE="
                "safehub.settings.demo): it would otherwise defeat two-factor sign-in."
            )
        user = User.objects.filter(username=options["username"]).first()
        device = two_factor.confirmed_device(user) if user is not None else None
        if device is None:
            raise CommandError(f"{options['username']!r} has no authenticator app set up.")
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        now = time.time()
        totp.time = now
        left = device.step - int(now - device.t0) % device.step
        self.stdout.write(f"{totp.token():0{device.digits}d}")
        self.stderr.write(f"Valid for {left} more seconds; each code signs in once.")
