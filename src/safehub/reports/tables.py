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

Tables are published in order, so a later table can repeat an earlier one's figures as they
were published: a "columns" table's column (`Table.links`), or a two-way table's row or column
totals (`Table.repeats`), which then constrain its own suppression.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from safehub.rules import disclosure

Value = int | str
Cell = tuple[int, int]


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
    # Column j filled from another table's published figures instead of being published again
    # (two tables showing the same count must show it the same way, or together they would
    # disclose): j -> (that table's key, "row_totals" or "column_totals"), matched by this
    # table's row keys against its row keys, or its column labels.
    links: dict[int, tuple[str, str]] = field(default_factory=dict)
    # Margins of a two-way table that repeat an earlier table's published figures:
    # "row_totals" -> (that table's key, "row_totals" or one of its column labels), matched by
    # row key; "column_totals" -> (its key, "column_totals" or one of its row keys), matched by
    # column label. Each repeated total is published as that table publishes it, and the rest
    # of this table is suppressed around it (`_repeated`).
    repeats: dict[str, tuple[str, str]] = field(default_factory=dict)
    # Rows that overlap (a child under two types) print no total; the audit still assumes the
    # reader knows the rows' sum exactly, which is more than they can know (only that it is at
    # least the children at risk), so what passes it is safe.
    audit_total: bool = False
    # A "Change" column after the last one: the last column minus the one before it, shown
    # only where both are ("+3", a minus sign and 2, "0"; "c" when either end is withheld).
    change: bool = False
    published: dict[Cell, Value] | None = None
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


def _publish(table: disclosure.CountTable, repeated: Repeated | None = None) -> dict[Cell, Value]:
    repeated = repeated or Repeated()
    result = disclosure.publish(table, hidden=repeated.hidden, shown=repeated.shown)
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


def _linked_value(source: Table, kind: str, key: str | None) -> Value | None:
    """One published figure of `source`: a row's total or a column's total, the grand total
    for `key` None; None when `source` has no such row or column."""
    if key is None:
        return source.shown_column_totals()[0] if source.coarsened else source.shown_grand_total()
    if kind == "row_totals":
        if key not in source.row_keys:
            return None
        i = source.row_keys.index(key)
        return source.shown()[i][0] if source.coarsened else source.shown_row_total(i)
    if source.coarsened:  # its columns are gone: nothing by column is published
        return disclosure.SUPPRESSED
    if key not in source.columns:
        return None
    return source.shown_column_totals()[source.columns.index(key)]


def _linked(table: Table, j: int, done: dict[str, Table]) -> dict[tuple[int, int], Value]:
    """Column j as the table it repeats publishes it.

    A row that table does not have is a count it implies is 0 (a ward table without a "Not
    graded" column says no child is ungraded), so a 0 is shown as 0 and anything else as "c".
    """
    key, kind = table.links[j]
    source = done[key]
    n = len(table.row_labels)
    values: dict[tuple[int, int], Value] = {}
    for i, k in enumerate([*table.row_keys, None]):
        true = table.counts[i][j] if i < n else table.column_totals()[j]
        value = _linked_value(source, kind, k)
        if value is None:
            value = 0 if true == 0 else disclosure.SUPPRESSED
        if isinstance(value, int) and value != true:
            raise ValueError(f"{table.key} column {j} is not {key}'s {kind}: {value} != {true}")
        values[(i, j)] = value
    return values


@dataclass(frozen=True)
class Repeated:
    """Totals of a table that an earlier table publishes: hidden there, or shown there."""

    hidden: frozenset[Cell] = frozenset()
    shown: frozenset[Cell] = frozenset()


def _source_column_figure(source: Table, kind: str, label: str) -> Value | None:
    if source.coarsened or label not in source.columns:
        return None
    j = source.columns.index(label)
    if kind != "column_totals":  # a row of `source`, by key
        return source.shown()[source.row_keys.index(kind)][j] if kind in source.row_keys else None
    if source.has_total_row:
        return source.shown_column_totals()[j]
    return source.shown()[0][j] if len(source.row_labels) == 1 else None


def _source_figure(source: Table, kind: str, key: str) -> Value | None:
    """What `source` prints for one row (by key) or column (by label): its total, or its cell
    in column or row `kind`; None when it prints no such figure (a single row's or column's
    cells are its totals)."""
    if kind == "column_totals" or kind in source.row_keys:
        return _source_column_figure(source, kind, key)
    if key not in source.row_keys:
        return None
    i = source.row_keys.index(key)
    if kind == "row_totals":
        if source.has_row_total:
            return source.shown_row_total(i)
        return source.shown()[i][0] if len(source.columns) == 1 else None
    return source.shown()[i][source.columns.index(kind)] if kind in source.columns else None


def _repeated(table: Table, done: dict[str, Table]) -> Repeated:
    """The margins of `table` an earlier table already publishes: (hidden there, shown there).

    A shown total must be shown here too, and is known to the reader whatever this table does;
    a hidden one must be hidden here too. A row or column the earlier table does not print is
    this table's to decide. A repeated figure that differs from this table's total is a fault in
    the report's definition, refused rather than published.
    """
    n, m = len(table.row_labels), len(table.columns)
    wanted: list[tuple[str, Cell, str, int]] = []
    if table.has_row_total and "row_totals" in table.repeats:
        wanted += [
            ("row_totals", (i, m), key, table.row_total(i)) for i, key in enumerate(table.row_keys)
        ]
    if table.has_total_row and "column_totals" in table.repeats:
        totals = table.column_totals()
        wanted += [("column_totals", (n, j), c, totals[j]) for j, c in enumerate(table.columns)]
    hidden: set[Cell] = set()
    shown: set[Cell] = set()
    for margin, cell, key, true in wanted:
        source_key, kind = table.repeats[margin]
        if source_key not in done:
            raise ValueError(f"{table.key} repeats {source_key}, which is not published before it")
        value = _source_figure(done[source_key], kind, key)
        if value == disclosure.SUPPRESSED:
            hidden.add(cell)
        elif isinstance(value, int):
            if value != true:
                raise ValueError(
                    f"{table.key} {margin} are not {source_key}'s {kind}: {value} != {true}"
                )
            shown.add(cell)
    return Repeated(frozenset(hidden), frozenset(shown))


def control(table: Table, done: dict[str, Table] | None = None) -> Table:
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
            if j in table.links:
                published |= _linked(table, j, done or {})
                continue
            one = _publish(
                disclosure.CountTable.two_way(
                    [[row[j]] for row in table.counts],
                    row_labels=rows,
                    column_labels=[column],
                    total_column=False,
                    total_row=table.has_total_row or table.audit_total,
                )
            )
            published |= {(i, j): v for (i, k), v in one.items() if k == 0}
        table.published = published
    else:
        repeated = _repeated(table, done or {})
        try:
            table.published = _publish(
                disclosure.CountTable.two_way(
                    table.counts,
                    row_labels=rows,
                    column_labels=table.columns,
                    total_column=table.has_row_total,
                    total_row=table.has_total_row,
                ),
                repeated,
            )
        except disclosure.DisclosureError:
            # The row totals become the one column; the repeated ones keep their constraints.
            # The grand total left is the sum of the column totals: printed beside those the
            # earlier table prints, it would give away any it hides.
            n, m = len(table.row_labels), len(table.columns)
            totals = [[sum(r)] for r in table.counts]
            table.published = _publish(
                disclosure.CountTable.two_way(
                    totals, row_labels=rows, column_labels=[table.total_label], total_column=False
                ),
                Repeated(
                    frozenset({(i, 0) for i, j in repeated.hidden if j == m})
                    | ({(n, 0)} if n > 1 and any(i == n for i, _ in repeated.hidden) else set()),
                    frozenset({(i, 0) for i, j in repeated.shown if j == m}),
                ),
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
    done: dict[str, Table] = {}
    for table in tables:  # in order: a table is linked only to one before it
        done[table.key] = control(table, done)
    return tables


def _difference(before: Value, after: Value) -> str:
    if not (isinstance(before, int) and isinstance(after, int)):
        return disclosure.SUPPRESSED
    change = after - before
    return f"+{change}" if change > 0 else f"−{-change}" if change < 0 else "0"


def add_changes(tables: list[Table]) -> None:
    """Append the "Change" column to each table that asks for one, from what it shows.

    Run after disclosure control, in both editions: a change is worked out from the two
    figures as printed, so it never tells more than they do.
    """
    for table in tables:
        if not table.change or len(table.columns) < 2:  # noqa: PLR2004 - two ends of a change
            continue
        n, m = len(table.row_labels), len(table.columns)
        if table.published is None:
            table.published = {
                (i, j): v for i, row in enumerate(table.counts) for j, v in enumerate(row)
            }
            table.published |= {(n, j): v for j, v in enumerate(table.column_totals())}
        for i in range(n + 1 if table.has_total_row else n):
            table.published[(i, m)] = _difference(
                table.published[(i, m - 2)], table.published[(i, m - 1)]
            )
        for row in table.counts:
            row.append(row[m - 1] - row[m - 2])
        table.columns.append("Change")


def publish_total(value: int) -> Value:
    """A count standing alone, with nothing to subtract it from: 1 to 5 is shown as "c"."""
    return disclosure.publish_count(value)
