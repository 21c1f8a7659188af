"""Red, amber or green for an open item in the triage queue: the one rule set. Pure: no Django.

Colour follows urgency, not the share of a target's period used up: a twelve-week review is
not amber for three weeks while a high-risk strategy discussion due tomorrow reads green.

| status | when |
|---|---|
| red   | overdue: the due time has passed |
| amber | high risk: due by the same time on the 2nd working day ahead |
| amber | medium risk: due within 8 hours |
| amber | low, none or not yet graded: due within 4 hours |
| green | due later than that |

Working days are Monday to Friday except England and Wales bank holidays; a "now" on a weekend
or bank holiday counts from 09:00 on the next working day (`working_time.add_working_days`). So a
high-risk item is never green when it is due within a working day (nor within the next); hours
are real elapsed hours.

The rule is written as cut-off instants (`cutoffs`) so the database can apply it to every row in
one pass: an item is red when due before `red_before`, amber when due by its risk level's
`amber_until` (inclusive), else green. `rag` is the same rule for one item.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from safehub.rules.codes import RiskLevel
from safehub.rules.working_time import LONDON, Rag, _require_aware, add_working_days

# How far ahead an item turns amber, by the child's current risk level: a whole number is
# working days (same time of day), a timedelta is elapsed time.
AMBER_WINDOW: dict[RiskLevel | None, int | timedelta] = {
    RiskLevel.HIGH: 2,
    RiskLevel.MEDIUM: timedelta(hours=8),
    RiskLevel.LOW: timedelta(hours=4),
    RiskLevel.NONE: timedelta(hours=4),
    None: timedelta(hours=4),
}


@dataclass(frozen=True)
class Cutoffs:
    red_before: datetime
    amber_until: dict[RiskLevel | None, datetime]

    def amber_for(self, level: str | None) -> datetime:
        return self.amber_until[RiskLevel(level) if level else None]


def cutoffs(now: datetime) -> Cutoffs:
    """The instants that divide red, amber and green for each risk level at `now`."""
    _require_aware("now", now)
    return Cutoffs(
        red_before=now,
        amber_until={level: _ahead(now, window) for level, window in AMBER_WINDOW.items()},
    )


def _ahead(now: datetime, window: int | timedelta) -> datetime:
    if isinstance(window, int):
        return add_working_days(now, window)
    return (now.astimezone(UTC) + window).astimezone(LONDON)


def rag(*, now: datetime, due: datetime, level: str | None) -> Rag:
    """Red, amber or green for one open item due at `due` for a child at risk `level`."""
    _require_aware("due", due)
    cut = cutoffs(now)
    if due < cut.red_before:
        return Rag.RED
    if due <= cut.amber_for(level):
        return Rag.AMBER
    return Rag.GREEN
