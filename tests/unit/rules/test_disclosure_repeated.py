"""Figures a table repeats from another table: published as that table publishes them."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from safehub.rules.disclosure import (
    Cell,
    CountTable,
    DisclosureError,
    SuppressedTable,
    Suppression,
    audit,
    publish,
    suppress,
)

# Two rows by four columns with every margin. Alone, its pattern hides column C's total (21)
# as a complement, and a second table may well print that total.
BREAKDOWN = CountTable.two_way([[0, 3, 21, 0], [0, 1, 0, 12]], column_labels=list("ABCD"))
C_TOTAL = (2, 2)
ROW_1_TOTAL = (0, 4)


def _known(published: SuppressedTable, cell: Cell) -> SuppressedTable:
    """The pattern as a reader who has the other table sees it: `cell` is no secret."""
    kept = {c: why for c, why in published.suppressed.items() if c != cell}
    return dataclasses.replace(published, suppressed=kept)


def test_alone_a_table_hides_a_total_another_table_prints_and_the_pair_discloses() -> None:
    alone = suppress(BREAKDOWN)
    assert alone.suppressed[C_TOTAL] is Suppression.COMPLEMENT
    assert audit(alone).ok  # each table passes its own audit...

    together = audit(_known(alone, C_TOTAL))  # ...but with the other table's 21, the 3 is exact
    assert not together.ok
    assert "row 1, B (primary) is pinned to 3" in together.explain()


def test_a_total_another_table_prints_is_never_hidden_and_the_audit_knows_it() -> None:
    published = publish(BREAKDOWN, shown={C_TOTAL})
    assert not published.is_suppressed(C_TOTAL)
    assert published.published_value(*C_TOTAL) == 21
    assert audit(published).ok  # audited with the 21 published, so the pair is safe


def test_a_total_another_table_hides_is_hidden_here_and_its_lines_completed() -> None:
    alone = suppress(BREAKDOWN)
    assert not alone.is_suppressed(ROW_1_TOTAL)  # 24 would tell the other table's hidden total

    published = publish(BREAKDOWN, hidden={ROW_1_TOTAL})
    assert published.suppressed[ROW_1_TOTAL] is Suppression.REPEATED
    for line in BREAKDOWN.lines():
        assert [published.is_suppressed(c) for c in line.cells].count(True) != 1
    assert audit(published).ok


def test_a_small_count_that_must_stay_hidden_is_still_primary() -> None:
    published = suppress(BREAKDOWN, hidden={(0, 1)})
    assert published.suppressed[(0, 1)] is Suppression.PRIMARY


def test_when_no_safe_pattern_keeps_the_repeated_totals_the_table_is_refused() -> None:
    # With a wide protection width the 3 is safe only if some totals are hidden too; when the
    # reader already has every one of them, no pattern of this table can widen its range.
    table = CountTable.two_way([[3, 6], [6, 50]])
    assert audit(publish(table, protection=20)).ok
    with pytest.raises(DisclosureError, match=r"row 1, column 1 \(primary\) can be shown"):
        publish(table, protection=20, shown={(0, 2), (1, 2), (2, 0), (2, 1)})


def test_repeated_figures_are_checked() -> None:
    with pytest.raises(ValueError, match="outside the table"):
        suppress(BREAKDOWN, shown={(5, 5)})
    with pytest.raises(ValueError, match="both hidden and shown"):
        suppress(BREAKDOWN, hidden={C_TOTAL}, shown={C_TOTAL})
    with pytest.raises(ValueError, match="prints a small count"):
        suppress(BREAKDOWN, shown={(2, 1)})  # column B's total is 4


COUNTS = st.one_of(st.just(0), st.integers(1, 5), st.integers(6, 60))


@st.composite
def repeated(draw: st.DrawFn) -> tuple[CountTable, set[Cell], set[Cell]]:
    """A table, and margins another table hides (any) and shows (any not small)."""
    n_rows, n_columns = draw(st.integers(2, 5)), draw(st.integers(2, 4))
    body = draw(
        st.lists(
            st.lists(COUNTS, min_size=n_columns, max_size=n_columns),
            min_size=n_rows,
            max_size=n_rows,
        )
    )
    margins_printed = draw(st.booleans()), draw(st.booleans())
    table = CountTable.two_way(body, total_column=margins_printed[0], total_row=margins_printed[1])
    margins = [c for c in table.margin_cells() if c != table.grand_total_cell]
    assume(margins)
    hidden = draw(st.sets(st.sampled_from(margins)))
    shown = draw(st.sets(st.sampled_from(margins))) - hidden
    return table, hidden, {c for c in shown if not 1 <= table.value(c) <= 5}


@settings(max_examples=60, deadline=None)
@given(repeated())
def test_repeated_totals_are_respected_or_the_table_is_refused(
    case: tuple[CountTable, set[Cell], set[Cell]],
) -> None:
    table, hidden, shown = case
    published = suppress(table, hidden=hidden, shown=shown)
    assert hidden <= set(published.suppressed)
    assert not shown & set(published.suppressed)
    verdict = audit(published)
    if verdict.ok:
        assert publish(table, hidden=hidden, shown=shown) == published
    else:
        with pytest.raises(DisclosureError):
            publish(table, hidden=hidden, shown=shown)
