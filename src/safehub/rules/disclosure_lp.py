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

**One LP per table.** The ranges of k hidden cells take 2k optimisations over the same
constraints: minimise each cell, maximise each cell. `provable_ranges` stacks them as 2k
independent copies of the variables in one block-diagonal LP whose objective is the sum of the
2k objectives; since the copies share no constraint, the sum is optimal exactly when each copy
is, so one solve gives every range (HiGHS's dual simplex, through `scipy.optimize.linprog`). A
maximum may be unbounded (nothing published bounds the cell from above), which would make the
whole sum unbounded; so each maximised cell is capped at `M` = (sum of the right-hand sides'
magnitudes) + 1. A cap that is not reached is not binding, so the capped optimum is the true
one (an LP's local optimum is global); a cell that reaches its cap is solved again on its own,
uncapped (`provable_range`), so the result never rests on the cap being large enough. (By total
unimodularity a finite maximum is at most the sum of the right-hand sides' magnitudes, so in
practice the cap is never reached by a bounded cell.) `provable_range` is also the reference the
property tests compare the stacked LP with. Pure: no Django.
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
    """The provable range of each of `cells` (default: every hidden cell), in one LP."""
    order = sorted(hidden)
    targets = sorted(order if cells is None else cells)
    if not targets:
        return {}
    rows, rhs = _constraints(table, order)
    if not rows:
        return dict.fromkeys(targets, (0, math.inf))
    import numpy as np  # noqa: PLC0415
    from scipy import sparse  # noqa: PLC0415
    from scipy.optimize import linprog  # noqa: PLC0415

    n = len(order)
    copies = 2 * len(targets)  # copy 2t minimises target t, copy 2t + 1 maximises it
    matrix = sparse.kron(sparse.identity(copies, format="csr"), sparse.csr_matrix(rows))
    cap = sum(abs(b) for b in rhs) + 1
    objective = np.zeros(copies * n)
    upper = np.full(copies * n, np.inf)
    positions = []
    for t, cell in enumerate(targets):
        k = order.index(cell)
        low_at, high_at = 2 * t * n + k, (2 * t + 1) * n + k
        objective[low_at], objective[high_at] = 1.0, -1.0
        upper[high_at] = cap
        positions.append((low_at, high_at))
    solution = linprog(
        objective,
        A_eq=matrix.tocsc(),
        b_eq=np.tile(rhs, copies),
        bounds=np.column_stack([np.zeros(copies * n), upper]),
        method="highs-ds",
    )
    if solution.status != _OPTIMAL:  # feasible (the true table) and bounded (the caps)
        raise RuntimeError(f"disclosure audit LP failed: {solution.message}")
    ranges: dict[Cell, Range] = {}
    for cell, (low_at, high_at) in zip(targets, positions, strict=True):
        low, high = float(solution.x[low_at]), float(solution.x[high_at])
        if high >= cap - _TOLERANCE:  # the cap binds: solve this cell without it
            ranges[cell] = provable_range(table, order, cell)
        else:
            ranges[cell] = _as_range(low, high)
    return ranges
