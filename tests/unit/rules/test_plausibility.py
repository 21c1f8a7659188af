from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from safehub.rules import plausibility
from safehub.rules.plausibility import Birth

BORN = dt.date(2012, 5, 1)
TODAY = dt.date(2026, 11, 29)
LONDON = dt.timezone(dt.timedelta(hours=1))


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=LONDON)


def test_a_referral_before_birth_is_refused_in_govuk_words() -> None:
    assert plausibility.referral(Birth(BORN), at(dt.date(2010, 1, 4))) == [
        ("received_at", "Date received must be on or after the child's date of birth")
    ]
    assert plausibility.referral(Birth(BORN), at(BORN)) == []


def test_an_approximate_birth_allows_its_margin_and_no_more() -> None:
    a_month_before = at(BORN - dt.timedelta(days=30))
    assert plausibility.referral(Birth(BORN, approximate=True), a_month_before) == []
    assert plausibility.referral(Birth(BORN), a_month_before) != []
    two_years_before = at(BORN - dt.timedelta(days=730))
    assert plausibility.referral(Birth(BORN, approximate=True), two_years_before) != []


def test_age_at_referral_is_0_to_25() -> None:
    born_1950 = Birth(dt.date(1950, 3, 1))
    assert plausibility.referral(born_1950, at(dt.date(2016, 10, 3))) == [
        (
            "received_at",
            "Date of birth must make the child 25 or younger on the date the referral was received",
        )
    ]
    # 25 on the day: still accepted; the day after the 26th birthday: refused.
    born = Birth(dt.date(2000, 6, 15))
    assert plausibility.referral(born, at(dt.date(2026, 6, 14))) == []
    assert plausibility.referral(born, at(dt.date(2026, 6, 15))) != []


def test_a_date_of_birth_in_the_future_or_1950_is_refused_for_a_new_child() -> None:
    tomorrow = TODAY + dt.timedelta(days=1)
    assert plausibility.child(Birth(tomorrow), arrived_uk=None, today=TODAY, referred_on=None) == [
        ("date_of_birth", "Date of birth must be today or in the past")
    ]
    problems = plausibility.child(
        Birth(dt.date(1950, 1, 1)), arrived_uk=None, today=TODAY, referred_on=TODAY
    )
    assert [field for field, _ in problems] == ["date_of_birth"]
    # The age is judged on the day of the referral when there is one (an import of 2016).
    assert (
        plausibility.child(
            Birth(dt.date(1995, 1, 1)),
            arrived_uk=None,
            today=TODAY,
            referred_on=dt.date(2016, 1, 1),
        )
        == []
    )


def test_arrival_in_the_uk_not_before_birth() -> None:
    problems = plausibility.child(
        Birth(BORN), arrived_uk=dt.date(2011, 1, 1), today=TODAY, referred_on=None
    )
    assert problems == [
        ("arrived_uk", "Date of arrival in the UK must be on or after the child's date of birth")
    ]


def test_missing_episode_order() -> None:
    went = at(dt.date(2024, 3, 1))
    back = at(dt.date(2024, 3, 3))
    assert (
        plausibility.missing(
            Birth(BORN),
            started=went,
            ended=back,
            interview_offered=back,
            interview_completed=back + dt.timedelta(days=1),
        )
        == []
    )
    problems = plausibility.missing(
        Birth(BORN),
        started=went,
        ended=went - dt.timedelta(hours=1),
        interview_offered=None,
        interview_completed=went - dt.timedelta(days=2),
    )
    assert {field for field, _ in problems} == {"ended_at", "return_interview_completed_at"}
    no_return = plausibility.missing(
        Birth(BORN), started=went, ended=None, interview_offered=went, interview_completed=None
    )
    assert [field for field, _ in no_return] == ["return_interview_offered_at"]
    assert plausibility.missing(
        Birth(BORN),
        started=at(dt.date(2000, 1, 1)),
        ended=None,
        interview_offered=None,
        interview_completed=None,
    ) == [
        ("started_at", "Date the child went missing must be on or after the child's date of birth")
    ]


def test_episode_and_risk_change_order() -> None:
    opened = dt.date(2024, 1, 10)
    assert plausibility.episode(Birth(BORN), opened=opened, closed=opened) == []
    assert plausibility.episode(Birth(BORN), opened=opened, closed=opened - dt.timedelta(1)) == [
        ("closed_on", "Date closed must be on or after the date opened")
    ]
    assert plausibility.risk_change(effective=opened, opened=opened, closed=None) == []
    assert plausibility.risk_change(
        effective=opened - dt.timedelta(1), opened=opened, closed=None
    ) == [("effective_on", "Date of the change must be within the episode")]


def test_without_a_date_of_birth_only_impossible_years_are_refused() -> None:
    assert plausibility.referral(Birth(None), at(dt.date(2016, 1, 1))) == []
    assert plausibility.referral(Birth(None), dt.datetime(21, 3, 1, tzinfo=dt.UTC)) == [
        ("received_at", "Date received must be in or after 1900")
    ]


def test_pathway_agencies_offer_a_support_service() -> None:
    assert plausibility.pathway_agency(True) == []
    assert plausibility.pathway_agency(False) == [
        ("pathway_agency", "Choose an agency that offers a support service")
    ]


def test_a_child_is_referred_only_to_a_service_they_are_eligible_for() -> None:
    terms = plausibility.ServiceTerms(
        active=True,
        risk_levels=frozenset({"low", "medium"}),
        min_age=10,
        max_age=17,
        areas=frozenset({"Keighley"}),
    )
    fits = {"risk_level": "low", "age": 14, "area": "Keighley"}
    assert plausibility.pathway_service(terms, **fits) == []  # type: ignore[arg-type]
    assert plausibility.pathway_service(terms, risk_level="high", age=14, area="Keighley") == [
        ("service", "This service takes children at low, medium risk only")
    ]
    assert plausibility.pathway_service(terms, risk_level=None, age=14, area=None) == [
        ("service", "This service takes children at low, medium risk only")
    ]
    assert plausibility.pathway_service(terms, risk_level="low", age=9, area="Keighley") == [
        ("service", "This service takes children aged 10 to 17")
    ]
    assert plausibility.pathway_service(terms, risk_level="low", age=None, area="Shipley") == [
        ("service", "This service does not cover the area where the child lives")
    ]
    # Unknown age or address does not bar a referral; a closed service always does.
    assert plausibility.pathway_service(terms, risk_level="medium", age=None, area=None) == []
    closed = plausibility.ServiceTerms(active=False)
    assert plausibility.pathway_service(closed, risk_level="low", age=14, area=None) == [
        ("service", "Choose a service that is open to referrals")
    ]
    assert (
        plausibility.pathway_service(
            plausibility.ServiceTerms(active=True), risk_level=None, age=30, area="Anywhere"
        )
        == []
    )


@given(st.text())
def test_control_characters_are_found_wherever_they_are(text: str) -> None:
    expected = any(
        (ord(c) < 0x20 and c not in "\t\n\r")
        or 0x7F <= ord(c) <= 0x9F
        or 0xD800 <= ord(c) <= 0xDFFF
        for c in text
    )
    assert plausibility.has_control_characters(text) is expected


def test_nul_is_refused_and_new_lines_are_not() -> None:
    assert plausibility.text("concerns", "a\x00b", label="Concerns") == [
        ("concerns", "Concerns must not include control characters (such as NUL)")
    ]
    assert plausibility.text("concerns", "line one\r\nline\ttwo", label="Concerns") == []


def test_a_flag_review_date_runs_from_today_to_a_year_ahead() -> None:
    today = dt.date(2026, 3, 10)
    assert plausibility.flag_review(today, today=today) == []
    assert plausibility.flag_review(dt.date(2027, 3, 10), today=today) == []
    assert plausibility.flag_review(None, today=today) == []
    (too_late,) = plausibility.flag_review(dt.date(2027, 3, 11), today=today)
    assert too_late == (
        "review_on",
        "Review date must be no more than a year ahead (10 March 2027 at most)",
    )
    (past,) = plausibility.flag_review(dt.date(2026, 3, 9), today=today)
    assert past == ("review_on", "Review date must be today or in the future")


def test_a_flag_raised_on_29_february_may_be_reviewed_until_28_february() -> None:
    leap = dt.date(2028, 2, 29)
    assert plausibility.flag_review(dt.date(2029, 2, 28), today=leap) == []
    assert plausibility.flag_review(dt.date(2029, 3, 1), today=leap) != []


def test_a_meeting_is_recorded_once_held_and_not_before_1900() -> None:
    assert plausibility.meeting(TODAY, today=TODAY) == []
    (future,) = plausibility.meeting(TODAY + dt.timedelta(days=1), today=TODAY)
    assert future == ("held_at", "The date of the meeting must be today or in the past")
    (early,) = plausibility.meeting(dt.date(1899, 12, 31), today=TODAY)
    assert early == ("held_at", "The date of the meeting must be in or after 1900")


def test_a_meeting_action_falls_due_from_the_meeting_to_two_years_after() -> None:
    held = dt.date(2026, 3, 10)
    assert plausibility.meeting_action(held, held_on=held) == []
    assert plausibility.meeting_action(dt.date(2028, 3, 10), held_on=held) == []
    (before,) = plausibility.meeting_action(dt.date(2026, 3, 9), held_on=held)
    assert before == ("due_on", "Due date must be on or after the date of the meeting")
    (late,) = plausibility.meeting_action(dt.date(2028, 3, 11), held_on=held)
    assert late == (
        "due_on",
        "Due date must be no more than 2 years after the meeting (10 March 2028)",
    )
