"""The committee report's workbook: text from reference data never becomes a formula."""

from __future__ import annotations

import io

from openpyxl import Workbook, load_workbook

from safehub.reports.render import _append


def test_text_that_looks_like_a_formula_is_kept_as_text() -> None:
    book = Workbook()
    sheet = book.active
    hostile = ['=HYPERLINK("http://attacker.example","Wyke")', "+cmd|' /C calc'!A0", -3, "Wyke"]
    _append(sheet, hostile)
    buffer = io.BytesIO()
    book.save(buffer)
    cells = load_workbook(io.BytesIO(buffer.getvalue())).active[1]
    assert [c.value for c in cells] == hostile
    assert [c.data_type for c in cells] == ["s", "s", "n", "s"]
