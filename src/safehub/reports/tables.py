"""Report tables and the disclosure control the public edition applies to them.

A table keeps its true counts; the public edition adds what is published (ints and "c"). Two
shapes: a *two-way* table whose cells add up along each row to a total column (wards by risk
level: the total is the children in the ward), and a *columns* table whose columns are separate
counts of the same rows (referrals, children, repeat children by year), each published as its
own one-way table with its true total.

`apply_disclosure_control` is the one function the public edition calls. It hands each table to
`safehub.rules.disclosure.publish`, which suppresses and then proves with linear programming
that no `c` can be recovered; a table it cannot protect is coarsened once (a two-way table falls
back to its row totals) and otherwise the report refuses to render.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from safehub.rules import disclosure

Value = int | str


@dataclass
class Table:
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
    published: list[list[Value]] | None = None
    suppressed_cells: int = 0
    coarsened: bool = False

    @property
    def has_row_total(self) -> bool:
        return self.shape == "two_way" and len(self.columns) > 1

    def row_total(self, i: int) -> int:
        return sum(self.counts[i])

    def column_totals(self) -> list[int]:
        return [sum(row[j] for row in self.counts) for j in range(len(self.columns))]

    def grand_total(self) -> int:
        return sum(self.column_totals())

    def shown(self) -> list[list[Value]]:
        """What the edition shows: published values in the public edition, else the counts."""
        if self.published is not None:
            return self.published
        return [list(row) for row in self.counts]

    def body(self) -> list[tuple[str, list[Value], int | None]]:
        """Rows as (label, shown cells, true row total or None)."""
        shown = self.shown()
        return [
            (label, shown[i], self.row_total(i) if self.has_row_total else None)
            for i, label in enumerate(self.row_labels)
        ]


@dataclass(frozen=True)
class NotRecorded:
    """A section whose records Safehub does not hold yet: shown, never silently left out."""

    key: str
    title: str
    reason: str


def _publish(counts: list[list[int]], rows: list[str], columns: list[str]) -> list[list[Value]]:
    table = disclosure.CountTable.two_way(counts, row_labels=rows, column_labels=columns)
    result = disclosure.publish(table)
    return [list(row) for row in result.published_rows()]


def _labels(labels: list[str]) -> list[str]:
    """Unique labels for the rules module, which insists on them."""
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return out


def control(table: Table) -> Table:
    """Publish one table (suppression + audit), coarsening once if it cannot be protected."""
    if not table.counts:
        table.published = []
        return table
    rows = _labels(table.row_labels)
    if table.shape == "columns":
        columns = [
            _publish([[row[j]] for row in table.counts], rows, [table.columns[j]])
            for j in range(len(table.columns))
        ]
        table.published = [[col[i][0] for col in columns] for i in range(len(rows))]
    elif len(table.columns) == 1 or len(rows) == 1:
        table.published = _publish(table.counts, rows, table.columns)
    else:
        try:
            table.published = _publish(table.counts, rows, table.columns)
        except disclosure.DisclosureError:
            # The totals alone pin a small cell: publish each row's total only.
            totals = _publish([[sum(r)] for r in table.counts], rows, [table.total_label])
            table.columns = [table.total_label]
            table.counts = [[sum(r)] for r in table.counts]
            table.published = totals
            table.coarsened = True
            table.shape = "columns"
    table.suppressed_cells = sum(
        1 for row in table.published for v in row if v == disclosure.SUPPRESSED
    )
    return table


def apply_disclosure_control(tables: list[Table]) -> list[Table]:
    """Every table of the public edition, suppressed and audited.

    Raises `safehub.rules.disclosure.DisclosureError` when a table cannot be made safe: the
    report is then not rendered at all.
    """
    return [control(t) for t in tables]


def publish_total(value: int) -> Value:
    """A headline count standing alone: 1 to 5 is shown as "c", zero as 0."""
    return disclosure.SUPPRESSED if 1 <= value <= disclosure.DEFAULT_THRESHOLD else value
