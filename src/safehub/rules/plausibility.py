"""Plausibility: dates and values that cannot all be true of one child, refused on the way in.

A hub record is read by people deciding what to do for a child, and its figures go to elected
members; a referral "received" before the child was born makes the triage queue say "overdue
by 6,172 days" and puts a child in the wrong age band. Every way in (forms, the API, both
imports) asks these same rules, and `safehub check records` asks them of what is already
stored. Each rule returns the problems it finds as (field, message) pairs, in GOV.UK wording,
so a form puts a message beside its box and an import beside its column. Pure: no Django.

An approximate date of birth (an age assessment, say) is allowed `APPROXIMATE_MARGIN` either
way: an event may fall up to that long before it, and the age limits stretch by as much.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

from safehub.rules import textfiles

# Age assessments of young people give an age range of about a year either side.
APPROXIMATE_MARGIN: Final = dt.timedelta(days=366)
# Records are kept after 18 (care leavers are supported to 25); older is a mistyped date.
OLDEST_AGE_AT_REFERRAL: Final = 25
# Nothing the hub records happened before this; a year like 21 or 1066 is a typing mistake.
EARLIEST_DATE: Final = dt.date(1900, 1, 1)
TOO_OLD: Final = (
    f"Date of birth must make the child {OLDEST_AGE_AT_REFERRAL} or younger on the date the "
    "referral was received"
)

Problems = list[tuple[str, str]]


@dataclass(frozen=True)
class Birth:
    """A child's date of birth as recorded, and whether it is an estimate."""

    on: dt.date | None
    approximate: bool = False

    @property
    def earliest(self) -> dt.date | None:
        """The earliest day the child may have been born."""
        if self.on is None:
            return None
        return self.on - APPROXIMATE_MARGIN if self.approximate else self.on

    @property
    def latest(self) -> dt.date | None:
        """The latest day the child may have been born."""
        if self.on is None:
            return None
        return self.on + APPROXIMATE_MARGIN if self.approximate else self.on


def _day(moment: dt.date | dt.datetime) -> dt.date:
    return moment.date() if isinstance(moment, dt.datetime) else moment


def has_control_characters(text: str) -> bool:
    """True when text holds NUL or another control character (tab and new lines aside), or
    half of a surrogate pair: the same rule as the imports' (`rules.textfiles`).

    Such characters cannot be typed, break exports and PostgreSQL (NUL), and can hide text.
    """
    return textfiles.bad_character(text) is not None


def text(field: str, value: str, *, label: str) -> Problems:
    if has_control_characters(value):
        return [(field, f"{label} must not include control characters (such as NUL)")]
    return []


def not_too_early(field: str, on: dt.date | dt.datetime | None, *, label: str) -> Problems:
    if on is not None and _day(on) < EARLIEST_DATE:
        return [(field, f"{label} must be in or after {EARLIEST_DATE.year}")]
    return []


def after_birth(
    field: str, on: dt.date | dt.datetime | None, birth: Birth, *, label: str
) -> Problems:
    """An event in the child's life happens on or after their birth."""
    earliest = birth.earliest
    if on is None or earliest is None:
        return not_too_early(field, on, label=label)
    if _day(on) < earliest:
        return [(field, f"{label} must be on or after the child's date of birth")]
    return []


def date_of_birth(birth: Birth, *, today: dt.date, field: str = "date_of_birth") -> Problems:
    """A date of birth is not in the future and not before 1900."""
    if birth.on is None:
        return []
    if birth.on > today:
        return [(field, "Date of birth must be today or in the past")]
    return not_too_early(field, birth.on, label="Date of birth")


def age_at_referral(
    birth: Birth, received: dt.date | dt.datetime, *, field: str = "date_of_birth"
) -> Problems:
    """On the day of a referral the child is aged 0 to 25 (an estimate stretches it)."""
    earliest, on = birth.earliest, _day(received)
    if earliest is None:
        return []
    oldest_birth = _years_before(on, OLDEST_AGE_AT_REFERRAL + 1) + dt.timedelta(days=1)
    if (birth.latest or earliest) < oldest_birth:
        return [(field, TOO_OLD)]
    return []


def _years_before(on: dt.date, years: int) -> dt.date:
    try:
        return on.replace(year=on.year - years)
    except ValueError:  # 29 February in a year that has none
        return on.replace(year=on.year - years, day=28)


def _years_after(on: dt.date, years: int) -> dt.date:
    try:
        return on.replace(year=on.year + years)
    except ValueError:  # 29 February in a year that has none
        return on.replace(year=on.year + years, day=28)


# A warning flag is checked at least this often: a flag nobody reviews stops being believed.
FLAG_REVIEW_YEARS: Final = 1


def flag_review(review_on: dt.date | None, *, today: dt.date, field: str = "review_on") -> Problems:
    """A warning flag's review date: from today to no more than a year ahead."""
    if review_on is None:
        return []
    if review_on < today:
        return [(field, "Review date must be today or in the future")]
    latest = _years_after(today, FLAG_REVIEW_YEARS)
    if review_on > latest:
        return [
            (field, f"Review date must be no more than a year ahead ({latest:%-d %B %Y} at most)")
        ]
    return []


# A meeting's action falls due within this many years of the meeting; later is a typing slip.
MEETING_ACTION_YEARS: Final = 2


def meeting(held_on: dt.date, *, today: dt.date, field: str = "held_at") -> Problems:
    """A meeting is recorded once it has been held: today or before, and not before 1900."""
    if held_on > today:
        return [(field, "The date of the meeting must be today or in the past")]
    return not_too_early(field, held_on, label="The date of the meeting")


def meeting_action(due_on: dt.date, *, held_on: dt.date, field: str = "due_on") -> Problems:
    """An action from a meeting falls due on or after the meeting, within two years of it."""
    if due_on < held_on:
        return [(field, "Due date must be on or after the date of the meeting")]
    latest = _years_after(held_on, MEETING_ACTION_YEARS)
    if due_on > latest:
        message = f"Due date must be no more than 2 years after the meeting ({latest:%-d %B %Y})"
        return [(field, message)]
    return []


def child(
    birth: Birth, *, arrived_uk: dt.date | None, today: dt.date, referred_on: dt.date | None
) -> Problems:
    """A child's identity: birth, arrival in the UK, and age when referred (if known)."""
    problems = date_of_birth(birth, today=today)
    problems += after_birth("arrived_uk", arrived_uk, birth, label="Date of arrival in the UK")
    if arrived_uk is not None and arrived_uk > today:
        problems.append(("arrived_uk", "Date of arrival in the UK must be today or in the past"))
    if not problems and referred_on is not None:
        problems += age_at_referral(birth, referred_on)
    return problems


def referral(
    birth: Birth, received: dt.date | dt.datetime, *, field: str = "received_at"
) -> Problems:
    """A referral is received after the child's birth, while they are 25 or younger."""
    problems = after_birth(field, received, birth, label="Date received")
    if not problems:
        problems += [(field, message) for _, message in age_at_referral(birth, received)]
    return problems


def episode(
    birth: Birth, *, opened: dt.date, closed: dt.date | None, field: str = "opened_on"
) -> Problems:
    problems = after_birth(field, opened, birth, label="Date opened")
    if closed is not None and closed < opened:
        problems.append(("closed_on", "Date closed must be on or after the date opened"))
    return problems


def risk_change(*, effective: dt.date, opened: dt.date, closed: dt.date | None) -> Problems:
    """A change of risk falls within its episode: from the day it opened to the day it closed."""
    if effective < opened or (closed is not None and effective > closed):
        return [("effective_on", "Date of the change must be within the episode")]
    return []


def missing(
    birth: Birth,
    *,
    started: dt.datetime,
    ended: dt.datetime | None,
    interview_offered: dt.datetime | None,
    interview_completed: dt.datetime | None,
) -> Problems:
    """Gone missing after birth; returned after going missing; interview after the return."""
    problems = after_birth("started_at", started, birth, label="Date the child went missing")
    if ended is not None and ended < started:
        problems.append(
            ("ended_at", "Date the child returned must be on or after the date they went missing")
        )
    for field, moment, label in (
        ("return_interview_offered_at", interview_offered, "Date the interview was offered"),
        ("return_interview_completed_at", interview_completed, "Date of the interview"),
    ):
        if moment is None:
            continue
        if ended is None:
            problems.append((field, "Enter the date the child returned before the interview"))
        elif moment < ended:
            problems.append((field, f"{label} must be on or after the date the child returned"))
    return problems


@dataclass(frozen=True)
class ServiceTerms:
    """Who a support service is for: empty `risk_levels` or `areas` mean any, None ages no limit."""

    active: bool
    risk_levels: frozenset[str] = frozenset()
    min_age: int | None = None
    max_age: int | None = None
    areas: frozenset[str] = frozenset()


def pathway_agency(offers_service: bool, *, field: str = "pathway_agency") -> Problems:  # noqa: FBT001
    """A pathway referral goes to an agency that offers an active support service (set up by an
    administrator), never to the hub itself, the police, or a licensing team."""
    if not offers_service:
        return [(field, "Choose an agency that offers a support service")]
    return []


def pathway_service(
    terms: ServiceTerms,
    *,
    risk_level: str | None,
    age: int | None,
    area: str | None,
    field: str = "service",
) -> Problems:
    """A child is referred only to an active service they are eligible for: their risk level,
    age and area (the area committee of their ward) within what the service takes. A fact the
    record does not hold (no age, no address) does not bar the referral."""
    if not terms.active:
        return [(field, "Choose a service that is open to referrals")]
    problems: Problems = []
    if terms.risk_levels and (risk_level or "none") not in terms.risk_levels:
        levels = ", ".join(sorted(terms.risk_levels))
        problems.append((field, f"This service takes children at {levels} risk only"))
    if age is not None and (
        (terms.min_age is not None and age < terms.min_age)
        or (terms.max_age is not None and age > terms.max_age)
    ):
        problems.append(
            (
                field,
                f"This service takes children aged {terms.min_age or 0} to {terms.max_age or 25}",
            )
        )
    if terms.areas and area is not None and area not in terms.areas:
        problems.append((field, "This service does not cover the area where the child lives"))
    return problems


# One session reaches a room or a school hall; more than this in one row is a typing mistake
# (a year's total typed as one session, or a reference pasted into the count).
MOST_REACHED_IN_ONE_SESSION: Final = 5000


def awareness_session(
    delivered_on: dt.date | None, reached: int | None, *, today: dt.date
) -> Problems:
    """A session was delivered on a real day not after today, to a plausible number of people."""
    problems = not_too_early("date", delivered_on, label="Date")
    if delivered_on is not None and delivered_on > today:
        problems.append(("date", "Date must be today or in the past"))
    if reached is not None and not 1 <= reached <= MOST_REACHED_IN_ONE_SESSION:
        problems.append(
            ("reached", f"Number reached must be between 1 and {MOST_REACHED_IN_ONE_SESSION:,}")
        )
    return problems
