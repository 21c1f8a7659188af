"""The `safehub` command: Django's management commands under one name.

`safehub demo`, `safehub serve`, `safehub migrate`, `safehub createuser`, `safehub geo …` and
every other management command; `safehub help` lists them. `safehub demo` uses the demo
settings unless DJANGO_SETTINGS_MODULE says otherwise.
"""

from __future__ import annotations

import gc
import os
import sys

from django.core.exceptions import ImproperlyConfigured, PermissionDenied

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
    _load_apps()
    # Commands run on the server are audited as channel "cli" with their own request id.
    from django.core.management import execute_from_command_line  # noqa: PLC0415

    from safehub.audit import context  # noqa: PLC0415

    context.begin(channel="cli")
    try:
        execute_from_command_line(["safehub", *args])
    except PermissionDenied as error:
        _audit_denial(error)
        sys.exit(f"safehub: not permitted ({error})")


def _load_apps() -> None:
    """Load the settings and every app with the cyclic garbage collector paused.

    Start-up makes hundreds of thousands of objects (modules, classes, models) that live as long
    as the process, and next to no cyclic garbage: the collector's passes over them are wasted,
    a tenth of a command's start. Once loaded they are frozen out of its reach, so later passes
    (the URL modules the system checks import, the command itself) skip them too. Broken
    settings are left for Django's own start-up to report, as it always has.
    """
    import django  # noqa: PLC0415
    from django.conf import settings  # noqa: PLC0415

    gc.disable()
    try:
        settings.INSTALLED_APPS  # noqa: B018 - reading it loads the settings
    except (ImproperlyConfigured, ImportError):
        gc.enable()
        return
    try:
        django.setup()
    finally:
        gc.freeze()
        gc.enable()


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
