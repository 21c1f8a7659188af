"""The `safehub` command: Django's management commands under one name.

`safehub demo`, `safehub serve`, `safehub migrate`, `safehub createuser`, `safehub geo …` and
every other management command; `safehub help` lists them. `safehub demo` uses the demo
settings unless DJANGO_SETTINGS_MODULE says otherwise.
"""

from __future__ import annotations

import os
import sys

from django.core.exceptions import PermissionDenied

from safehub import config


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["config"]:
        # Needs no settings: it is how you find out which settings to give.
        print(config.markdown_table())
        return
    if args[:2] == ["keys", "generate"]:
        # Nor this: production settings refuse to load until SAFEHUB_FIELD_KEYS has a key.
        from safehub.crypto.keys import generate  # noqa: PLC0415

        print(generate())
        return
    # The demo's own commands default to the demo settings; `totp` refuses any other.
    default = "safehub.settings.demo" if args[:1] in (["demo"], ["totp"]) else None
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", default or config.get("DJANGO_SETTINGS_MODULE"))
    # Commands run on the server are audited as channel "cli" with their own request id.
    from django.core.management import execute_from_command_line  # noqa: PLC0415

    from safehub.audit import context  # noqa: PLC0415

    context.begin(channel="cli")
    try:
        execute_from_command_line(["safehub", *args])
    except PermissionDenied as error:
        _audit_denial(error)
        sys.exit(f"safehub: not permitted ({error})")


def _audit_denial(error: PermissionDenied) -> None:
    from safehub.access.policy import AccessDeniedError  # noqa: PLC0415
    from safehub.audit import services as audit  # noqa: PLC0415
    from safehub.audit.models import Outcome  # noqa: PLC0415

    permission = error.permission if isinstance(error, AccessDeniedError) else ""
    audit.write(
        None,
        "access:denied",
        object_type="permission",
        object_id=permission,
        outcome=Outcome.DENIED,
        standalone=True,
    )


if __name__ == "__main__":
    main()
