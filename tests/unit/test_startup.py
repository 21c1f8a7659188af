"""A `safehub` command starts without the heavy libraries only some commands use.

Django loads every app, then (before any command but `help`) imports every URL module for its
system checks, and with them every view and everything they import; a command module is
imported when that command runs or prints its help. A library imported at the top of any of
them is paid for by every command: numpy, scipy, pandas, pyarrow, matplotlib and Splink alone
took `safehub check` from about half a second to over two. So they are imported where they
are used (`safehub.lazy`), and this test runs a fresh process to prove it: every app, every
URL module, the system checks and every Safehub command module, then the imports it made.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

# Imported by the commands and pages that need them, never at start.
HEAVY = frozenset(
    {
        "duckdb",
        "fontTools",
        "highspy",
        "holidays",
        "matplotlib",
        "numpy",
        "openpyxl",
        "pandas",
        "PIL",
        "pyarrow",
        "pyspark",
        "scipy",
        "shapely",
        "splink",
        "sqlglot",
        "weasyprint",
        "xlsxwriter",
    }
)

SCRIPT = """
import importlib, json, sys
from django.core.management import get_commands
from safehub.cli import main

main(["check"])
for name, app in sorted(get_commands().items()):
    if app.startswith("safehub."):
        importlib.import_module(f"{app}.management.commands.{name}")
print(json.dumps(sorted(sys.modules)))
"""


def _imports(stderr: str) -> list[tuple[int, str]]:
    """`-X importtime`'s lines as (depth, module), in the order it prints them."""
    found = []
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "[us]" in line:
            continue
        name = line.rsplit("|", 1)[1]
        found.append(((len(name) - len(name.lstrip()) - 1) // 2, name.strip()))
    return found


def _chain(imports: list[tuple[int, str]], module: str) -> str:
    """Who imported `module`, as far as `-X importtime` tells: it prints a module before its
    importer, one level deeper (and leaves out what `importlib.import_module` imports)."""
    at = next((i for i, (_, name) in enumerate(imports) if name == module), None)
    if at is None:
        return module
    depth, chain = imports[at][0], [module]
    for later_depth, later in imports[at + 1 :]:
        if later_depth < depth:
            chain.append(later)
            depth = later_depth
    return " <- ".join(chain)


def test_no_command_imports_a_heavy_library_at_start(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SAFEHUB_"))} | {
        "DJANGO_SETTINGS_MODULE": "safehub.settings.demo",
        "SAFEHUB_VAR_DIR": str(tmp_path),
        "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src"),  # this checkout's
    }
    done = subprocess.run(  # noqa: S603 - this interpreter, our script
        [sys.executable, "-X", "importtime", "-c", SCRIPT],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "System check identified no issues" in done.stdout
    loaded = set(json.loads(done.stdout.splitlines()[-1]))
    assert {"safehub.urls", "safehub.api.api", "safehub.reports.views"} <= loaded
    assert "safehub.reports.management.commands.report" in loaded
    heavy = sorted(HEAVY & loaded)
    assert heavy == [], "\n".join(_chain(_imports(done.stderr), m) for m in heavy)
