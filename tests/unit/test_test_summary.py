"""`make test`'s last line never reports success over a suite that skipped or did not run."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "test-summary.py"
_spec = importlib.util.spec_from_file_location("test_summary", SCRIPT)
assert _spec
assert _spec.loader
summary = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(summary)


def _write(folder: Path, suite: str, tests: int, skipped: int, failures: int = 0) -> None:
    (folder / f"{suite}.xml").write_text(
        f'<testsuites><testsuite name="pytest" tests="{tests}" skipped="{skipped}" '
        f'failures="{failures}" errors="0"/></testsuites>'
    )


def _all(folder: Path, **overrides: tuple[int, int]) -> None:
    for suite in summary.SUITES:
        tests, skipped = overrides.get(suite, (10, 0))
        _write(folder, suite, tests, skipped)


def test_every_suite_ran_prints_counts_by_suite(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _all(tmp_path, sqlite=(12, 2))
    assert summary.main(str(tmp_path)) == 0
    assert capsys.readouterr().out.strip() == (
        "All checks passed. Tests: unit 10 passed, 0 skipped; sqlite 10 passed, 2 skipped; "
        "postgres 10 passed, 0 skipped; browser 10 passed, 0 skipped."
    )


def test_a_suite_skipped_whole_fails_and_says_what_to_install(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _all(tmp_path, postgres=(456, 456))
    assert summary.main(str(tmp_path)) == 1
    out = capsys.readouterr().out
    assert out.startswith("NOT all tests ran or passed (postgres: no test ran (start PostgreSQL")
    assert "All checks passed" not in out


def test_a_required_suite_with_a_skip_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SAFEHUB_REQUIRE_BROWSER", "1")
    _all(tmp_path, browser=(14, 1))
    assert summary.main(str(tmp_path)) == 1
    assert "browser: 1 skipped although required" in capsys.readouterr().out


def test_a_missing_results_file_fails(tmp_path: Path) -> None:
    _all(tmp_path)
    (tmp_path / "browser.xml").unlink()
    assert summary.main(str(tmp_path)) == 1
