"""The last line of `make test`: how many tests passed and were skipped, suite by suite.

Each pytest run writes a JUnit XML file into var/test-results/; this reads them all. It fails
(exit 1) when a suite ran no test at all, or when one of its tests was skipped although the
suite is required (SAFEHUB_REQUIRE_POSTGRES, SAFEHUB_REQUIRE_BROWSER): "All tests passed" is
never printed over a suite that did not run.
"""

from __future__ import annotations

import os
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

SUITES = ("unit", "sqlite", "postgres", "browser")
REQUIRED_BY = {"postgres": "SAFEHUB_REQUIRE_POSTGRES", "browser": "SAFEHUB_REQUIRE_BROWSER"}
WHAT_TO_DO = {
    "postgres": "start PostgreSQL on 127.0.0.1:5432 trusting user postgres, "
    "or set SAFEHUB_TEST_POSTGRES_URL",
    "browser": "install Chromium (Debian: apt-get install chromium), or set SAFEHUB_CHROMIUM",
}


def counts(path: Path) -> tuple[int, int, int]:
    """(passed, skipped, failed) from one JUnit XML file."""
    root = ET.parse(path).getroot()  # noqa: S314 - our own pytest's output
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    tests = sum(int(s.get("tests", 0)) for s in suites)
    skipped = sum(int(s.get("skipped", 0)) for s in suites)
    failed = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
    return tests - skipped - failed, skipped, failed


def main(folder: str) -> int:
    parts, problems = [], []
    for suite in SUITES:
        path = Path(folder) / f"{suite}.xml"
        if not path.exists():
            problems.append(f"{suite}: no results")
            continue
        passed, skipped, failed = counts(path)
        parts.append(f"{suite} {passed} passed, {skipped} skipped")
        required = os.environ.get(REQUIRED_BY.get(suite, ""), "0") == "1"
        if failed:
            problems.append(f"{suite}: {failed} failed")
        if passed == 0:
            hint = WHAT_TO_DO.get(suite)
            problems.append(f"{suite}: no test ran" + (f" ({hint})" if hint else ""))
        elif skipped and required:
            problems.append(f"{suite}: {skipped} skipped although required")
    line = "; ".join(parts)
    if problems:
        print(f"NOT all tests ran or passed ({'; '.join(problems)}). {line}.")  # noqa: T201
        return 1
    print(f"All checks passed. Tests: {line}.")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "var/test-results"))
