"""Report tables that repeat another table's figures, overlap, or show a change."""

from __future__ import annotations

import pytest

from safehub.reports.tables import Table, add_changes, apply_disclosure_control


def _wards() -> Table:
    return Table(
        key="by_ward",
        title="Wards by risk",
        row_header="Ward",
        row_labels=["A", "B", "C", "D"],
        row_keys=["a", "b", "c", "d"],
        columns=["High", "Medium", "Low"],
        counts=[[3, 9, 12], [7, 8, 10], [0, 11, 9], [6, 2, 14]],
    )


def _comparison(then: list[int], now: list[int]) -> Table:
    return Table(
        key="compared",
        title="A year earlier and now",
        row_header="Ward",
        row_labels=["A", "B", "C", "D"],
        row_keys=["a", "b", "c", "d"],
        columns=["Then", "Now"],
        counts=[[t, n] for t, n in zip(then, now, strict=True)],
        shape="columns",
        links={1: ("by_ward", "row_totals")},
        change=True,
    )


def test_a_linked_column_shows_exactly_what_the_table_it_repeats_shows() -> None:
    wards, compared = _wards(), _comparison([20, 4, 18, 9], [24, 25, 20, 22])
    apply_disclosure_control([wards, compared])
    add_changes([wards, compared])
    assert [row[1] for row in compared.shown()] == [wards.shown_row_total(i) for i in range(4)]
    assert compared.shown_column_totals()[1] == wards.shown_grand_total() == 91
    then = [row[0] for row in compared.shown()]
    assert then[1] == "c"  # 4, on its own line with a complement
    assert then.count("c") >= 2
    assert compared.columns == ["Then", "Now", "Change"]
    for before, after, change in compared.shown():
        if "c" in (before, after):
            assert change == "c"
        else:
            assert change == (
                f"+{after - before}"
                if after > before
                else f"\u2212{before - after}"
                if after < before
                else "0"
            )


def test_a_linked_column_that_disagrees_with_its_source_is_refused() -> None:
    wards, compared = _wards(), _comparison([20, 4, 18, 9], [24, 25, 21, 22])
    with pytest.raises(ValueError, match="is not by_ward's row_totals"):
        apply_disclosure_control([wards, compared])


def test_a_row_the_source_lacks_is_zero_or_withheld() -> None:
    wards = _wards()
    extra = Table(
        key="levels",
        title="By level",
        row_header="Level",
        row_labels=["High", "Medium", "Low", "Not graded"],
        row_keys=["High", "Medium", "Low", "Not graded"],
        columns=["Then", "Now"],
        counts=[[10, 16], [20, 30], [30, 45], [3, 0]],
        shape="columns",
        links={1: ("by_ward", "column_totals")},
    )
    apply_disclosure_control([wards, extra])
    assert [row[1] for row in extra.shown()] == [*wards.shown_column_totals(), 0]


def test_a_restricted_table_shows_its_change_too() -> None:
    compared = _comparison([20, 4, 18, 9], [24, 25, 20, 22])
    add_changes([compared])
    assert [row[2] for row in compared.shown()] == ["+4", "+21", "+2", "+13"]
    assert compared.shown_column_totals() == [51, 91, "+40"]


def test_overlapping_rows_print_no_total_but_are_audited_as_if_their_sum_were_known() -> None:
    types = Table(
        key="types",
        title="By type",
        row_header="Type",
        row_labels=["Sexual", "Criminal", "Online"],
        columns=["Children"],
        counts=[[40], [3], [12]],
        shape="columns",
        total_row=False,
        audit_total=True,
    )
    (shown,) = apply_disclosure_control([types])
    assert not shown.has_total_row
    assert [row[0] for row in shown.shown()] == [40, "c", "c"]  # a lone "c" would follow


def _by_service() -> Table:
    """Services by stage: column C's total is 21, printed; column B's is 4, hidden."""
    return Table(
        key="by_service",
        title="By service",
        row_header="Service",
        row_labels=["Youth", "Health"],
        row_keys=["youth", "health"],
        columns=["A", "B", "C", "D"],
        counts=[[0, 2, 10, 6], [0, 2, 11, 6]],
        total_column=False,
    )


def _by_group(**repeats: tuple[str, str]) -> Table:
    """The same referrals by group: alone, its pattern hides column C's total of 21."""
    return Table(
        key="by_group",
        title="By group",
        row_header="Group",
        row_labels=["First", "Second"],
        row_keys=["first", "second"],
        columns=["A", "B", "C", "D"],
        counts=[[0, 3, 21, 0], [0, 1, 0, 12]],
        repeats=repeats,
    )


def test_alone_a_breakdown_hides_a_column_total_the_other_table_prints() -> None:
    source, alone = apply_disclosure_control([_by_service(), _by_group()])
    assert source.shown_column_totals()[2] == 21
    assert alone.shown_column_totals()[2] == "c"  # with the 21 above, the 3 by it is exact
    assert alone.shown()[0][1] == "c"


def test_repeated_column_totals_are_published_as_the_table_they_repeat_publishes_them() -> None:
    source = _by_service()
    repeated = _by_group(column_totals=("by_service", "column_totals"))
    repeated.total_column = False  # the shape of pathway referrals by community
    apply_disclosure_control([source, repeated])
    assert repeated.shown_column_totals() == source.shown_column_totals() == [0, "c", 21, 12]
    assert repeated.shown() == [[0, "c", 21, 0], [0, "c", 0, 12]]


def test_a_grand_total_that_would_give_a_hidden_repeated_total_away_is_not_printed() -> None:
    # 37 beside the other table's 0, 21 and 12 would leave column B's hidden 4: no pattern of
    # the whole table keeps the grand total, so it is coarsened, without its grand total.
    _, repeated = apply_disclosure_control(
        [_by_service(), _by_group(column_totals=("by_service", "column_totals"))]
    )
    assert repeated.coarsened
    assert repeated.shown_column_totals() == ["c"]
    assert 37 not in [v for row in repeated.shown() for v in row]


def test_repeated_row_totals_follow_a_column_of_the_other_table() -> None:
    reached = Table(
        key="coverage",
        title="Coverage",
        row_header="Programme",
        row_labels=["Schools", "Parents"],
        row_keys=["schools", "parents"],
        columns=["Sessions", "People reached"],
        counts=[[4, 24], [2, 13]],
        shape="columns",
        total_column=False,
        total_row=False,
    )
    by_group = Table(
        key="by_group",
        title="By group",
        row_header="Programme",
        row_labels=["Schools", "Parents"],
        row_keys=["schools", "parents"],
        columns=["A", "B", "C"],
        counts=[[0, 3, 21], [1, 0, 12]],
        total_row=False,
        repeats={"row_totals": ("coverage", "People reached")},
    )
    apply_disclosure_control([reached, by_group])
    assert [by_group.shown_row_total(i) for i in range(2)] == [24, 13]
    assert by_group.shown() == [[0, "c", "c"], ["c", 0, "c"]]


def test_a_repeated_total_that_disagrees_with_its_source_is_refused() -> None:
    source = _by_service()
    source.counts[1][2] = 12
    with pytest.raises(ValueError, match="column_totals are not by_service's column_totals"):
        apply_disclosure_control([source, _by_group(column_totals=("by_service", "column_totals"))])


def test_repeated_column_totals_can_follow_a_row_of_the_other_table() -> None:
    by_year = Table(
        key="by_year",
        title="By year",
        row_header="Year",
        row_labels=["Last year", "This year"],
        row_keys=["last", "this"],
        columns=["A", "B", "C", "D"],
        counts=[[9, 9, 9, 9], [0, 4, 21, 12]],
        total_row=False,
    )
    alone, this_year = _by_group(), _by_group(column_totals=("by_year", "this"))
    alone.total_column = this_year.total_column = False
    apply_disclosure_control([by_year, alone, this_year])
    assert by_year.shown()[1] == [0, "c", 21, "c"]  # 12 is the 4's complement there
    assert alone.shown_column_totals() == [0, "c", 21, 12]  # which this 12 would undo
    assert this_year.shown_column_totals() == [0, "c", 21, "c"]
    assert this_year.shown() == [[0, "c", 21, 0], [0, "c", 0, "c"]]
