"""Report tables and the disclosure control the public edition applies to them.

A table keeps its true counts; the public edition adds what is published (ints and "c") for
every number it prints, totals included. Two shapes: a *two-way* table whose cells add up along
each row to a total column (wards by risk level: the total is the children in the ward), and a
*columns* table whose columns are separate counts of the same rows (referrals, children, repeat
children by year), each published as its own one-way table.

`apply_disclosure_control` is the one function the public edition calls. It hands each table to
`safehub.rules.disclosure.publish`, which suppresses and then proves with linear programming
that no `c`, total or cell, can be narrowed to a small count; a table it cannot protect is
coarsened once (a two-way table falls back to its row totals) and otherwise the report refuses
to render.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from safehub.rules import disclosure

Value = int | str


@dataclass
class Table:
    """One table of the report, with the margins that make sense for it.

    `total_column` adds each row's total (under `total_label`) where the cells of a row add up
    to one thing (children in a ward, by risk level); `total_row` adds a "Total" row where the
    rows do (wards). A table of unlike things (decisions and return home interviews; episodes
    opened and escalations) or of overlapping rows has neither: a sum of them would mean
    nothing and, published, would be one more number to protect.
    """

    key: str
    title: str
    row_header: str
    row_labels: list[str]
    columns: list[str]
    counts: list[list[int]]
    shape: str = "two_way"  # or "columns"
    total_label: str = "Total"
    note: str = ""
    metrics: tuple[str, ...] = ()
    row_keys: list[str] = field(default_factory=list)
    # A short key printed before each row's label, under `mark_header` (the ward's number on
    # the map); empty for a table without one. Not a count: never suppressed.
    row_marks: list[str] = field(default_factory=list)
    mark_header: str = ""
    total_column: bool = True
    total_row: bool = True
    published: dict[tuple[int, int], Value] | None = None
    suppressed_cells: int = 0
    coarsened: bool = False

    @property
    def has_row_total(self) -> bool:
        return self.total_column and self.shape == "two_way" and len(self.columns) > 1

    @property
    def has_total_row(self) -> bool:
        return self.total_row and len(self.row_labels) > 1

    def row_total(self, i: int) -> int:
        return sum(self.counts[i])

    def column_totals(self) -> list[int]:
        return [sum(row[j] for row in self.counts) for j in range(len(self.columns))]

    def grand_total(self) -> int:
        return sum(self.column_totals())

    def _shown(self, i: int, j: int, true: int) -> Value:
        return true if self.published is None else self.published[(i, j)]

    def shown(self) -> list[list[Value]]:
        """The body as this edition shows it: published values in the public edition."""
        return [
            [self._shown(i, j, v) for j, v in enumerate(row)] for i, row in enumerate(self.counts)
        ]

    def shown_row_total(self, i: int) -> Value:
        return self._shown(i, len(self.columns), self.row_total(i))

    def shown_column_totals(self) -> list[Value]:
        n = len(self.row_labels)
        return [self._shown(n, j, v) for j, v in enumerate(self.column_totals())]

    def shown_grand_total(self) -> Value:
        return self._shown(len(self.row_labels), len(self.columns), self.grand_total())

    def body(self) -> list[tuple[str, list[Value], Value | None]]:
        """Rows as (label, shown cells, shown row total or None)."""
        shown = self.shown()
        return [
            (label, shown[i], self.shown_row_total(i) if self.has_row_total else None)
            for i, label in enumerate(self.row_labels)
        ]

    def marked_body(self) -> list[tuple[str, str, list[Value], Value | None]]:
        """Rows as (mark, label, shown cells, shown row total or None): what the page prints."""
        marks = self.row_marks or [""] * len(self.row_labels)
        return [(mark, *row) for mark, row in zip(marks, self.body(), strict=True)]

    def total_row_cells(self) -> list[Value]:
        """The "Total" row as shown: each column's total, then the grand total if there is one."""
        if not self.has_total_row:
            return []
        return self.shown_column_totals() + (
            [self.shown_grand_total()] if self.has_row_total else []
        )


@dataclass(frozen=True)
class NotRecorded:
    """A section whose records Safehub does not hold yet: shown, never silently left out."""

    key: str
    title: str
    reason: str


def _publish(
    counts: list[list[int]],
    rows: list[str],
    columns: list[str],
    *,
    total_column: bool,
    total_row: bool,
) -> dict[tuple[int, int], Value]:
    table = disclosure.CountTable.two_way(
        counts,
        row_labels=rows,
        column_labels=columns,
        total_column=total_column,
        total_row=total_row,
    )
    result = disclosure.publish(table)
    n_rows, n_columns = table.shape
    everything = [
        *table.cells(),
        *((i, n_columns) for i in range(n_rows)),
        *((n_rows, j) for j in range(n_columns + 1)),
    ]
    return {cell: result.published_value(*cell) for cell in everything}


def _labels(labels: list[str]) -> list[str]:
    """Unique labels for the rules module, which insists on them."""
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return out


def control(table: Table) -> Table:
    """Publish one table (suppression + audit over cells and margins together).

    A "columns" table is published column by column, each with its own total if it has one.
    A table the audit cannot pass is coarsened once to its row totals; `suppress` always finds
    a pattern for a true table, so this is a second line of defence, not the plan.
    """
    if not table.counts:
        table.published = {}
        return table
    rows = _labels(table.row_labels)
    if table.shape == "columns":
        published: dict[tuple[int, int], Value] = {}
        for j, column in enumerate(table.columns):
            one = _publish(
                [[row[j]] for row in table.counts],
                rows,
                [column],
                total_column=False,
                total_row=table.has_total_row,
            )
            published |= {(i, j): v for (i, k), v in one.items() if k == 0}
        table.published = published
    else:
        try:
            table.published = _publish(
                table.counts,
                rows,
                table.columns,
                total_column=table.has_row_total,
                total_row=table.has_total_row,
            )
        except disclosure.DisclosureError:
            totals = [[sum(r)] for r in table.counts]
            table.published = _publish(
                totals, rows, [table.total_label], total_column=False, total_row=True
            )
            table.columns = [table.total_label]
            table.counts = totals
            table.coarsened = True
            table.shape = "columns"
    shown = [v for row in table.body() for v in (*row[1], row[2])] + table.total_row_cells()
    table.suppressed_cells = sum(1 for v in shown if v == disclosure.SUPPRESSED)
    return table


def apply_disclosure_control(tables: list[Table]) -> list[Table]:
    """Every table of the public edition, suppressed and audited.

    Raises `safehub.rules.disclosure.DisclosureError` when a table cannot be made safe: the
    report is then not rendered at all.
    """
    return [control(t) for t in tables]


def publish_total(value: int) -> Value:
    """A count standing alone, with nothing to subtract it from: 1 to 5 is shown as "c"."""
    return disclosure.publish_count(value)
