"""The `safehub` command: Django's management commands under one name.

`safehub demo`, `safehub serve`, `safehub migrate`, `safehub createuser`, `safehub geo …` and
every other management command; `safehub help` lists them. `safehub demo` uses the demo
settings unless DJANGO_SETTINGS_MODULE says otherwise.
"""

from __future__ import annotations

import os
import sys

from safehub import config


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["config"]:
        # Needs no settings: it is how you find out which settings to give.
        print(config.markdown_table())
        return
    default = "safehub.settings.demo" if args[:1] == ["demo"] else None
    os.environ.setdefault(
        "DJANGO_SETTINGS_MODULE", default or config.get("DJANGO_SETTINGS_MODULE")
    )
    # Commands run on the server are audited as channel "cli" with their own request id.
    from django.core.management import execute_from_command_line  # noqa: PLC0415

    from safehub.audit import context  # noqa: PLC0415

    context.begin(channel="cli")
    execute_from_command_line(["safehub", *args])


if __name__ == "__main__":
    main()
