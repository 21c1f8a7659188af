"""Statistical disclosure control for the public edition: suppress small counts, then prove it.

A public table of children by ward (and perhaps by risk level) must not let anyone work out that
"one child in Tong is at high risk" — nor, from a ward's total of 4, that four children in Toller
are at risk. The method is the usual cell suppression of official statistics, applied to every
number the table prints, its totals included, with a proof at the end instead of a reviewer's eye.

**The table and its margins.** A table has a body of counts and, when its rows or columns add up
to something meaningful, a total column (each row's total) and a total row (each column's total);
with both, the corner holds the grand total. A row of unlike things (decisions and return home
interviews) has no total: the caller says which margins exist. Margin cells are addressed like
body cells: with n rows and m columns, `(i, m)` is row i's total, `(n, j)` column j's total and
`(n, m)` the grand total. Each published total is a *line*: its members (the body cells, or the
margins, it adds up) and the total itself.

1. **Primary suppression.** Any cell, total or not, of 1 to `threshold` children (default 5) is
   shown as `c`. A zero is shown as 0: "nobody" is not a disclosure about a child, and hiding
   zeros would make every sparse table unreadable.
2. **Small lines.** A line whose total is 1 to `threshold` is hidden whole, zeros included:
   otherwise the zeros would say where the few children are *not*.
3. **Complementary (secondary) suppression.** A line with exactly one `c` gives it away by
   subtraction, so every such line gets a second `c`, chosen over rows, columns and margins
   together: the smallest non-zero cell of the line, a body cell before a total of the same
   value, ties broken by position, a zero only when nothing else is left (a zero can only move
   up, so it protects in one direction). Repeated until no line has a lone `c`.
4. **Audit.** Two linear programmes per suppressed cell (minimise, then maximise it) give the
   range an attacker can prove from the published table (`audit`). While a cell is too narrow,
   `suppress` hides the smallest cell in its lines (else in the table) and repeats step 3;
   `publish` refuses a table the audit does not pass.

**The grand total stays.** The number of children at risk is printed in the headline and is the
grand total of several tables of the same report; hiding it in one table while another prints it
would protect nothing. So a grand total above the threshold is never chosen as a complement, and
one of 1 to `threshold` is hidden everywhere (it is primary wherever it stands).

**The protection rule.** The attacker knows every published number and that every `c` is at
least 0 — exactly what the legend says, because a `c` may hide a primary count, a larger
complementary cell or a zero from a small line. A suppressed cell with true value v and provable
range [lo, hi] is *protected* when:

- lo ≤ v ≤ hi (which checks that the audit ran on the true table);
- hi - lo ≥ max(1, min(p, G)), where p is the protection width and G the published grand total
  (hiding all but G leaves every cell anywhere in [0, G], and no pattern can do better). Without
  a published grand total the cell is unbounded above and wide enough. The default p is the
  threshold: a `c` then leaves at least threshold + 1 possible values, as many as the legend
  itself admits (0..threshold, since a `c` may hide a zero). A range of a single value fails;
- for a primary cell, an attacker who also knew the cell was primary (so 1..threshold) would
  still have two values left. This catches a 5 whose range is [5, 10]: wide enough, yet pinned
  for anyone who guesses it is a small count.

Since hiding everything but the grand total always meets the rule, `suppress` always finds a
pattern; `publish` refuses only a pattern the audit rejects, which `suppress` does not produce.

**Why the LP is exact**, and how one model per table gives every range:
`safehub.rules.disclosure_lp`.
The table model (cells, margins, lines): `safehub.rules.disclosure_table`.

**Repeated figures.** Two tables of a report can print the same number: a breakdown's row or
column totals may be another table's figures (people reached by programme and community add up
to each programme's people reached, printed earlier). Suppressed and audited alone, the second
table could hide as a complement a total the first prints (the reader then knows it and the
hidden cell is exact), or print one the first hides. So `suppress` and `publish` take the cells
the earlier table already decided: `shown` ones are never chosen to hide here and the audit
treats them as known (they are published numbers); `hidden` ones are shown as `c` here too
(reason "repeated") and the lines are completed around them. With cells that may not be hidden
a safe pattern may not exist: `publish` then refuses the table and the report coarsens it or
refuses to render, as for any table the audit rejects.

**Limits.** The audit models an attacker with this one table and the repeated figures above.
Tables that share a subtotal without declaring it (wards by risk and wards by age share the
ward totals; this quarter and last can be differenced) are not audited together beyond the
grand total rule, and a figure hidden in both tables is bounded by each table's equations
separately, not by both at once; so a report must not publish two breakdowns of the same
subtotal without thinking about it. Knowledge that is not a bound (a complement is 0 or
above the threshold; the algorithm is public and deterministic) is not modelled. The pattern is
deterministic but not minimal: it may hide more than an optimal one would. Pure: no Django.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final, Literal

from safehub.rules.disclosure_lp import provable_ranges
from safehub.rules.disclosure_table import Cell, CountTable, Line

__all__ = [
    "DEFAULT_THRESHOLD",
    "SUPPRESSED",
    "AuditResult",
    "Cell",
    "CellRange",
    "CountTable",
    "DisclosureError",
    "Line",
    "Published",
    "SuppressedTable",
    "Suppression",
    "audit",
    "publish",
    "publish_count",
    "suppress",
]

SUPPRESSED: Final = "c"
DEFAULT_THRESHOLD: Final = 5

Published = int | Literal["c"]


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
    REPEATED = "repeated"  # a figure another table of the report prints, and hides there


@dataclass(frozen=True)
class CellRange:
    """What the audit proved about one suppressed cell, and the verdict."""

    cell: Cell
    value: int
    reason: Suppression
    low: int
    high: float  # math.inf when nothing published bounds the cell from above
    required_width: float
    protected: bool

    @property
    def width(self) -> float:
        return self.high - self.low


@dataclass(frozen=True)
class AuditResult:
    """The provable range of every suppressed cell, and any small count left on show."""

    table: CountTable
    ranges: tuple[CellRange, ...]
    exposed: tuple[Cell, ...]  # cells (totals included) of 1..threshold published as numbers

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
    """A table with the cells (totals included) to show as `c`, and the rule it must meet.

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
        positions = set(self.table.all_cells())
        if unknown := set(self.suppressed) - positions:
            raise ValueError(f"suppressed cells outside the table: {sorted(unknown)}")
        object.__setattr__(self, "suppressed", MappingProxyType(dict(self.suppressed)))

    def is_suppressed(self, cell: Cell) -> bool:
        return cell in self.suppressed

    def published_value(self, row: int, column: int) -> Published:
        """Any number as the public edition shows it (a total too): the count, or "c"."""
        if (row, column) in self.suppressed:
            return SUPPRESSED
        return self.table.value((row, column))

    def published_rows(self) -> tuple[tuple[Published, ...], ...]:
        """The body of the public table, without its margins."""
        n_rows, n_columns = self.table.shape
        return tuple(
            tuple(self.published_value(i, j) for j in range(n_columns)) for i in range(n_rows)
        )

    def published_row_totals(self) -> tuple[Published, ...] | None:
        n_rows, n_columns = self.table.shape
        if not self.table.total_column:
            return None
        return tuple(self.published_value(i, n_columns) for i in range(n_rows))

    def published_column_totals(self) -> tuple[Published, ...] | None:
        n_rows, n_columns = self.table.shape
        if not self.table.total_row:
            return None
        return tuple(self.published_value(n_rows, j) for j in range(n_columns))

    def published_grand_total(self) -> Published | None:
        cell = self.table.grand_total_cell
        return None if cell is None else self.published_value(*cell)

    def cells_suppressed(self, *reasons: Suppression) -> tuple[Cell, ...]:
        """The suppressed cells, in position order, optionally only those with given reasons."""
        return tuple(
            sorted(c for c, why in self.suppressed.items() if not reasons or why in reasons)
        )


def suppress(
    table: CountTable,
    *,
    threshold: int = DEFAULT_THRESHOLD,
    protection: int | None = None,
    hidden: Collection[Cell] = (),
    shown: Collection[Cell] = (),
) -> SuppressedTable:
    """Choose the cells (totals included) to show as `c` so that the audit passes.

    `protection` is the width p of the protection rule (default: `threshold`). `hidden` and
    `shown` are the figures another table of the report already publishes ("Repeated
    figures" in the module docstring): `hidden` cells are shown as `c` whatever their value,
    `shown` cells are never chosen to hide (and, published, are known to the audit). With
    `shown` cells a safe pattern may not exist; the pattern returned then fails the audit and
    `publish` refuses it. The choice is deterministic: the same table always gets the same
    pattern.
    """
    width = threshold if protection is None else protection
    _check_rule(threshold, width)
    _check_repeated(table, hidden, shown, threshold)
    rule = _Rule(threshold, width)
    hideable = set(table.all_cells()) - _kept(table, threshold) - set(shown)
    marks = _primary_and_small_lines(table, threshold, hideable)
    for cell in sorted(hidden):
        marks.setdefault(cell, Suppression.REPEATED)
    passed: set[Cell] = set()
    while True:
        _complete_lines(table, marks, hideable)
        failing = _first_failure(table, marks, passed, rule)
        if failing is None:
            break
        lines = [line.cells for line in table.lines() if failing in line.cells]
        extra = _smallest(table, lines, marks, hideable)
        extra = extra or _smallest(table, (table.all_cells(),), marks, hideable)
        if extra is None:
            break
        marks[extra] = Suppression.AUDIT
    return SuppressedTable(table, marks, threshold=threshold, protection=width)


def audit(published: SuppressedTable) -> AuditResult:
    """Prove, cell by cell, what the published table gives away.

    For each suppressed cell its least and greatest value over the suppressed cells, subject to:
    published numbers fixed, suppressed cells ≥ 0, every line adding up to its total (one model
    for the whole table, `safehub.rules.disclosure_lp`). The range is judged by the protection
    rule in the module docstring. Small counts published as numbers, totals included, are
    listed too. The table is taken as given, so a
    pattern built or edited by hand is audited as strictly as one from `suppress`.
    """
    table = published.table
    exposed = tuple(
        c
        for c in table.all_cells()
        if 1 <= table.value(c) <= published.threshold and not published.is_suppressed(c)
    )
    rule = _Rule(published.threshold, published.protection)
    found = provable_ranges(table, published.suppressed)
    ranges = tuple(
        _judge(table, published.suppressed, cell, found[cell], rule)
        for cell in published.cells_suppressed()
    )
    return AuditResult(table=table, ranges=ranges, exposed=exposed)


def publish(
    table: CountTable,
    *,
    threshold: int = DEFAULT_THRESHOLD,
    protection: int | None = None,
    hidden: Collection[Cell] = (),
    shown: Collection[Cell] = (),
) -> SuppressedTable:
    """Suppress and audit; the only way a table should reach a public edition.

    `hidden` and `shown` as for `suppress`. Raises `DisclosureError` (carrying the audit)
    rather than return a table that discloses.
    """
    result = suppress(table, threshold=threshold, protection=protection, hidden=hidden, shown=shown)
    verdict = audit(result)
    if not verdict.ok:
        raise DisclosureError(verdict)
    return result


def publish_count(value: int, *, threshold: int = DEFAULT_THRESHOLD) -> Published:
    """A count printed on its own, with no total to subtract it from: 1..threshold is "c"."""
    return SUPPRESSED if 1 <= value <= threshold else value


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


def _check_repeated(
    table: CountTable, hidden: Collection[Cell], shown: Collection[Cell], threshold: int
) -> None:
    positions = set(table.all_cells())
    if unknown := (set(hidden) | set(shown)) - positions:
        raise ValueError(f"repeated figures outside the table: {sorted(unknown)}")
    if both := set(hidden) & set(shown):
        raise ValueError(f"repeated figures both hidden and shown: {sorted(both)}")
    if small := sorted(c for c in shown if 1 <= table.value(c) <= threshold):
        names = ", ".join(table.describe(c) for c in small)
        raise ValueError(f"another table prints a small count that this one repeats: {names}")


def _kept(table: CountTable, threshold: int) -> set[Cell]:
    """Cells never chosen to hide: a grand total above the threshold (module docstring)."""
    cell = table.grand_total_cell
    return {cell} if cell is not None and table.grand_total > threshold else set()


def _smallest(
    table: CountTable,
    lines: Sequence[Sequence[Cell]],
    marks: Mapping[Cell, Suppression],
    hideable: set[Cell],
) -> Cell | None:
    """The best cell to hide next: the smallest non-zero one, then a zero; ties by position.

    Small cells lose least information, and a body cell is hidden before a total of the same
    value; a zero comes last because it can only move up, so it widens a range on one side only.
    """
    candidates = {c for line in lines for c in line if c in hideable and c not in marks}
    if not candidates:
        return None
    return min(
        candidates,
        key=lambda c: (table.value(c) == 0, table.value(c), table.is_margin(c), c),
    )


def _primary_and_small_lines(
    table: CountTable, threshold: int, hideable: set[Cell]
) -> dict[Cell, Suppression]:
    marks = {c: Suppression.PRIMARY for c in table.all_cells() if 1 <= table.value(c) <= threshold}
    for line in table.lines():
        if 1 <= table.value(line.total) <= threshold:
            for cell in line.members:
                if cell in hideable:
                    marks.setdefault(cell, Suppression.SMALL_LINE)
    return marks


def _first_failure(
    table: CountTable, marks: Mapping[Cell, Suppression], passed: set[Cell], rule: _Rule
) -> Cell | None:
    """The first suppressed cell, in position order, that the audit would fail.

    Cells in `passed` are skipped and cells found protected are added to it: hiding more cells
    only drops constraints, so a range can only widen and a protected cell stays protected.
    The ranges of all the others come from one model; every protected one joins `passed` (the
    first failure is the same as judging them one by one would find).
    """
    waiting = [cell for cell in sorted(marks) if cell not in passed]
    found = provable_ranges(table, marks, waiting)
    failing = None
    for cell in waiting:
        if _judge(table, marks, cell, found[cell], rule).protected:
            passed.add(cell)
        elif failing is None:
            failing = cell
    return failing


def _complete_lines(table: CountTable, marks: dict[Cell, Suppression], hideable: set[Cell]) -> None:
    """Give every line with a single `c` a second one, until no line has a lone `c`."""
    changed = True
    while changed:
        changed = False
        for line in table.lines():
            if sum(c in marks for c in line.cells) == 1:
                partner = _smallest(table, (line.cells,), marks, hideable)
                if partner is not None:
                    marks[partner] = Suppression.COMPLEMENT
                    changed = True


def _judge(
    table: CountTable,
    marks: Mapping[Cell, Suppression],
    cell: Cell,
    provable: tuple[int, float],
    rule: _Rule,
) -> CellRange:
    """Apply the protection rule (module docstring) to one suppressed cell's provable range."""
    low, high = provable
    value = table.value(cell)
    reason = marks[cell]
    best_low, best_high = table.best_range(rule.threshold)
    required = max(1, min(rule.protection, best_high - best_low))
    protected = low <= value <= high and high - low >= required
    if reason is Suppression.PRIMARY:
        # For someone who knows the cell is 1..threshold: at least two values, if any pattern
        # can leave two.
        known = min(high, rule.threshold) - max(low, 1)
        at_best = min(best_high, rule.threshold) - max(best_low, 1)
        protected = protected and known >= min(1, at_best)
    return CellRange(cell, value, reason, low, high, required, protected)
