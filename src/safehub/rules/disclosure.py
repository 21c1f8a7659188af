"""Statistical disclosure control for the public edition: suppress small counts, then prove it.

A public table of children by ward (and perhaps by risk level) must not let anyone work out that
"one child in Tong is at high risk". The method is the usual cell suppression of official
statistics, with a proof at the end instead of a reviewer's eye:

1. **Primary suppression.** A cell with 1 to `threshold` children (default 5) is shown as `c`.
   A zero is shown as 0: "nobody" is not a disclosure about a child, and hiding zeros would
   make every sparse table unreadable.
2. **Small lines.** True totals are always published, so a line (a row or column with a
   published total) whose total is 1 to `threshold` is published as its total only: every cell
   in it is suppressed, zeros included. Otherwise the zeros would say where the few children
   are *not*, and with one non-zero cell the total would *be* that cell.
3. **Complementary (secondary) suppression.** A line with exactly one `c` gives it away by
   subtraction from the line's total, so every such line gets a second `c`: the smallest
   non-zero cell in the line, ties broken by position, a zero only when nothing else is left
   (a zero can only move up, so it protects in one direction). Repeated until no line has a
   lone `c`.
4. **Audit.** Two linear programmes per suppressed cell (minimise, then maximise it) give the
   range an attacker can prove from the published table (`audit`). While a cell is too narrow,
   `suppress` adds the smallest cell in its row or column (else in the table) and repeats the
   pairing; `publish` refuses a table the audit does not pass.

**The protection rule.** The attacker knows the published cells, the published totals and that
every `c` is at least 0 — exactly what the legend says, because a `c` may hide a primary count, a
larger complementary cell or a zero from a small line. A suppressed cell with true value v and
provable range [lo, hi] is *protected* when:

- lo ≤ v ≤ hi (which checks that the audit ran on the true table);
- hi - lo ≥ max(1, min(p, m)), where p is the protection width and m the width the published
  totals alone allow (no pattern can do better than the totals, which policy publishes). The
  default p is the threshold: a `c` then leaves at least threshold + 1 possible values, as many
  as the legend itself admits (0..threshold, since a `c` may hide a zero). A range of a single
  value always fails;
- for a primary cell, an attacker who also knew the cell was primary (so 1..threshold) would
  still have two values left, unless the totals alone leave one. This catches a 5 whose range
  is [5, 10]: wide enough, yet pinned for anyone who guesses it is a small count.

A primary cell the totals alone pin (a row total of 3 whose other cells lie in columns that
total 0) cannot be protected while true totals are published; `publish` refuses it, and the
fix is a coarser table (merge wards or risk levels), not a cleverer pattern.

**Why the LP is exact.** Published cells are fixed and suppressed cells are tied only by
line totals, so the constraint matrix is the incidence matrix of a bipartite graph (rows,
columns; cells as edges) — totally unimodular. Every vertex of the feasible region is integer,
so the LP bounds are the integer bounds: the audit neither misses a recoverable cell nor
invents one.

**Limits.** The audit models an attacker with this one table. Linked tables (wards by risk and
wards by age share the ward totals; this quarter and last can be differenced) are not audited
together here, so a report must not publish two breakdowns of the same total without thinking
about it. Knowledge that is not a bound (a complement is 0 or above the threshold; the
algorithm is public and deterministic) is not modelled. The pattern is deterministic but not
minimal: it may hide more than an optimal one would. Pure: no Django.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final, Literal

import numpy as np
from scipy.optimize import linprog

SUPPRESSED: Final = "c"
DEFAULT_THRESHOLD: Final = 5

Cell = tuple[int, int]
Published = int | Literal["c"]

# LP solutions are integer up to the solver's tolerance (see the module docstring).
_TOLERANCE: Final = 1e-6


class DisclosureError(ValueError):
    """The public edition would disclose: the audit found a cell it could not protect."""

    def __init__(self, result: AuditResult) -> None:
        self.result = result
        super().__init__(result.explain())


class Suppression(enum.StrEnum):
    """Why a cell is shown as `c`: kept with the table so a reviewer can follow each decision."""

    PRIMARY = "primary"  # 1..threshold
    SMALL_LINE = "small-line"  # in a line whose total is 1..threshold
    COMPLEMENT = "complement"  # second `c` in a line that had only one
    AUDIT = "audit"  # added because the audit found a range too narrow


@dataclass(frozen=True)
class CountTable:
    """A table of counts with the margins that are published with it.

    A two-way table (wards x risk levels) publishes its row totals, column totals and grand
    total. A table with a single column is a one-way table (wards only): a row's "total" would
    be its cell, so only the grand total is a margin; the same holds for a single row. Totals are
    always the true totals.
    """

    counts: tuple[tuple[int, ...], ...]
    row_labels: tuple[str, ...]
    column_labels: tuple[str, ...]

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

    @classmethod
    def two_way(
        cls,
        counts: Sequence[Sequence[int]],
        *,
        row_labels: Sequence[str] | None = None,
        column_labels: Sequence[str] | None = None,
    ) -> CountTable:
        rows = tuple(tuple(row) for row in counts)
        n_columns = len(rows[0]) if rows else 0
        return cls(
            counts=rows,
            row_labels=tuple(row_labels or (f"row {i + 1}" for i in range(len(rows)))),
            column_labels=tuple(column_labels or (f"column {j + 1}" for j in range(n_columns))),
        )

    @classmethod
    def one_way(
        cls, counts: Sequence[int], *, labels: Sequence[str] | None = None, heading: str = "count"
    ) -> CountTable:
        return cls.two_way(
            [[value] for value in counts], row_labels=labels, column_labels=[heading]
        )

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.counts), len(self.counts[0])

    @property
    def is_one_way(self) -> bool:
        return 1 in self.shape

    def cells(self) -> Iterator[Cell]:
        """Every cell's position, row by row: the order ties are broken in."""
        n_rows, n_columns = self.shape
        return ((i, j) for i in range(n_rows) for j in range(n_columns))

    def value(self, cell: Cell) -> int:
        return self.counts[cell[0]][cell[1]]

    def describe(self, cell: Cell) -> str:
        """A cell by its labels, for messages a report's author reads: "Tong, high"."""
        row, column = self.row_labels[cell[0]], self.column_labels[cell[1]]
        return row if self.shape[1] == 1 else f"{row}, {column}"

    @property
    def row_totals(self) -> tuple[int, ...] | None:
        """Each row's total, or None when rows have no separate total (a single column)."""
        if self.shape[1] == 1:
            return None
        return tuple(sum(row) for row in self.counts)

    @property
    def column_totals(self) -> tuple[int, ...] | None:
        """Each column's total, or None when columns have no separate total (a single row)."""
        if self.shape[0] == 1:
            return None
        return tuple(sum(column) for column in zip(*self.counts, strict=True))

    @property
    def grand_total(self) -> int:
        return sum(map(sum, self.counts))

    def lines(self) -> tuple[tuple[Cell, ...], ...]:
        """The groups of cells whose totals are published: rows, then columns.

        In a one-way table the single line is the whole table and its total the grand total;
        in a two-way table the grand total follows from the row totals, so it adds nothing.
        """
        n_rows, n_columns = self.shape
        lines: list[tuple[Cell, ...]] = []
        if n_columns > 1:
            lines += [tuple((i, j) for j in range(n_columns)) for i in range(n_rows)]
        if n_rows > 1:
            lines += [tuple((i, j) for i in range(n_rows)) for j in range(n_columns)]
        return tuple(lines) or (((0, 0),),)

    def margin_range(self, cell: Cell) -> tuple[int, int]:
        """The values a cell can take given only the published totals (every cell hidden).

        These are the Fréchet bounds, which are sharp for a two-way table with fixed margins;
        a one-way table's cell can be anything from 0 to the total. A range of one value means
        the totals alone disclose the cell.
        """
        n_rows, n_columns = self.shape
        total = self.grand_total
        if n_rows == n_columns == 1:
            return total, total
        if self.is_one_way:
            return 0, total
        i, j = cell
        row = sum(self.counts[i])
        column = sum(r[j] for r in self.counts)
        return max(0, row + column - total), min(row, column)


@dataclass(frozen=True)
class CellRange:
    """What the audit proved about one suppressed cell, and the verdict."""

    cell: Cell
    value: int
    reason: Suppression
    low: int
    high: int
    required_width: int
    protected: bool

    @property
    def width(self) -> int:
        return self.high - self.low


@dataclass(frozen=True)
class AuditResult:
    """The provable range of every suppressed cell, and any small count left on show."""

    table: CountTable
    ranges: tuple[CellRange, ...]
    exposed: tuple[Cell, ...]  # cells of 1..threshold published as numbers

    @property
    def ok(self) -> bool:
        return not self.exposed and all(r.protected for r in self.ranges)

    @property
    def failures(self) -> tuple[CellRange, ...]:
        return tuple(r for r in self.ranges if not r.protected)

    def explain(self) -> str:
        """One sentence per problem, for the error a refused report shows its author."""
        if self.ok:
            return "Every suppressed cell is protected."
        name = self.table.describe
        problems = [f"{name(c)} is a small count published as a number" for c in self.exposed]
        problems += [_explain(r, name(r.cell)) for r in self.failures]
        return "Not safe to publish: " + "; ".join(problems) + "."


def _explain(failure: CellRange, name: str) -> str:
    where = f"{name} ({failure.reason})"
    if not failure.low <= failure.value <= failure.high:
        return f"{where} has a true value outside its range; the audit ran on the wrong table"
    if failure.low == failure.high:
        return f"{where} is pinned to {failure.low} by the published figures"
    if failure.width < failure.required_width:
        return (
            f"{where} can be shown to lie in [{failure.low}, {failure.high}], "
            f"narrower than the width of {failure.required_width} required"
        )
    return (
        f"{where} lies in [{failure.low}, {failure.high}], which pins the count for anyone who "
        "knows it is a small one"
    )


@dataclass(frozen=True)
class SuppressedTable:
    """A table with the cells to show as `c`, and the rule it must meet.

    It keeps the true counts: it is the publisher's record, from which the public edition is
    rendered and against which the audit checks. It may be built by hand (or altered with
    `dataclasses.replace`), which is how the tests show that the audit catches a bad pattern.
    """

    table: CountTable
    suppressed: Mapping[Cell, Suppression]
    threshold: int = DEFAULT_THRESHOLD
    protection: int = DEFAULT_THRESHOLD

    def __post_init__(self) -> None:
        _check_rule(self.threshold, self.protection)
        positions = set(self.table.cells())
        if unknown := set(self.suppressed) - positions:
            raise ValueError(f"suppressed cells outside the table: {sorted(unknown)}")
        object.__setattr__(self, "suppressed", MappingProxyType(dict(self.suppressed)))

    def is_suppressed(self, cell: Cell) -> bool:
        return cell in self.suppressed

    def published_value(self, row: int, column: int) -> Published:
        """The cell as the public edition shows it: the count, or "c"."""
        if (row, column) in self.suppressed:
            return SUPPRESSED
        return self.table.counts[row][column]

    def published_rows(self) -> tuple[tuple[Published, ...], ...]:
        """The whole body of the public table; the totals are the table's true totals."""
        n_rows, n_columns = self.table.shape
        return tuple(
            tuple(self.published_value(i, j) for j in range(n_columns)) for i in range(n_rows)
        )

    def cells_suppressed(self, *reasons: Suppression) -> tuple[Cell, ...]:
        """The suppressed cells, in position order, optionally only those with given reasons."""
        return tuple(
            sorted(c for c, why in self.suppressed.items() if not reasons or why in reasons)
        )


def suppress(
    table: CountTable, *, threshold: int = DEFAULT_THRESHOLD, protection: int | None = None
) -> SuppressedTable:
    """Choose the cells to show as `c` so that the audit passes, when it can.

    `protection` is the width p of the protection rule (default: `threshold`). The result
    passes `audit` unless a primary cell is disclosed by the published totals alone; no
    pattern can fix that, and the result then fails the audit (so `publish` refuses it).
    The choice is deterministic: the same table always gets the same pattern.
    """
    width = threshold if protection is None else protection
    _check_rule(threshold, width)
    hideable = {c for c in table.cells() if _spread(table.margin_range(c)) > 0}
    marks = _primary_and_small_lines(table, threshold, hideable)
    passed: set[Cell] = set()
    while True:
        _complete_lines(table, marks, hideable)
        failing = _first_failure(table, marks, hideable, passed, _Rule(threshold, width))
        if failing is None:
            break
        extra = _smallest(table, _lines_through(table, failing), marks, hideable)
        extra = extra or _smallest(table, (tuple(table.cells()),), marks, hideable)
        if extra is None:
            break
        marks[extra] = Suppression.AUDIT
    return SuppressedTable(table, marks, threshold=threshold, protection=width)


def audit(published: SuppressedTable) -> AuditResult:
    """Prove, cell by cell, what the published table gives away.

    For each suppressed cell two LPs (minimise and maximise it) over the suppressed cells,
    subject to: published cells fixed, suppressed cells ≥ 0, every published total met. The
    range is judged by the protection rule in the module docstring. Small counts published as
    numbers are listed too. The table is taken as given, so a pattern built or edited by hand is
    audited as strictly as one from `suppress`.
    """
    table = published.table
    exposed = tuple(
        c
        for c in table.cells()
        if 1 <= table.value(c) <= published.threshold and not published.is_suppressed(c)
    )
    ranges = tuple(
        _judge(table, published.suppressed, cell, _Rule(published.threshold, published.protection))
        for cell in published.cells_suppressed()
    )
    return AuditResult(table=table, ranges=ranges, exposed=exposed)


def publish(
    table: CountTable, *, threshold: int = DEFAULT_THRESHOLD, protection: int | None = None
) -> SuppressedTable:
    """Suppress and audit; the only way a table should reach a public edition.

    Raises `DisclosureError` (carrying the audit) rather than return a table that discloses.
    """
    result = suppress(table, threshold=threshold, protection=protection)
    verdict = audit(result)
    if not verdict.ok:
        raise DisclosureError(verdict)
    return result


# The method ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Rule:
    threshold: int
    protection: int


def _check_rule(threshold: int, protection: int) -> None:
    if threshold < 1:
        raise ValueError(f"the threshold must be at least 1, not {threshold}")
    if protection < 1:
        raise ValueError(f"the protection width must be at least 1, not {protection}")


def _spread(bounds: tuple[int, int]) -> int:
    return bounds[1] - bounds[0]


def _lines_through(table: CountTable, cell: Cell) -> tuple[tuple[Cell, ...], ...]:
    return tuple(line for line in table.lines() if cell in line)


def _smallest(
    table: CountTable,
    lines: Sequence[Sequence[Cell]],
    marks: Mapping[Cell, Suppression],
    hideable: set[Cell],
) -> Cell | None:
    """The best cell to hide next: the smallest non-zero one, then a zero; ties by position.

    Small cells lose least information; a zero comes last because it can only move up, so it
    widens a range on one side only. Cells the totals pin are never chosen: hiding them is show.
    """
    candidates = {c for line in lines for c in line if c in hideable and c not in marks}
    if not candidates:
        return None
    return min(candidates, key=lambda c: (table.value(c) == 0, table.value(c), c))


def _primary_and_small_lines(
    table: CountTable, threshold: int, hideable: set[Cell]
) -> dict[Cell, Suppression]:
    marks = {c: Suppression.PRIMARY for c in table.cells() if 1 <= table.value(c) <= threshold}
    for line in table.lines():
        if 1 <= sum(table.value(c) for c in line) <= threshold:
            for cell in line:
                if cell in hideable:
                    marks.setdefault(cell, Suppression.SMALL_LINE)
    return marks


def _first_failure(
    table: CountTable,
    marks: Mapping[Cell, Suppression],
    hideable: set[Cell],
    passed: set[Cell],
    rule: _Rule,
) -> Cell | None:
    """The first suppressed cell, in position order, that the audit would fail.

    Cells in `passed` are skipped and cells found protected are added to it: hiding more cells
    only drops constraints, so a range can only widen and a protected cell stays protected.
    A cell the totals alone pin is skipped too: no pattern can protect it.
    """
    for cell in sorted(marks):
        if cell in passed or cell not in hideable:
            continue
        if not _judge(table, marks, cell, rule).protected:
            return cell
        passed.add(cell)
    return None


def _complete_lines(table: CountTable, marks: dict[Cell, Suppression], hideable: set[Cell]) -> None:
    """Give every line with a single `c` a second one, until no line has a lone `c`."""
    changed = True
    while changed:
        changed = False
        for line in table.lines():
            if sum(c in marks for c in line) == 1:
                partner = _smallest(table, (line,), marks, hideable)
                if partner is not None:
                    marks[partner] = Suppression.COMPLEMENT
                    changed = True


def _judge(
    table: CountTable,
    marks: Mapping[Cell, Suppression],
    cell: Cell,
    rule: _Rule,
) -> CellRange:
    """Apply the protection rule (module docstring) to one suppressed cell."""
    low, high = _provable_range(table, marks, cell)
    value = table.value(cell)
    reason = marks[cell]
    margin_low, margin_high = table.margin_range(cell)
    required = max(1, min(rule.protection, margin_high - margin_low))
    protected = low <= value <= high and high - low >= required
    if reason is Suppression.PRIMARY:
        # For someone who knows the cell is 1..threshold: at least two values, if the totals
        # alone leave two.
        known = min(high, rule.threshold) - max(low, 1)
        at_best = min(margin_high, rule.threshold) - max(margin_low, 1)
        protected = protected and known >= min(1, at_best)
    return CellRange(cell, value, reason, low, high, required, protected)


def _provable_range(
    table: CountTable, marks: Mapping[Cell, Suppression], cell: Cell
) -> tuple[int, int]:
    """The least and greatest value of `cell` consistent with the published table (two LPs)."""
    hidden = sorted(marks)
    index = {c: k for k, c in enumerate(hidden)}
    rows: list[list[float]] = []
    rhs: list[float] = []
    for line in table.lines():
        coefficients = [0.0] * len(hidden)
        remainder = 0
        for c in line:
            if c in index:
                coefficients[index[c]] = 1.0
            remainder += table.value(c)  # the published total ...
        remainder -= sum(table.value(c) for c in line if c not in index)  # ... less what is shown
        if any(coefficients):
            rows.append(coefficients)
            rhs.append(float(remainder))
    objective = np.zeros(len(hidden))
    objective[index[cell]] = 1.0
    bounds: list[float] = []
    for sign in (1.0, -1.0):
        solution = linprog(
            sign * objective,
            A_eq=np.array(rows),
            b_eq=np.array(rhs),
            bounds=(0, None),
            method="highs",
        )
        if solution.status != 0:  # the true table is feasible and every cell bounded
            raise RuntimeError(f"disclosure audit LP failed for {cell}: {solution.message}")
        bounds.append(sign * float(solution.fun))
    low = math.ceil(bounds[0] - _TOLERANCE)
    high = math.floor(bounds[1] + _TOLERANCE)
    return low, high
