"""The table a disclosure control works on: a body of counts and the margins published with it.

Every number a table prints is a *cell*: body cells are (i, j); with n rows and m columns,
`(i, m)` is row i's total, `(n, j)` column j's total and `(n, m)` the grand total. Each published
total is a `Line`: the cells it adds up, and the total itself. `safehub.rules.disclosure` decides
which cells to hide; `safehub.rules.disclosure_lp` proves what the rest gives away. Pure: no
Django.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

Cell = tuple[int, int]


@dataclass(frozen=True)
class Line:
    """A published total and the cells it adds up."""

    members: tuple[Cell, ...]
    total: Cell

    @property
    def cells(self) -> tuple[Cell, ...]:
        return (*self.members, self.total)


@dataclass(frozen=True)
class CountTable:
    """A table of counts with the margins that are published with it.

    `total_column` publishes each row's total, `total_row` each column's total; with both, the
    grand total too. A table with a single column has no total column (a row's total would be
    its cell) and its total row's one cell is the grand total; the same holds for a single row.
    Totals are always the true totals.
    """

    counts: tuple[tuple[int, ...], ...]
    row_labels: tuple[str, ...]
    column_labels: tuple[str, ...]
    total_column: bool = True
    total_row: bool = True

    def __post_init__(self) -> None:
        if not self.counts or not self.counts[0]:
            raise ValueError("a table needs at least one row and one column")
        width = len(self.counts[0])
        if any(len(row) != width for row in self.counts):
            raise ValueError("every row needs the same number of cells")
        for row in self.counts:
            for value in row:
                if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                    raise ValueError(f"counts are non-negative integers, not {value!r}")
        if len(self.row_labels) != len(self.counts):
            raise ValueError("one row label per row")
        if len(self.column_labels) != width:
            raise ValueError("one column label per column")
        for labels in (self.row_labels, self.column_labels):
            if len(set(labels)) != len(labels):
                raise ValueError(f"labels must be unique: {labels!r}")
        # A total of a single cell is that cell: not a margin.
        object.__setattr__(self, "total_column", self.total_column and width > 1)
        object.__setattr__(self, "total_row", self.total_row and len(self.counts) > 1)

    @classmethod
    def two_way(
        cls,
        counts: Sequence[Sequence[int]],
        *,
        row_labels: Sequence[str] | None = None,
        column_labels: Sequence[str] | None = None,
        total_column: bool = True,
        total_row: bool = True,
    ) -> CountTable:
        rows = tuple(tuple(row) for row in counts)
        n_columns = len(rows[0]) if rows else 0
        return cls(
            counts=rows,
            row_labels=tuple(row_labels or (f"row {i + 1}" for i in range(len(rows)))),
            column_labels=tuple(column_labels or (f"column {j + 1}" for j in range(n_columns))),
            total_column=total_column,
            total_row=total_row,
        )

    @classmethod
    def one_way(
        cls,
        counts: Sequence[int],
        *,
        labels: Sequence[str] | None = None,
        heading: str = "count",
        total: bool = True,
    ) -> CountTable:
        return cls.two_way(
            [[value] for value in counts],
            row_labels=labels,
            column_labels=[heading],
            total_row=total,
        )

    @property
    def shape(self) -> tuple[int, int]:
        """The body's rows and columns; margins sit at index n (total row) and m (column)."""
        return len(self.counts), len(self.counts[0])

    @property
    def is_one_way(self) -> bool:
        return 1 in self.shape

    def cells(self) -> Iterator[Cell]:
        """Every body cell's position, row by row: the order ties are broken in."""
        n_rows, n_columns = self.shape
        return ((i, j) for i in range(n_rows) for j in range(n_columns))

    def margin_cells(self) -> tuple[Cell, ...]:
        """Every published total's position: row totals, column totals, then the grand total."""
        n_rows, n_columns = self.shape
        margins: list[Cell] = []
        if self.total_column:
            margins += [(i, n_columns) for i in range(n_rows)]
        if self.total_row:
            margins += [(n_rows, j) for j in range(n_columns)]
        if self.total_column and self.total_row:
            margins.append((n_rows, n_columns))
        return tuple(margins)

    def all_cells(self) -> tuple[Cell, ...]:
        """Every published number's position: the body, then the margins."""
        return (*self.cells(), *self.margin_cells())

    def is_margin(self, cell: Cell) -> bool:
        n_rows, n_columns = self.shape
        return cell[0] == n_rows or cell[1] == n_columns

    @property
    def grand_total_cell(self) -> Cell | None:
        """Where the grand total is printed, if it is: the corner, or a one-way table's total."""
        n_rows, n_columns = self.shape
        if self.total_row and self.total_column:
            return (n_rows, n_columns)
        if self.total_row and n_columns == 1:
            return (n_rows, 0)
        if self.total_column and n_rows == 1:
            return (0, n_columns)
        return None

    def value(self, cell: Cell) -> int:
        n_rows, n_columns = self.shape
        i, j = cell
        if i == n_rows and j == n_columns:
            return self.grand_total
        if i == n_rows:
            return sum(row[j] for row in self.counts)
        if j == n_columns:
            return sum(self.counts[i])
        return self.counts[i][j]

    def describe(self, cell: Cell) -> str:
        """A cell by its labels, for messages a report's author reads: "Tong, high"."""
        n_rows, n_columns = self.shape
        row = "Total" if cell[0] == n_rows else self.row_labels[cell[0]]
        if n_columns == 1 and cell[1] == 0:
            return row
        column = "total" if cell[1] == n_columns else self.column_labels[cell[1]]
        return f"{row}, {column}"

    @property
    def row_totals(self) -> tuple[int, ...] | None:
        """Each row's total, or None when the table has no total column."""
        if not self.total_column:
            return None
        return tuple(sum(row) for row in self.counts)

    @property
    def column_totals(self) -> tuple[int, ...] | None:
        """Each column's total, or None when the table has no total row."""
        if not self.total_row:
            return None
        return tuple(sum(column) for column in zip(*self.counts, strict=True))

    @property
    def grand_total(self) -> int:
        return sum(map(sum, self.counts))

    def lines(self) -> tuple[Line, ...]:
        """The published totals with what they add up: rows, columns, then the margins'."""
        n_rows, n_columns = self.shape
        lines: list[Line] = []
        if self.total_column:
            lines += [
                Line(tuple((i, j) for j in range(n_columns)), (i, n_columns)) for i in range(n_rows)
            ]
        if self.total_row:
            lines += [
                Line(tuple((i, j) for i in range(n_rows)), (n_rows, j)) for j in range(n_columns)
            ]
        if self.total_column and self.total_row:
            corner = (n_rows, n_columns)
            lines.append(Line(tuple((n_rows, j) for j in range(n_columns)), corner))
            lines.append(Line(tuple((i, n_columns) for i in range(n_rows)), corner))
        return tuple(lines)

    def best_range(self, threshold: int) -> tuple[int, float]:
        """The widest range any pattern can give a cell: [0, G] when the grand total is shown.

        Hiding every number but the grand total lets a cell hold anything from nothing to all
        of it; with no published grand total (none printed, or a small one hidden) a cell has no
        upper bound.
        """
        if self.grand_total_cell is None or self.grand_total <= threshold:
            return 0, math.inf
        return 0, self.grand_total
