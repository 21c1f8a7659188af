from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from safehub.rules.disclosure import (
    SUPPRESSED,
    AuditResult,
    CountTable,
    Line,
    SuppressedTable,
    Suppression,
    audit,
    publish,
    suppress,
)

RISK_LEVELS = ["low", "medium", "high"]
WARDS = ["Wyke", "Tong", "Wibsey", "Royds", "Heaton", "City"]

# Six wards by three risk levels: a lone small cell (Tong high), a 1 (Wibsey medium), an empty
# ward (Royds), a ward whose total is 2 (Heaton) and a row that needs complements (City).
WARD_BY_RISK = CountTable.two_way(
    [
        [3, 20, 30],
        [12, 1, 40],
        [25, 18, 9],
        [0, 0, 0],
        [2, 0, 0],
        [40, 33, 7],
    ],
    row_labels=WARDS,
    column_labels=RISK_LEVELS,
)


def small(value: object, threshold: int = 5) -> bool:
    return isinstance(value, int) and 1 <= value <= threshold


def column(rows: tuple[tuple[object, ...], ...], j: int) -> list[object]:
    return [row[j] for row in rows]


# The table model ------------------------------------------------------------------------------


def test_a_two_way_table_publishes_row_column_and_grand_totals() -> None:
    assert WARD_BY_RISK.shape == (6, 3)
    assert WARD_BY_RISK.row_totals == (53, 53, 52, 0, 2, 80)
    assert WARD_BY_RISK.column_totals == (82, 72, 86)
    assert WARD_BY_RISK.grand_total == 240
    assert not WARD_BY_RISK.is_one_way
    # Each row, each column, and the margins themselves (row totals and column totals both
    # add up to the grand total).
    assert len(WARD_BY_RISK.lines()) == 6 + 3 + 2
    assert WARD_BY_RISK.margin_cells()[-1] == WARD_BY_RISK.grand_total_cell == (6, 3)
    assert WARD_BY_RISK.value((4, 3)) == 2  # Heaton's total
    assert WARD_BY_RISK.value((6, 0)) == 82  # the low column's total
    assert WARD_BY_RISK.describe((4, 3)) == "Heaton, total"
    assert WARD_BY_RISK.describe((6, 3)) == "Total, total"


def test_a_one_way_table_publishes_only_its_total() -> None:
    wards = CountTable.one_way([12, 3, 40], labels=WARDS[:3], heading="children")
    assert wards.is_one_way
    assert wards.row_totals is None  # a row's total would be its only cell
    assert wards.column_totals == (55,)
    assert wards.grand_total == 55
    assert wards.column_labels == ("children",)
    assert wards.lines() == (Line(((0, 0), (1, 0), (2, 0)), (3, 0)),)
    assert wards.grand_total_cell == (3, 0)


def test_a_table_of_unlike_things_has_no_total() -> None:
    # Decisions and return home interviews: each row has a total, the columns add up nothing.
    timeliness = CountTable.two_way([[100, 20, 3], [20, 6, 2]], total_row=False)
    assert timeliness.column_totals is None
    assert timeliness.grand_total_cell is None
    assert timeliness.margin_cells() == ((0, 3), (1, 3))
    published = publish(timeliness)
    assert published.published_column_totals() is None
    assert published.published_row_totals() == (123, 28)
    # Only the rows tie cells together: the 3 and the 2 need a partner in their own row only.
    assert published.published_rows() == ((100, "c", "c"), (20, "c", "c"))
    events = CountTable.one_way([40, 3, 12, 2], total=False)
    assert events.lines() == ()
    assert publish(events).published_rows() == ((40,), (SUPPRESSED,), (12,), (SUPPRESSED,))


def test_default_labels_are_positional() -> None:
    table = CountTable.two_way([[1, 2], [3, 4]])
    assert table.row_labels == ("row 1", "row 2")
    assert table.column_labels == ("column 1", "column 2")


@pytest.mark.parametrize(
    ("counts", "message"),
    [
        ([], "at least one row"),
        ([[]], "at least one row"),
        ([[1, 2], [3]], "same number of cells"),
        ([[1, -1]], "non-negative integers"),
        ([[1, True]], "non-negative integers"),
        ([[1, 2.0]], "non-negative integers"),
    ],
)
def test_a_table_that_is_not_counts_is_refused(counts: list[list[int]], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        CountTable.two_way(counts)


def test_labels_must_fit_and_be_unique() -> None:
    with pytest.raises(ValueError, match="one row label per row"):
        CountTable.two_way([[1, 2]], row_labels=["a", "b"])
    with pytest.raises(ValueError, match="one column label per column"):
        CountTable.two_way([[1, 2]], column_labels=["a"])
    with pytest.raises(ValueError, match="unique"):
        CountTable.one_way([1, 2], labels=["Tong", "Tong"])


def test_the_best_range_is_nothing_to_the_published_grand_total() -> None:
    assert WARD_BY_RISK.best_range(5) == (0, 240)
    assert CountTable.one_way([4, 9]).best_range(5) == (0, 13)
    assert CountTable.one_way([1, 2]).best_range(5) == (0, math.inf)  # a small total is hidden
    assert CountTable.one_way([4, 9], total=False).best_range(5) == (0, math.inf)


# Suppression of known tables ------------------------------------------------------------------


def test_the_ward_table_is_suppressed_and_passes_its_audit() -> None:
    published = suppress(WARD_BY_RISK)
    rows = published.published_rows()

    assert rows[0][0] == rows[1][1] == rows[4][0] == SUPPRESSED  # every small count
    assert rows[3] == (0, 0, 0)  # an empty ward stays visibly empty
    assert not any(small(v) for row in rows for v in row)
    row_totals = published.published_row_totals()
    column_totals = published.published_column_totals()
    assert row_totals is not None
    assert column_totals is not None
    assert not any(small(v) for v in (*row_totals, *column_totals))
    assert published.published_grand_total() == 240
    for line in WARD_BY_RISK.lines():  # totals included, no lone `c` to subtract out
        assert [published.is_suppressed(c) for c in line.cells].count(True) != 1
    assert published.table == WARD_BY_RISK  # true totals are kept
    assert audit(published).ok
    assert publish(WARD_BY_RISK) == published  # deterministic


def test_a_ward_whose_total_is_small_is_hidden_with_its_cells() -> None:
    published = suppress(WARD_BY_RISK)
    assert published.published_rows()[4] == (SUPPRESSED, SUPPRESSED, SUPPRESSED)
    assert published.cells_suppressed(Suppression.SMALL_LINE) == ((4, 1), (4, 2))
    row_totals = published.published_row_totals()
    assert row_totals is not None
    assert row_totals[4] == SUPPRESSED  # Heaton's total of 2 is a small count too
    assert published.suppressed[(4, 3)] is Suppression.PRIMARY
    assert row_totals.count(SUPPRESSED) >= 2  # and it is not the only hidden ward total
    heaton = [r for r in audit(published).ranges if r.cell[0] == 4]
    assert all(r.protected and r.width >= 5 for r in heaton)


def test_a_lone_small_cell_gets_complements_in_its_row_and_column() -> None:
    table = CountTable.two_way([[3, 40, 50], [20, 30, 60], [25, 35, 45]])
    published = suppress(table)
    rows = published.published_rows()
    assert rows[0].count(SUPPRESSED) >= 2
    assert column(rows, 0).count(SUPPRESSED) >= 2
    assert published.cells_suppressed(Suppression.PRIMARY) == ((0, 0),)
    (primary,) = [r for r in audit(published).ranges if r.cell == (0, 0)]
    assert primary.low <= 3 <= primary.high
    assert primary.width >= 5


def test_complements_are_the_smallest_cells_ties_by_position() -> None:
    table = CountTable.two_way([[2, 9, 8, 8], [7, 30, 30, 30], [7, 30, 30, 30]])
    published = suppress(table)
    assert published.cells_suppressed(Suppression.COMPLEMENT)[:2] == ((0, 2), (1, 0))


def test_a_one_way_table_hides_a_second_cell() -> None:
    wards = CountTable.one_way([12, 3, 40, 0, 25], labels=[*WARDS[:3], "Bowling", "Clayton"])
    published = publish(wards)
    assert published.published_rows() == ((SUPPRESSED,), (SUPPRESSED,), (40,), (0,), (25,))
    (three,) = [r for r in audit(published).ranges if r.cell == (1, 0)]
    assert (three.low, three.high) == (0, 15)


def test_cells_are_named_by_their_labels() -> None:
    assert WARD_BY_RISK.describe((1, 2)) == "Tong, high"
    assert CountTable.one_way([4, 9], labels=["Tong", "Wyke"]).describe((1, 0)) == "Wyke"


def test_a_one_way_table_with_a_small_total_shows_only_the_total() -> None:
    published = publish(CountTable.one_way([2, 0, 1]))
    assert published.published_rows() == ((SUPPRESSED,), (SUPPRESSED,), (SUPPRESSED,))
    assert published.table.grand_total == 3


def test_a_table_without_small_counts_is_published_whole() -> None:
    table = CountTable.two_way([[0, 20], [6, 0]])
    published = publish(table)
    assert published.published_rows() == ((0, 20), (6, 0))
    assert audit(published) == AuditResult(table, ranges=(), exposed=())


def test_a_wider_protection_width_hides_more() -> None:
    table = CountTable.two_way([[3, 8, 30], [9, 7, 30], [30, 30, 30]])
    narrow, wide = suppress(table, protection=2), suppress(table, protection=15)
    assert set(narrow.suppressed) <= set(wide.suppressed)
    assert all(r.width >= 15 for r in audit(wide).ranges)


def test_the_rule_is_checked() -> None:
    with pytest.raises(ValueError, match="threshold"):
        suppress(WARD_BY_RISK, threshold=0)
    with pytest.raises(ValueError, match="protection"):
        publish(WARD_BY_RISK, protection=0)
    with pytest.raises(ValueError, match="outside the table"):
        SuppressedTable(WARD_BY_RISK, {(9, 9): Suppression.PRIMARY})


# The audit refuses what discloses -------------------------------------------------------------


def test_un_suppressing_a_complement_is_caught() -> None:
    published = suppress(WARD_BY_RISK)
    complement = published.cells_suppressed(Suppression.COMPLEMENT)[0]
    tampered = dataclasses.replace(
        published,
        suppressed={c: why for c, why in published.suppressed.items() if c != complement},
    )
    result = audit(tampered)
    assert not result.ok
    assert any(f.reason is Suppression.PRIMARY and f.low == f.high for f in result.failures)
    assert "pinned" in result.explain()


def test_a_small_count_left_on_show_is_caught() -> None:
    published = suppress(WARD_BY_RISK)
    tampered = dataclasses.replace(
        published, suppressed={c: w for c, w in published.suppressed.items() if c != (1, 1)}
    )
    result = audit(tampered)
    assert result.exposed == ((1, 1),)
    assert not result.ok
    assert "Tong, medium is a small count published as a number" in result.explain()


def test_a_range_too_narrow_is_caught() -> None:
    table = CountTable.two_way([[3, 1, 50], [1, 3, 50], [50, 50, 50]])
    block = SuppressedTable(
        table, dict.fromkeys([(0, 0), (0, 1), (1, 0), (1, 1)], Suppression.PRIMARY)
    )
    result = audit(block)
    # The block can shift by -3..+1 and no more: each cell spans four values, five are needed.
    assert {(f.cell, f.low, f.high) for f in result.failures} == {
        ((0, 0), 0, 4),
        ((0, 1), 0, 4),
        ((1, 0), 0, 4),
        ((1, 1), 0, 4),
    }
    assert "narrower than the width of 5 required" in result.explain()
    assert audit(suppress(table)).ok


def test_a_five_that_can_only_grow_is_caught() -> None:
    # The block [[5, 20], [20, 0]] lets the 5 be 5..25, but never less: anyone who knows it is
    # a small count knows it is 5.
    table = CountTable.two_way([[5, 20, 9], [20, 0, 9], [9, 9, 9]])
    marks = {
        (0, 0): Suppression.PRIMARY,
        (0, 1): Suppression.COMPLEMENT,
        (1, 0): Suppression.COMPLEMENT,
        (1, 1): Suppression.COMPLEMENT,
    }
    result = audit(SuppressedTable(table, marks))
    (five,) = [r for r in result.ranges if r.cell == (0, 0)]
    assert (five.low, five.high) == (5, 25)
    assert five.width >= five.required_width
    assert not five.protected
    assert "knows it is a small one" in result.explain()
    assert audit(suppress(table)).ok


def test_a_count_the_totals_would_disclose_is_protected_by_hiding_the_totals() -> None:
    # Column 2's total is 3 and Tong is empty: printed, the totals would say the 3 are in Wyke.
    table = CountTable.two_way([[60, 3], [0, 0]], row_labels=["Wyke", "Tong"])
    published = publish(table)
    assert published.published_column_totals() == (SUPPRESSED, SUPPRESSED)
    assert published.published_grand_total() == 63
    (three,) = [r for r in audit(published).ranges if r.cell == (0, 1)]
    assert (three.low, three.high) == (0, 63)


def test_a_pattern_that_shows_a_total_which_pins_a_cell_is_refused() -> None:
    table = CountTable.two_way([[60, 3], [0, 0]], row_labels=["Wyke", "Tong"])
    marks = {(0, 1): Suppression.PRIMARY, (0, 0): Suppression.COMPLEMENT}
    result = audit(SuppressedTable(table, marks))
    assert not result.ok
    assert (2, 1) in result.exposed  # the column total of 3 is a small count on show
    with_total = SuppressedTable(table, {**marks, (2, 1): Suppression.PRIMARY})
    refused = audit(with_total)
    assert "Wyke, column 2 (primary) is pinned to 3" in refused.explain()


def test_a_one_cell_table_with_a_small_count_is_hidden() -> None:
    assert publish(CountTable.one_way([4])).published_rows() == ((SUPPRESSED,),)


def test_an_audit_of_a_range_missing_the_true_value_says_so() -> None:
    (first, *_) = audit(suppress(WARD_BY_RISK)).ranges
    wrong = dataclasses.replace(first, value=first.high + 1, protected=False)
    assert "outside its range" in AuditResult(WARD_BY_RISK, (wrong,), ()).explain()


def test_an_audit_that_passes_says_so() -> None:
    assert audit(suppress(WARD_BY_RISK)).explain() == "Every suppressed cell is protected."


# Rendering ------------------------------------------------------------------------------------


def test_rendering_shows_counts_as_ints_and_suppressed_cells_as_c() -> None:
    published = suppress(WARD_BY_RISK)
    assert published.published_value(0, 0) == "c"
    assert published.published_value(0, 2) == 30
    assert published.published_value(3, 0) == 0
    assert all(isinstance(v, int) or v == "c" for row in published.published_rows() for v in row)


# Properties over random tables with margins ----------------------------------------------------

# Many small numbers and zeros, some large: the mix that makes suppression hard.
COUNTS = st.one_of(st.just(0), st.integers(1, 5), st.integers(6, 60))


@st.composite
def tables(
    draw: st.DrawFn,
    max_rows: int = 8,
    max_columns: int = 4,
    counts: st.SearchStrategy[int] = COUNTS,
    smallest: int = 1,
) -> CountTable:
    n_rows = draw(st.integers(smallest, max_rows))
    n_columns = draw(st.integers(smallest, max_columns))
    body = draw(
        st.lists(
            st.lists(counts, min_size=n_columns, max_size=n_columns),
            min_size=n_rows,
            max_size=n_rows,
        )
    )
    return CountTable.two_way(body, total_column=draw(st.booleans()), total_row=draw(st.booleans()))


@settings(max_examples=60, deadline=None)
@given(tables(), st.integers(1, 6))
def test_suppression_hides_every_small_number_and_passes_the_audit(
    table: CountTable, threshold: int
) -> None:
    published = suppress(table, threshold=threshold)

    for cell in table.all_cells():  # totals included
        shown = published.published_value(*cell)
        assert shown in {table.value(cell), SUPPRESSED}  # shown numbers are true
        if small(table.value(cell), threshold):
            assert published.suppressed.get(cell) is Suppression.PRIMARY
            assert shown == SUPPRESSED
    for line in table.lines():
        assert [published.is_suppressed(c) for c in line.cells].count(True) != 1
    if (grand := table.grand_total_cell) is not None and table.grand_total > threshold:
        assert published.published_value(*grand) == table.grand_total  # the headline stands

    result = audit(published)
    assert result.ok, result.explain()
    assert all(r.protected and r.width >= 1 for r in result.ranges)
    assert publish(table, threshold=threshold) == published


@st.composite
def patterns(draw: st.DrawFn) -> SuppressedTable:
    table = draw(tables(max_rows=6, max_columns=4))
    hidden = draw(st.sets(st.sampled_from(table.all_cells()), min_size=1))
    return SuppressedTable(table, dict.fromkeys(hidden, Suppression.AUDIT))


@settings(max_examples=60, deadline=None)
@given(patterns())
def test_the_audit_range_always_holds_the_true_value(published: SuppressedTable) -> None:
    table = published.table
    grand = table.grand_total_cell
    for r in audit(published).ranges:
        assert 0 <= r.low <= r.value <= r.high
        if grand is not None and not published.is_suppressed(grand):
            assert r.high <= table.grand_total  # nothing exceeds a published grand total


@settings(max_examples=40, deadline=None)
@given(tables(max_rows=6, max_columns=4))
def test_hiding_all_but_the_grand_total_leaves_the_best_range(table: CountTable) -> None:
    grand = table.grand_total_cell
    hidden = [c for c in table.all_cells() if c != grand]
    if not hidden:
        return
    everything = SuppressedTable(table, dict.fromkeys(hidden, Suppression.AUDIT))
    best = (0, table.grand_total) if grand is not None else (0, math.inf)
    for r in audit(everything).ranges:
        assert (r.low, r.high) == best


def completions(published: SuppressedTable) -> Iterator[dict[tuple[int, int], int]]:
    """Every integer table agreeing with the published numbers, by brute force.

    The grand total is published, so no hidden number exceeds it.
    """
    table = published.table
    hidden = published.cells_suppressed()
    for values in itertools.product(range(table.grand_total + 1), repeat=len(hidden)):
        merged = dict(zip(hidden, values, strict=True))

        def value(cell: tuple[int, int], merged: dict[tuple[int, int], int] = merged) -> int:
            return merged.get(cell, table.value(cell))

        if all(sum(value(m) for m in line.members) == value(line.total) for line in table.lines()):
            yield merged


@st.composite
def small_patterns(draw: st.DrawFn) -> SuppressedTable:
    table = draw(tables(max_rows=3, max_columns=2, counts=st.integers(0, 2), smallest=2))
    grand = table.grand_total_cell
    if grand is None:
        table = dataclasses.replace(table, total_row=True, total_column=True)
        grand = table.grand_total_cell
    others = [c for c in table.all_cells() if c != grand]
    hidden = draw(st.sets(st.sampled_from(others), min_size=1, max_size=4))
    return SuppressedTable(table, dict.fromkeys(hidden, Suppression.AUDIT))


@settings(max_examples=30, deadline=None)
@given(small_patterns())
def test_the_lp_bounds_are_the_integer_bounds(published: SuppressedTable) -> None:
    tables_seen = list(completions(published))
    for r in audit(published).ranges:
        values = [t[r.cell] for t in tables_seen]
        assert (r.low, r.high) == (min(values), max(values))
