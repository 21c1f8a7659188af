"""Dates and times for the generator: financial years, ages, working days, London clock times.

Clock times are only ever built between 07:00 and 23:59 local time, and durations are added
in UTC, so no generated moment falls in the hour the clocks skip or repeat.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
ONE_DAY = timedelta(days=1)


def fy_start_year(day: date) -> int:
    """The calendar year in which `day`'s financial year (1 April to 31 March) began."""
    return day.year if day.month >= 4 else day.year - 1  # noqa: PLR2004 - April


def fy_label(start_year: int) -> str:
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def fy_of(day: date) -> str:
    return fy_label(fy_start_year(day))


def fy_bounds(start_year: int) -> tuple[date, date]:
    """First day and the day after the last day of the financial year."""
    return date(start_year, 4, 1), date(start_year + 1, 4, 1)


def local_date(moment: datetime) -> date:
    return moment.astimezone(LONDON).date()


def add_years(day: date, years: int) -> date:
    """The same calendar day `years` later; 29 February becomes 1 March (the legal birthday)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def age_on(date_of_birth: date, day: date) -> int:
    before_birthday = (day.month, day.day) < (date_of_birth.month, date_of_birth.day)
    return day.year - date_of_birth.year - before_birthday


def at(day: date, minutes_after_midnight: int) -> datetime:
    """Local wall-clock time on `day`. Callers keep to 07:00 to 23:59, clear of clock changes."""
    hour, minute = divmod(minutes_after_midnight, 60)
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON)


def later(moment: datetime, delta: timedelta) -> datetime:
    """`moment + delta` in elapsed time, expressed in London time."""
    return (moment.astimezone(UTC) + delta).astimezone(LONDON)


@cache
def _bank_holidays(first_year: int, last_year: int) -> frozenset[date]:
    import holidays  # noqa: PLC0415 - not for `safehub demo --help`

    found = holidays.country_holidays("GB", subdiv="ENG", years=range(first_year, last_year + 1))
    return frozenset(found.keys())


class WorkingDays:
    """Monday to Friday, less bank holidays in England: when the hub decides things."""

    def __init__(self, first_year: int, last_year: int) -> None:
        self._holidays = _bank_holidays(first_year, last_year)

    def is_working(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self._holidays  # noqa: PLR2004 - Saturday

    def on_or_after(self, day: date) -> date:
        while not self.is_working(day):
            day += ONE_DAY
        return day

    def on_or_before(self, day: date) -> date:
        while not self.is_working(day):
            day -= ONE_DAY
        return day

    def add(self, day: date, count: int) -> date:
        """The `count`-th working day after `day` (`day` itself when count is 0)."""
        while count > 0:
            day += ONE_DAY
            if self.is_working(day):
                count -= 1
        return day

    def subtract(self, day: date, count: int) -> date:
        while count > 0:
            day -= ONE_DAY
            if self.is_working(day):
                count -= 1
        return day

    def between(self, first: date, stop: date) -> list[date]:
        """Working days from `first` up to the day before `stop`."""
        days, day = [], first
        while day < stop:
            if self.is_working(day):
                days.append(day)
            day += ONE_DAY
        return days
