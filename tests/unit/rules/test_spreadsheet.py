"""Spreadsheet formula neutralising: safe to open, and exactly reversible."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from safehub.rules.spreadsheet import FORMULA_STARTS, neutralise, restore


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(1)", "'@SUM(1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("'quoted", "''quoted"),
        ("Testa", "Testa"),
        ("", ""),
        ("a=b", "a=b"),
    ],
)
def test_a_cell_a_spreadsheet_would_run_is_written_as_text(value: str, written: str) -> None:
    assert neutralise(value) == written
    assert restore(written) == value


def test_text_from_elsewhere_with_a_leading_apostrophe_keeps_it() -> None:
    assert restore("'Aisha") == "'Aisha"
    assert restore("'") == "'"


@given(st.text())
def test_the_rule_is_exactly_reversible_and_never_leaves_a_formula(value: str) -> None:
    written = neutralise(value)
    assert restore(written) == value
    assert not written or written[0] not in FORMULA_STARTS
