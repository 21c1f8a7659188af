"""One model per table gives every hidden cell the same range as two LPs of its own per cell."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from safehub.rules.disclosure import SuppressedTable, Suppression
from safehub.rules.disclosure_lp import provable_range, provable_ranges
from safehub.rules.disclosure_table import CountTable
from tests.unit.rules.test_disclosure import patterns


@settings(max_examples=80, deadline=None)
@given(patterns())
def test_one_model_per_table_gives_each_cell_its_own_two_lps_range(
    published: SuppressedTable,
) -> None:
    table, hidden = published.table, published.cells_suppressed()
    stacked = provable_ranges(table, hidden)
    assert set(stacked) == set(hidden)
    for cell in hidden:
        assert stacked[cell] == provable_range(table, hidden, cell), table.describe(cell)


@settings(max_examples=40, deadline=None)
@given(patterns(), st.data())
def test_a_subset_of_cells_gets_the_same_ranges(
    published: SuppressedTable, data: st.DataObject
) -> None:
    hidden = published.cells_suppressed()
    some = data.draw(st.sets(st.sampled_from(hidden), min_size=1))
    assert provable_ranges(published.table, hidden, some) == {
        c: r for c, r in provable_ranges(published.table, hidden).items() if c in some
    }


def test_a_cell_nothing_bounds_from_above_is_unbounded_beside_bounded_ones() -> None:
    # No total row and no grand total: row totals bound the first row's cells; with the second
    # row's total hidden too, its cells can grow without end.
    table = CountTable.two_way([[3, 9], [8, 7]], total_row=False)
    hidden = [(0, 0), (0, 1), (1, 0), (1, 1), (1, 2)]
    ranges = provable_ranges(table, hidden)
    assert ranges[(0, 0)] == (0, 12)
    assert ranges[(0, 1)] == (0, 12)
    assert ranges[(1, 0)] == (0, math.inf)
    assert ranges[(1, 2)] == (0, math.inf)
    assert ranges == {c: provable_range(table, hidden, c) for c in hidden}


def test_a_table_with_nothing_published_around_its_cells_leaves_them_unbounded() -> None:
    table = CountTable.two_way([[3], [8]], total_row=False)
    published = SuppressedTable(table, {(0, 0): Suppression.PRIMARY})
    assert provable_ranges(table, published.suppressed) == {(0, 0): (0, math.inf)}


def test_the_solver_writes_nothing_to_standard_output(capfd: pytest.CaptureFixture[str]) -> None:
    # `safehub report --format pdf` may write the PDF itself to standard output.
    table = CountTable.two_way([[3, 9], [8, 7]])
    provable_ranges(table, [(0, 0), (0, 1), (1, 0), (1, 1)])
    assert capfd.readouterr() == ("", "")
