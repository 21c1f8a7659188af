from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from safehub.rules.codes import RiskLevel
from safehub.rules.triage_rag import cutoffs, rag
from safehub.rules.working_time import LONDON, Rag, add_working_days

# Wednesday 4 March 2026, 10:00 in London: no bank holiday within a week either side.
WEDNESDAY = datetime(2026, 3, 4, 10, 0, tzinfo=LONDON)
SECOND = timedelta(seconds=1)
FRIDAY_TEN = datetime(2026, 3, 6, 10, 0, tzinfo=LONDON)  # 2 working days after WEDNESDAY


@pytest.mark.parametrize(
    ("due", "level", "expected"),
    [
        # Overdue is red at every level, by a second.
        (WEDNESDAY - SECOND, "high", Rag.RED),
        (WEDNESDAY - SECOND, None, Rag.RED),
        (WEDNESDAY, "low", Rag.AMBER),
        # High risk: amber through the same time on the 2nd working day ahead, green after.
        (datetime(2026, 3, 5, 10, 0, tzinfo=LONDON), "high", Rag.AMBER),
        (FRIDAY_TEN, "high", Rag.AMBER),
        (FRIDAY_TEN + SECOND, "high", Rag.GREEN),
        # Medium: 8 hours.
        (WEDNESDAY + timedelta(hours=8), "medium", Rag.AMBER),
        (WEDNESDAY + timedelta(hours=8) + SECOND, "medium", Rag.GREEN),
        # Low, none and not graded: 4 hours.
        (WEDNESDAY + timedelta(hours=4), "low", Rag.AMBER),
        (WEDNESDAY + timedelta(hours=4) + SECOND, "low", Rag.GREEN),
        (WEDNESDAY + timedelta(hours=4) + SECOND, "none", Rag.GREEN),
        (WEDNESDAY + timedelta(hours=4), None, Rag.AMBER),
        (WEDNESDAY + timedelta(hours=4) + SECOND, None, Rag.GREEN),
        # The example: a high-risk item due in 1 day 14 hours is not green ...
        (WEDNESDAY + timedelta(days=1, hours=14), "high", Rag.AMBER),
        # ... and a review due in 9 days is green, whatever the level.
        (WEDNESDAY + timedelta(days=9), "high", Rag.GREEN),
        (WEDNESDAY + timedelta(days=9), "low", Rag.GREEN),
        # A lower-risk decision with most of its working day left is on track.
        (WEDNESDAY + timedelta(hours=23), "medium", Rag.GREEN),
    ],
)
def test_rag_boundaries(due: datetime, level: str | None, expected: Rag) -> None:
    assert rag(now=WEDNESDAY, due=due, level=level) == expected


@pytest.mark.parametrize(
    "now",
    [
        WEDNESDAY,
        datetime(2026, 3, 6, 16, 30, tzinfo=LONDON),  # Friday afternoon
        datetime(2026, 3, 7, 15, 0, tzinfo=LONDON),  # Saturday
        datetime(2026, 4, 2, 12, 0, tzinfo=LONDON),  # before Good Friday and Easter Monday
        datetime(2026, 3, 28, 23, 30, tzinfo=LONDON),  # the night the clocks go forward
    ],
)
def test_a_high_risk_item_due_within_a_working_day_is_never_green(now: datetime) -> None:
    within = add_working_days(now, 1)
    assert rag(now=now, due=within, level="high") == Rag.AMBER
    assert rag(now=now, due=now + timedelta(minutes=1), level="high") == Rag.AMBER


def test_a_weekend_now_counts_from_the_next_working_morning() -> None:
    saturday = datetime(2026, 3, 7, 15, 0, tzinfo=LONDON)
    # Two working days from Saturday: Monday 09:00 starts the clock, so Wednesday 09:00.
    wednesday_nine = datetime(2026, 3, 11, 9, 0, tzinfo=LONDON)
    assert rag(now=saturday, due=wednesday_nine, level="high") == Rag.AMBER
    assert rag(now=saturday, due=wednesday_nine + SECOND, level="high") == Rag.GREEN


def test_bank_holidays_are_not_working_days() -> None:
    # Thursday before Good Friday 2026 (3 April); Easter Monday is 6 April.
    thursday = datetime(2026, 4, 2, 12, 0, tzinfo=LONDON)
    wednesday = datetime(2026, 4, 8, 12, 0, tzinfo=LONDON)
    assert rag(now=thursday, due=wednesday, level="high") == Rag.AMBER
    assert rag(now=thursday, due=wednesday + SECOND, level="high") == Rag.GREEN


def test_hours_are_elapsed_hours_across_the_clock_change() -> None:
    # 23:30 GMT on 28 March 2026; the clocks go forward at 01:00, so 4 hours later reads 04:30.
    night = datetime(2026, 3, 28, 23, 30, tzinfo=LONDON)
    four_hours = datetime(2026, 3, 29, 4, 30, tzinfo=LONDON)
    assert four_hours.astimezone(UTC) - night.astimezone(UTC) == timedelta(hours=4)
    assert rag(now=night, due=four_hours, level="low") == Rag.AMBER
    assert rag(now=night, due=four_hours + SECOND, level="low") == Rag.GREEN


@pytest.mark.parametrize("level", [*RiskLevel, None])
def test_a_higher_risk_turns_amber_no_later_than_a_lower_one(level: RiskLevel | None) -> None:
    cut = cutoffs(WEDNESDAY)
    assert cut.amber_for("high") >= cut.amber_for("medium") >= cut.amber_for("low")
    assert cut.amber_for("high") >= cut.amber_for(level) > cut.red_before


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        rag(now=WEDNESDAY, due=datetime(2026, 3, 5, 10, 0), level="high")  # noqa: DTZ001
