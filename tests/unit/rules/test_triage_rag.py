from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from safehub.rules.codes import RiskLevel
from safehub.rules.triage_rag import AMBER_WORKING_DAYS, cutoffs, rag
from safehub.rules.working_time import LONDON, Rag

# Wednesday 4 March 2026, 10:00 in London: no bank holiday within a week either side.
WEDNESDAY = datetime(2026, 3, 4, 10, 0, tzinfo=LONDON)
SECOND = timedelta(seconds=1)


@pytest.mark.parametrize(
    ("due", "level", "expected"),
    [
        # Overdue is red at every level, by a second.
        (WEDNESDAY - SECOND, "high", Rag.RED),
        (WEDNESDAY - SECOND, None, Rag.RED),
        (WEDNESDAY, "low", Rag.AMBER),
        # High risk: amber through the 3rd working day ahead (Monday 10:00), green after.
        (datetime(2026, 3, 5, 10, 0, tzinfo=LONDON), "high", Rag.AMBER),
        (datetime(2026, 3, 9, 10, 0, tzinfo=LONDON), "high", Rag.AMBER),
        (datetime(2026, 3, 9, 10, 0, tzinfo=LONDON) + SECOND, "high", Rag.GREEN),
        # Medium: the 2nd working day ahead (Friday 10:00).
        (datetime(2026, 3, 6, 10, 0, tzinfo=LONDON), "medium", Rag.AMBER),
        (datetime(2026, 3, 6, 10, 0, tzinfo=LONDON) + SECOND, "medium", Rag.GREEN),
        # Low, none and ungraded: the next working day (Thursday 10:00).
        (datetime(2026, 3, 5, 10, 0, tzinfo=LONDON), "low", Rag.AMBER),
        (datetime(2026, 3, 5, 10, 0, tzinfo=LONDON) + SECOND, "low", Rag.GREEN),
        (datetime(2026, 3, 5, 10, 0, tzinfo=LONDON) + SECOND, "none", Rag.GREEN),
        (datetime(2026, 3, 5, 10, 0, tzinfo=LONDON) + SECOND, None, Rag.GREEN),
        # The example: a high-risk item due in 1 day 14 hours is not green.
        (WEDNESDAY + timedelta(days=1, hours=14), "high", Rag.AMBER),
        # ... and a review due in 9 days is green, whatever the level.
        (WEDNESDAY + timedelta(days=9), "high", Rag.GREEN),
        (WEDNESDAY + timedelta(days=9), "low", Rag.GREEN),
    ],
)
def test_rag_boundaries(due: datetime, level: str | None, expected: Rag) -> None:
    assert rag(now=WEDNESDAY, due=due, level=level) == expected


def test_a_weekend_now_counts_from_the_next_working_morning() -> None:
    saturday = datetime(2026, 3, 7, 15, 0, tzinfo=LONDON)
    # The next working day's end is Tuesday 09:00 (Monday is the first working day).
    tuesday_nine = datetime(2026, 3, 10, 9, 0, tzinfo=LONDON)
    assert rag(now=saturday, due=tuesday_nine, level="low") == Rag.AMBER
    assert rag(now=saturday, due=tuesday_nine + SECOND, level="low") == Rag.GREEN


def test_bank_holidays_are_not_working_days() -> None:
    # Thursday before Good Friday 2026 (3 April); Easter Monday is 6 April.
    thursday = datetime(2026, 4, 2, 12, 0, tzinfo=LONDON)
    assert rag(now=thursday, due=datetime(2026, 4, 7, 12, 0, tzinfo=LONDON), level="low") == (
        Rag.AMBER
    )
    assert rag(
        now=thursday, due=datetime(2026, 4, 7, 12, 0, tzinfo=LONDON) + SECOND, level="low"
    ) == (Rag.GREEN)


@pytest.mark.parametrize("level", [*RiskLevel, None])
def test_a_high_risk_window_is_never_shorter_than_a_lower_ones(level: RiskLevel | None) -> None:
    assert AMBER_WORKING_DAYS[RiskLevel.HIGH] >= AMBER_WORKING_DAYS[level] >= 1
    cut = cutoffs(WEDNESDAY)
    assert cut.amber_for("high") >= cut.amber_for(level)


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        rag(now=WEDNESDAY, due=datetime(2026, 3, 5, 10, 0), level="high")  # noqa: DTZ001
