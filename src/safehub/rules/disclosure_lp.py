"""What an attacker can prove about the hidden cells of a published table: linear programming.

The attacker knows every published number, that every hidden cell is at least 0, and that every
line (a published total and the cells it adds up) adds up. The least and greatest value a hidden
cell can take under those constraints is its *provable range*; `safehub.rules.disclosure` judges
it against the protection rule.

**Why the LP is exact.** Published cells are fixed and every line says "members sum to total".
Read each body cell (i, j) as an arc from row node i to column node j, each row total as an arc
from a source to row node i, each column total as an arc from column node j to a sink, and the
grand total as the arc from sink back to source: every line is flow conservation at one node, so
the constraint matrix is a network matrix — totally unimodular. Every vertex of the feasible
region is integer, so the LP bounds are the integer bounds: the audit neither misses a
recoverable cell nor invents one.

**One model per table.** The ranges of k hidden cells take 2k optimisations over the same
constraints: minimise each cell, maximise each cell. `provable_ranges` builds the constraints
once as a HiGHS model (through `highspy`) and changes only the objective between solves: one
cell's cost is +1 (its least value), then -1 (its greatest), every other cost 0. HiGHS keeps the
last optimal basis, which stays feasible when only the costs change, so each solve is a few
primal simplex steps from the one before rather than a fresh LP (a fifth of the time of the
one block-diagonal LP of 2k copies of the cells this replaced). A maximum may be unbounded
(nothing published bounds the cell from above): the primal simplex says so itself. A cell that
is 0 in some feasible point (the true table, or a vertex an earlier solve stopped at) has 0
for its least value without a solve of its own, since no cell goes below 0.
`provable_range` solves each cell with two LPs of its own through `scipy.optimize.linprog`: the
independent reference the property tests compare `provable_ranges` with. Pure: no Django.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Final

from safehub.rules.disclosure_table import Cell, CountTable

# LP solutions are integer up to the solver's tolerance (see the module docstring).
_TOLERANCE: Final = 1e-6
_OPTIMAL: Final = 0  # scipy's status for a solved LP
_UNBOUNDED: Final = 3  # scipy's status for an unbounded LP

Range = tuple[int, float]  # the high end is math.inf when nothing bounds the cell from above


def _constraints(
    table: CountTable, hidden: Sequence[Cell]
) -> tuple[list[list[float]], list[float]]:
    """Each line as "hidden members - hidden total = what the published numbers leave"."""
    index = {c: k for k, c in enumerate(hidden)}
    rows: list[list[float]] = []
    rhs: list[float] = []
    for line in table.lines():
        coefficients = [0.0] * len(hidden)
        remainder = 0
        for c, coefficient in [*((m, 1) for m in line.members), (line.total, -1)]:
            if c in index:
                coefficients[index[c]] = float(coefficient)
            else:
                remainder -= coefficient * table.value(c)
        if any(coefficients):
            rows.append(coefficients)
            rhs.append(float(remainder))
    return rows, rhs


def _as_range(low: float, high: float) -> Range:
    return (
        math.ceil(low - _TOLERANCE),
        high if math.isinf(high) else math.floor(high + _TOLERANCE),
    )


def provable_range(table: CountTable, hidden: Iterable[Cell], cell: Cell) -> Range:
    """The least and greatest value of one hidden `cell`: two LPs of its own."""
    # numpy and scipy are imported here, not at start: every `safehub` command would pay for them.
    import numpy as np  # noqa: PLC0415
    from scipy.optimize import linprog  # noqa: PLC0415

    order = sorted(hidden)
    rows, rhs = _constraints(table, order)
    if not rows:  # nothing published ties the cell to anything
        return 0, math.inf
    objective = np.zeros(len(order))
    objective[order.index(cell)] = 1.0
    bounds: list[float] = []
    for sign in (1.0, -1.0):
        solution = linprog(
            sign * objective,
            A_eq=np.array(rows),
            b_eq=np.array(rhs),
            bounds=(0, None),
            method="highs",
        )
        if sign < 0 and solution.status == _UNBOUNDED:
            bounds.append(math.inf)
            continue
        if solution.status != _OPTIMAL:  # the true table is feasible; every cell is at least 0
            raise RuntimeError(f"disclosure audit LP failed for {cell}: {solution.message}")
        bounds.append(sign * float(solution.fun))
    return _as_range(bounds[0], bounds[1])


def provable_ranges(
    table: CountTable, hidden: Iterable[Cell], cells: Iterable[Cell] | None = None
) -> dict[Cell, Range]:
    """The provable range of each of `cells` (default: every hidden cell), from one model."""
    order = sorted(hidden)
    targets = sorted(order if cells is None else cells)
    if not targets:
        return {}
    rows, rhs = _constraints(table, order)
    if not rows:
        return dict.fromkeys(targets, (0, math.inf))
    model = _Model(rows, rhs, at_zero={k for k, c in enumerate(order) if table.value(c) == 0})
    index = {c: k for k, c in enumerate(order)}
    ranges: dict[Cell, Range] = {}
    for cell in targets:
        k = index[cell]
        low = 0.0 if k in model.at_zero else model.optimum(k, 1.0)
        ranges[cell] = _as_range(low, model.optimum(k, -1.0))
    return ranges


class _Model:
    """The constraints of one table as a HiGHS LP, every hidden cell at least 0, solved again
    and again with a different objective."""

    def __init__(self, rows: list[list[float]], rhs: list[float], *, at_zero: set[int]) -> None:
        # highspy (and numpy) are imported here, not at start, as scipy above.
        import highspy  # noqa: PLC0415
        import numpy as np  # noqa: PLC0415
        from highspy._core import _Highs  # noqa: PLC0415

        self._status = highspy.HighsModelStatus
        # `highspy.Highs` prints HiGHS's banner to standard output as it is made, before any
        # option can be set (a PDF written to standard output would start with it); the core
        # class it wraps prints nothing once `output_flag` is off.
        self._highs = _Highs()
        for option, value in (
            ("output_flag", False),
            ("presolve", "off"),  # a few dozen rows: nothing to gain, and it drops the basis
            ("simplex_strategy", 4),  # primal: a new objective leaves the basis primal feasible
            ("threads", 1),
        ):
            self._highs.setOptionValue(option, value)
        a = np.array(rows)
        row_at, column_at = np.nonzero(a)  # row by row
        starts = np.searchsorted(row_at, np.arange(len(rows)))
        b = np.array(rhs)
        self._highs.addVars(
            a.shape[1], np.zeros(a.shape[1]), np.full(a.shape[1], highspy.kHighsInf)
        )
        self._highs.addRows(
            len(rows),
            b,
            b,
            len(row_at),
            starts.astype(np.int32),
            column_at.astype(np.int32),
            a[row_at, column_at],
        )
        self.at_zero = at_zero  # the cells seen at 0 in a feasible point

    def optimum(self, k: int, sign: float) -> float:
        """The least value of cell k (`sign` 1) or its greatest (`sign` -1, math.inf when
        unbounded)."""
        highs = self._highs
        highs.changeColCost(k, sign)
        try:
            highs.run()
            status = highs.getModelStatus()
            if status == self._status.kOptimal:
                solution = highs.getSolution().col_value
                # A cell's least value is an integer (total unimodularity) no greater than
                # its value at any feasible point: below 1/2, it is 0.
                self.at_zero.update(j for j, x in enumerate(solution) if x < 0.5)  # noqa: PLR2004
                return sign * highs.getObjectiveValue()
            if sign < 0 and status == self._status.kUnbounded:
                return math.inf
            # The true table is feasible and every cell is at least 0: a least value exists.
            raise RuntimeError(f"disclosure audit LP failed: {highs.modelStatusToString(status)}")
        finally:
            highs.changeColCost(k, 0.0)
