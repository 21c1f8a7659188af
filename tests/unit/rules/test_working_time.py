from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from safehub.rules import working_time
from safehub.rules.working_time import (
    LONDON,
    Rag,
    add_working_days,
    decision_due,
    describe_remaining,
    is_working_day,
    london_time,
    next_working_day,
    rag,
    return_interview_due,
    review_due,
    strategy_discussion_due,
    time_remaining,
)


def london(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)  # type: ignore[misc]


# Instants are checked against UTC too: Python compares two London times on the wall clock.
def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2024, 6, 3), True),  # an ordinary Monday
        (date(2024, 6, 7), True),  # Friday
        (date(2024, 6, 8), False),  # Saturday
        (date(2024, 6, 9), False),  # Sunday
        (date(2024, 3, 29), False),  # Good Friday
        (date(2024, 4, 1), False),  # Easter Monday
        (date(2024, 4, 2), True),
        (date(2024, 5, 6), False),  # early May bank holiday
        (date(2024, 5, 27), False),  # spring bank holiday
        (date(2024, 8, 26), False),  # summer bank holiday
        (date(2020, 5, 8), False),  # early May moved to Friday for VE Day's 75th anniversary
        (date(2020, 5, 4), True),  # ... so the first Monday of May 2020 was a working day
        (date(2022, 6, 2), False),  # spring bank holiday moved to Thursday for the Jubilee
        (date(2022, 6, 3), False),  # Platinum Jubilee
        (date(2022, 5, 30), True),  # ... so the last Monday of May 2022 was a working day
        (date(2021, 12, 27), False),  # Christmas on Saturday: substitute Monday
        (date(2021, 12, 28), False),  # Boxing Day on Sunday: substitute Tuesday
        (date(2021, 12, 29), True),
        (date(2022, 1, 3), False),  # New Year's Day on Saturday: substitute Monday
        (date(2022, 12, 26), False),  # Boxing Day on Monday
        (date(2022, 12, 27), False),  # Christmas on Sunday: substitute Tuesday
        (date(2022, 12, 28), True),
        (date(2024, 1, 2), True),  # a bank holiday in Scotland only
        (date(2023, 11, 30), True),  # St Andrew's Day: Scotland only
        (date(2024, 7, 12), True),  # Northern Ireland only
        (date(2024, 3, 18), True),  # St Patrick's Day substitute: Northern Ireland only
    ],
)
def test_working_days_are_weekdays_outside_england_and_wales_bank_holidays(
    day: date, working: bool
) -> None:
    assert is_working_day(day) is working


def test_the_next_working_day_skips_weekends_and_bank_holidays() -> None:
    assert next_working_day(date(2024, 6, 5)) == date(2024, 6, 6)
    assert next_working_day(date(2024, 6, 7)) == date(2024, 6, 10)
    assert next_working_day(date(2021, 12, 24)) == date(2021, 12, 29)


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        (london(2024, 6, 5, 14, 30), 1, london(2024, 6, 6, 14, 30)),
        (london(2024, 6, 7, 16, 0), 1, london(2024, 6, 10, 16, 0)),
        (london(2024, 6, 7, 16, 0), 5, london(2024, 6, 14, 16, 0)),
        (london(2024, 6, 5, 14, 30), 0, london(2024, 6, 5, 14, 30)),
        # A weekend start begins the clock at 09:00 on Monday.
        (london(2024, 6, 8, 11, 0), 1, london(2024, 6, 11, 9, 0)),
        (london(2024, 6, 9, 23, 59), 1, london(2024, 6, 11, 9, 0)),
        (london(2024, 6, 8, 11, 0), 0, london(2024, 6, 10, 9, 0)),
        # Easter 2024: Thursday before Good Friday to the Tuesday after Easter Monday.
        (london(2024, 3, 28, 14, 0), 1, london(2024, 4, 2, 14, 0)),
        (london(2024, 3, 29, 10, 0), 1, london(2024, 4, 3, 9, 0)),
        (london(2024, 4, 1, 8, 0), 1, london(2024, 4, 3, 9, 0)),
        (london(2024, 5, 3, 15, 0), 1, london(2024, 5, 7, 15, 0)),  # early May
        (london(2024, 5, 24, 15, 0), 1, london(2024, 5, 28, 15, 0)),  # spring
        (london(2020, 5, 7, 10, 0), 1, london(2020, 5, 11, 10, 0)),  # VE Day Friday
        (london(2021, 12, 24, 12, 0), 1, london(2021, 12, 29, 12, 0)),
        (london(2021, 12, 25, 12, 0), 1, london(2021, 12, 30, 9, 0)),
        (london(2022, 12, 23, 12, 0), 1, london(2022, 12, 28, 12, 0)),
        (london(2022, 12, 31, 12, 0), 1, london(2023, 1, 4, 9, 0)),  # substitute 2 January
    ],
)
def test_adding_working_days(start: datetime, n: int, due: datetime) -> None:
    assert add_working_days(start, n) == due


def test_a_saturday_referral_is_due_at_nine_on_the_day_after_monday() -> None:
    due = decision_due(london(2024, 6, 8, 11, 0))
    assert (due.date(), due.time()) == (date(2024, 6, 11), time(9, 0))


def test_the_march_clock_change_keeps_the_wall_clock_time() -> None:
    # Friday 14:00 GMT to Monday 14:00 BST is 71 real hours, not 72.
    due = add_working_days(london(2025, 3, 28, 14, 0), 1)
    assert due == utc(2025, 3, 31, 13, 0)
    assert due.astimezone(LONDON).time() == time(14, 0)
    assert time_remaining(london(2025, 3, 28, 14, 0), due) == timedelta(hours=71)


def test_the_october_clock_change_keeps_the_wall_clock_time() -> None:
    # Friday 14:00 BST to Monday 14:00 GMT is 73 real hours.
    due = add_working_days(london(2024, 10, 25, 14, 0), 1)
    assert due == utc(2024, 10, 28, 14, 0)
    assert due.astimezone(LONDON).time() == time(14, 0)


def test_easter_and_the_clock_change_together() -> None:
    # Easter 2024 fell across the March clock change: GMT on Thursday, BST on Tuesday.
    assert add_working_days(london(2024, 3, 28, 14, 0), 1) == utc(2024, 4, 2, 13, 0)


def test_the_local_date_counts_not_the_utc_date() -> None:
    # 23:30 UTC on Wednesday is 00:30 BST on Thursday: due 00:30 on Friday.
    assert add_working_days(utc(2024, 6, 5, 23, 30), 1) == london(2024, 6, 7, 0, 30)


def test_a_start_in_another_zone_gives_a_due_time_in_london() -> None:
    due = add_working_days(utc(2024, 1, 10, 9, 0), 1)
    assert due.tzinfo is LONDON
    assert due == london(2024, 1, 11, 9, 0)


def test_a_missing_wall_time_moves_on_and_an_ambiguous_one_takes_the_first() -> None:
    # 01:30 does not exist on 31 March 2024: the clock jumps from 01:00 GMT to 02:00 BST.
    spring = london_time(date(2024, 3, 31), time(1, 30))
    assert spring == utc(2024, 3, 31, 1, 30)
    assert spring.time() == time(2, 30)
    # 01:30 happens twice on 27 October 2024: fold=0 is the first, BST, occurrence.
    autumn = london_time(date(2024, 10, 27), time(1, 30))
    # Python never finds a time in the repeated hour equal to one in another zone: use UTC.
    assert autumn.astimezone(UTC) == utc(2024, 10, 27, 0, 30)
    assert (autumn.time(), autumn.fold) == (time(1, 30), 0)


def test_add_working_days_resolves_a_missing_or_repeated_due_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Clock changes fall on Sundays, which are never working days, so only a seven-day hub
    # could meet one: pretend to be one.
    monkeypatch.setattr(working_time, "is_working_day", lambda _: True)
    assert add_working_days(london(2024, 3, 30, 1, 30), 1) == utc(2024, 3, 31, 1, 30)
    autumn = add_working_days(london(2024, 10, 26, 1, 30), 1)
    assert autumn.astimezone(UTC) == utc(2024, 10, 27, 0, 30)


@pytest.mark.parametrize(
    "call",
    [
        lambda: add_working_days(datetime(2024, 6, 5, 9, 0), 1),  # noqa: DTZ001
        lambda: decision_due(datetime(2024, 6, 5, 9, 0)),  # noqa: DTZ001
        lambda: strategy_discussion_due(datetime(2024, 6, 5, 9, 0)),  # noqa: DTZ001
        lambda: return_interview_due(datetime(2024, 6, 5, 9, 0)),  # noqa: DTZ001
        lambda: time_remaining(datetime(2024, 6, 5, 9, 0), london(2024, 6, 5, 9)),  # noqa: DTZ001
        lambda: time_remaining(london(2024, 6, 5, 9), datetime(2024, 6, 5, 9, 0)),  # noqa: DTZ001
    ],
)
def test_naive_datetimes_are_refused(call: object) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        call()  # type: ignore[operator]


def test_a_negative_number_of_working_days_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        add_working_days(london(2024, 6, 5, 9, 0), -1)


def test_decisions_and_strategy_discussions_are_due_in_one_working_day() -> None:
    assert decision_due(london(2024, 6, 7, 16, 0)) == london(2024, 6, 10, 16, 0)
    assert strategy_discussion_due(london(2024, 3, 28, 17, 45)) == london(2024, 4, 2, 17, 45)


def test_a_return_interview_is_due_72_real_hours_later() -> None:
    assert return_interview_due(london(2024, 6, 7, 22, 0)) == london(2024, 6, 10, 22, 0)


def test_a_return_interview_across_the_october_clock_change_is_72_real_hours() -> None:
    returned = london(2024, 10, 25, 12, 0)  # Friday, BST
    due = return_interview_due(returned)
    assert due == utc(2024, 10, 28, 11, 0)
    assert due.time() == time(11, 0)  # an hour earlier on the clock than the return
    assert time_remaining(returned, due) == timedelta(hours=72)


def test_a_return_interview_across_the_march_clock_change_is_72_real_hours() -> None:
    due = return_interview_due(london(2024, 3, 29, 12, 0))  # Good Friday, GMT
    assert due == utc(2024, 4, 1, 12, 0)
    assert due.time() == time(13, 0)


@given(st.datetimes(min_value=datetime(2000, 1, 1), timezones=st.just(LONDON)))  # noqa: DTZ001
def test_a_return_interview_is_always_72_elapsed_hours(returned: datetime) -> None:
    assert time_remaining(returned, return_interview_due(returned)) == timedelta(hours=72)


@pytest.mark.parametrize(
    ("opened", "due"),
    [
        (date(2024, 1, 1), date(2024, 3, 25)),
        (date(2024, 2, 1), date(2024, 4, 25)),  # through a 29 February
        (date(2023, 11, 20), date(2024, 2, 12)),  # over the year end
    ],
)
def test_a_review_is_due_twelve_weeks_later(opened: date, due: date) -> None:
    assert review_due(opened) == due
    assert (review_due(opened) - opened).days == 84


_WORKING_TIMES = st.datetimes(
    min_value=datetime(2015, 1, 1),  # noqa: DTZ001
    max_value=datetime(2035, 12, 31),  # noqa: DTZ001
    timezones=st.just(LONDON),
    allow_imaginary=False,
)


@given(start=_WORKING_TIMES, n=st.integers(min_value=0, max_value=30))
def test_the_due_time_is_on_a_working_day_and_n_working_days_on(start: datetime, n: int) -> None:
    due = add_working_days(start, n)
    assert is_working_day(due.date())
    assert due >= start
    local = start.astimezone(LONDON)
    clock_starts = local.date() if is_working_day(local.date()) else next_working_day(local.date())
    counted = sum(
        is_working_day(clock_starts + timedelta(days=d))
        for d in range(1, (due.date() - clock_starts).days + 1)
    )
    assert counted == n


@given(start=_WORKING_TIMES, n=st.integers(min_value=0, max_value=30))
def test_a_working_day_start_keeps_its_wall_clock_time(start: datetime, n: int) -> None:
    local = start.astimezone(LONDON)
    due = add_working_days(start, n)
    if is_working_day(local.date()):
        assert due.time() == local.time()
    else:
        assert due.time() == time(9, 0)
    assert add_working_days(start, n + 1) > due


# RAG on a one-day task: Monday 09:00 to Tuesday 09:00, so amber in the last six hours.
START, DUE = london(2024, 6, 10, 9, 0), london(2024, 6, 11, 9, 0)


@pytest.mark.parametrize(
    ("now", "completed_at", "expected"),
    [
        (london(2024, 6, 10, 10, 0), None, Rag.GREEN),
        (london(2024, 6, 11, 2, 59), None, Rag.GREEN),
        (london(2024, 6, 11, 3, 0), None, Rag.AMBER),  # exactly a quarter left
        (london(2024, 6, 11, 9, 0), None, Rag.AMBER),  # due now is not yet overdue
        (london(2024, 6, 11, 9, 1), None, Rag.RED),
        (london(2024, 6, 9, 12, 0), None, Rag.GREEN),  # before the period began
        (london(2024, 6, 12, 9, 0), london(2024, 6, 10, 15, 0), Rag.GREEN),  # done on time
        (london(2024, 6, 12, 9, 0), DUE, Rag.GREEN),  # done at the last moment
        (london(2024, 6, 11, 9, 30), london(2024, 6, 11, 9, 1), Rag.RED),  # done late
        (london(2024, 6, 10, 10, 0), london(2024, 6, 10, 9, 30), Rag.GREEN),
    ],
)
def test_rag(now: datetime, completed_at: datetime | None, expected: Rag) -> None:
    assert rag(now=now, due=DUE, period_start=START, completed_at=completed_at) is expected


def test_a_short_task_is_amber_for_at_least_its_last_two_hours() -> None:
    start, due = london(2024, 6, 10, 9, 0), london(2024, 6, 10, 13, 0)  # a quarter is one hour
    assert rag(now=london(2024, 6, 10, 10, 59), due=due, period_start=start) is Rag.GREEN
    assert rag(now=london(2024, 6, 10, 11, 0), due=due, period_start=start) is Rag.AMBER


def test_a_task_shorter_than_two_hours_is_amber_from_the_start() -> None:
    start, due = london(2024, 6, 10, 9, 0), london(2024, 6, 10, 10, 0)
    assert rag(now=start, due=due, period_start=start) is Rag.AMBER


def test_rag_counts_real_time_across_a_clock_change() -> None:
    # 25 real hours: amber from 6h15m before due, which is 05:45 GMT on the clock.
    start, due = london(2024, 10, 26, 12, 0), london(2024, 10, 27, 12, 0)
    assert rag(now=london(2024, 10, 27, 5, 44), due=due, period_start=start) is Rag.GREEN
    assert rag(now=london(2024, 10, 27, 5, 45), due=due, period_start=start) is Rag.AMBER


def test_rag_refuses_a_period_that_starts_after_it_is_due() -> None:
    with pytest.raises(ValueError, match="period_start"):
        rag(now=START, due=START, period_start=DUE)


@pytest.mark.parametrize("naive", ["now", "due", "period_start", "completed_at"])
def test_rag_refuses_naive_datetimes(naive: str) -> None:
    kwargs = {"now": START, "due": DUE, "period_start": START, "completed_at": START}
    kwargs[naive] = kwargs[naive].replace(tzinfo=None)
    with pytest.raises(ValueError, match=naive):
        rag(**kwargs)


def test_time_remaining_is_real_time_and_negative_when_overdue() -> None:
    # Both on London clocks across the October change: 2h30m on the wall, 3h30m in fact.
    assert time_remaining(london(2024, 10, 27, 0, 30), london(2024, 10, 27, 3, 0)) == timedelta(
        hours=3, minutes=30
    )
    assert time_remaining(DUE + timedelta(hours=2), DUE) == -timedelta(hours=2)


@pytest.mark.parametrize(
    ("remaining", "text"),
    [
        (timedelta(hours=3, minutes=20), "3 hours 20 minutes left"),
        (timedelta(hours=3, minutes=20, seconds=59), "3 hours 20 minutes left"),
        (-timedelta(days=1, hours=2), "overdue by 1 day 2 hours"),
        (-timedelta(days=1, hours=2, minutes=40), "overdue by 1 day 2 hours"),
        (timedelta(0), "due now"),
        (timedelta(seconds=59), "due now"),
        (-timedelta(seconds=59), "due now"),
        (timedelta(minutes=1), "1 minute left"),
        (timedelta(minutes=45), "45 minutes left"),
        (timedelta(hours=1), "1 hour left"),
        (timedelta(hours=1, minutes=1), "1 hour 1 minute left"),
        (timedelta(days=2), "2 days left"),
        (timedelta(days=1, minutes=30), "1 day left"),
        (timedelta(days=3, hours=1), "3 days 1 hour left"),
        (-timedelta(minutes=5), "overdue by 5 minutes"),
        (-timedelta(hours=2), "overdue by 2 hours"),
    ],
)
def test_describe_remaining(remaining: timedelta, text: str) -> None:
    assert describe_remaining(remaining) == text


@given(st.timedeltas(min_value=-timedelta(days=400), max_value=timedelta(days=400)))
def test_descriptions_say_which_side_of_due_they_are(remaining: timedelta) -> None:
    text = describe_remaining(remaining)
    if abs(remaining) < timedelta(minutes=1):
        assert text == "due now"
    elif remaining > timedelta(0):
        assert text.endswith(" left")
        assert text[0].isdigit()
    else:
        assert text.startswith("overdue by ")
