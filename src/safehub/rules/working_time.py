"""Working days, due times and RAG status for the hub's timeliness targets. Pure: no Django.

Targets are set in two kinds of time, and mixing them up is the classic bug:

* **working days** (a decision on a referral, a strategy discussion) are counted on the London
  wall clock, so "by this time on the next working day" means the same time on the clock even
  when the clocks change over the weekend in between;
* **elapsed hours** (the 72-hour return home interview) are real hours, so a child who returns
  on the Friday before the October clock change is due an interview 72 hours later, which the
  wall clock shows an hour earlier than the time they came back.

Every instant taken or returned is timezone-aware; a naive datetime is refused, because guessing
whether it meant UTC or London time would shift due times by an hour for half the year.
Returned instants are in London time, ready to show. Compare or subtract them with
`time_remaining` or after `.astimezone(UTC)`: Python subtracts two London datetimes on the wall
clock, and never finds a time in October's repeated hour equal to one in another zone.
"""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")

# When a concern arrives on a weekend or bank holiday, its clock starts when the hub opens.
START_OF_WORKING_DAY = time(9, 0)

RETURN_INTERVIEW_WITHIN = timedelta(hours=72)
REVIEW_INTERVAL = timedelta(weeks=12)

# A task turns amber in the last quarter of its time, but never later than two hours before it
# is due: a one-hour target would otherwise be amber for a mere fifteen minutes.
AMBER_FRACTION = 0.25
AMBER_AT_LEAST = timedelta(hours=2)

_SATURDAY = 5  # date.weekday() counts Monday as 0


def _require_aware(name: str, value: datetime) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value.isoformat()}")


@functools.cache
def _bank_holidays(year: int) -> frozenset[date]:
    """England and Wales bank holidays in `year`, substitute days included.

    One-off holidays (a coronation, a state funeral) reach us only through a newer release of
    the `holidays` package, so keep it up to date. It is imported on the first date asked
    about: importing it costs every `safehub` command a tenth of its start.
    """
    import holidays  # noqa: PLC0415

    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def is_bank_holiday(day: date) -> bool:
    return day in _bank_holidays(day.year)


def is_working_day(day: date) -> bool:
    """Monday to Friday and not an England and Wales bank holiday."""
    return day.weekday() < _SATURDAY and not is_bank_holiday(day)


def next_working_day(day: date) -> date:
    """The first working day strictly after `day`."""
    day += timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def london_time(day: date, wall: time) -> datetime:
    """The instant a London wall clock shows `wall` on `day`, as an aware datetime.

    On the spring-forward day a time in the missing hour (01:30) does not exist; with fold=0 it is
    read with the offset in force before the change, which lands an hour later on the clock
    (02:30 BST), so the due time moves on rather than back. On the fall-back day a time in the
    repeated hour is ambiguous; fold=0 takes the first, earlier, occurrence (BST).
    """
    naive = datetime.combine(day, wall.replace(tzinfo=None, fold=0))
    return naive.replace(tzinfo=LONDON).astimezone(UTC).astimezone(LONDON)


def add_working_days(start: datetime, n: int) -> datetime:
    """The same London wall-clock time on the n-th working day after `start`.

    A start on a weekend or bank holiday is treated as 09:00 on the next working day, so a
    Saturday referral with a one-working-day target is due at 09:00 on Tuesday: the hub has the
    whole of Monday, as it would for a referral made at 09:00 on Monday. With n=0 the answer is
    the time the clock starts. The result is in Europe/London time.
    """
    _require_aware("start", start)
    if n < 0:
        raise ValueError(f"n must not be negative, got {n}")
    local = start.astimezone(LONDON)
    day, wall = local.date(), local.time()
    if not is_working_day(day):
        day, wall = next_working_day(day), START_OF_WORKING_DAY
    for _ in range(n):
        day = next_working_day(day)
    return london_time(day, wall)


def decision_due(received_at: datetime) -> datetime:
    """A decision on a referral is due within one working day of its receipt."""
    return add_working_days(received_at, 1)


def strategy_discussion_due(high_risk_from: datetime) -> datetime:
    """A strategy discussion is due within one working day of the child being rated high risk."""
    return add_working_days(high_risk_from, 1)


def return_interview_due(returned_at: datetime) -> datetime:
    """A return home interview is due 72 real hours after the child came back.

    The target is in elapsed time, not working days: a child back on a Friday night is seen by
    Monday night, and a clock change in between does not give or take an hour. The arithmetic is
    done in UTC because Python adds a timedelta to a London time on the wall clock.
    """
    _require_aware("returned_at", returned_at)
    return (returned_at.astimezone(UTC) + RETURN_INTERVIEW_WITHIN).astimezone(LONDON)


def review_due(last_review_or_open: date) -> date:
    """An open episode is reviewed every 12 weeks, counted from opening or the last review."""
    return last_review_or_open + REVIEW_INTERVAL


class Rag(StrEnum):
    RED = "red"
    AMBER = "amber"
    GREEN = "green"


def time_remaining(now: datetime, due: datetime) -> timedelta:
    """Real time left until `due`: negative when overdue.

    Subtraction goes through UTC because Python subtracts two London datetimes on the wall clock,
    which is an hour out across a clock change.
    """
    _require_aware("now", now)
    _require_aware("due", due)
    return due.astimezone(UTC) - now.astimezone(UTC)


def rag(
    *,
    now: datetime,
    due: datetime,
    period_start: datetime,
    completed_at: datetime | None = None,
) -> Rag:
    """Red, amber or green for a task with a target, as shown on the triage queue.

    Done on time is green and done late stays red, so a month's figures show every breach. An
    open task is red once overdue, amber in the last quarter of its period (at least its last two
    hours), otherwise green.
    """
    _require_aware("period_start", period_start)
    remaining = time_remaining(now, due)
    period = time_remaining(period_start, due)
    if period < timedelta(0):
        raise ValueError("period_start must not be after due")
    if completed_at is not None:
        _require_aware("completed_at", completed_at)
        return Rag.GREEN if time_remaining(completed_at, due) >= timedelta(0) else Rag.RED
    if remaining < timedelta(0):
        return Rag.RED
    if remaining <= max(period * AMBER_FRACTION, AMBER_AT_LEAST):
        return Rag.AMBER
    return Rag.GREEN


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}" if count == 1 else f"{count} {unit}s"


def describe_remaining(remaining: timedelta) -> str:
    """Time left in plain English for a triage queue: the two largest units, rounded down.

    "3 hours 20 minutes left", "overdue by 1 day 2 hours", and "due now" for less than a minute
    either way. Rounding down never promises more time than is left.
    """
    size = abs(remaining)
    if size < timedelta(minutes=1):
        return "due now"
    hours, seconds = divmod(size.seconds, 3600)
    minutes = seconds // 60
    if size.days:
        parts = [_plural(size.days, "day")] + ([_plural(hours, "hour")] if hours else [])
    elif hours:
        parts = [_plural(hours, "hour")] + ([_plural(minutes, "minute")] if minutes else [])
    else:
        parts = [_plural(minutes, "minute")]
    text = " ".join(parts)
    return f"{text} left" if remaining > timedelta(0) else f"overdue by {text}"
