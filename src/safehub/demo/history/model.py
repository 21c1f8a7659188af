"""The records of a synthetic hub history: the contract between the generator and the loader.

Plain frozen dataclasses and tuples, so a history can be compared, hashed into a test and
handed to the loader without any framework. Dates are `datetime.date`; moments are
timezone-aware `datetime.datetime` in Europe/London. Every interval is half-open: it starts
on `valid_from` / `opened` and has ended by `valid_to` / `closed` (None: still running when
the history ends).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class AddressPeriod:
    """Where the child lived from `valid_from` until the day before `valid_to`.

    The postcode is synthetic but shaped like one of the ward's real postcode districts
    ("BD12 4ZX"); the ward code is the truth, the postcode only decorates it.
    """

    valid_from: date
    valid_to: date | None
    ward_code: str
    postcode: str


@dataclass(frozen=True)
class CarePeriod:
    """A statutory status: "child_in_need", "child_protection_plan" or "looked_after"."""

    kind: str
    valid_from: date
    valid_to: date | None


@dataclass(frozen=True)
class SynthChild:
    """One child. Names are made up from a fixture vocabulary (see `reference.py`)."""

    key: str
    given_name: str
    family_name: str
    date_of_birth: date
    dob_approximate: bool
    sex: str
    ethnicity: str
    ethnicity_source: str
    first_language: str
    nationality: str
    arrived_uk: date | None
    addresses: tuple[AddressPeriod, ...]
    care_periods: tuple[CarePeriod, ...]


@dataclass(frozen=True)
class RiskChange:
    """The level from `effective` until the next change (or the end of the episode)."""

    level: str
    effective: date
    reason: str


@dataclass(frozen=True)
class SynthEpisode:
    """A period in which the hub held the child as at risk.

    Added to the agreed contract: `opening_referral_key`, the referral whose decision opened
    the episode (also the earliest referral carrying this episode's key), so the loader need
    not infer it.
    """

    key: str
    child_key: str
    opened: date
    closed: date | None
    closure_reason: str | None
    risk: tuple[RiskChange, ...]
    opening_referral_key: str


@dataclass(frozen=True)
class SynthReferral:
    """A referral as received and decided. `decided_at` is at least two hours after
    `received_at` (screening comes first). `episode_key` is the episode the referral opened
    or joined; None for a referral that was screened and not taken on."""

    key: str
    child_key: str
    received_at: datetime
    source: str
    exploitation_types: tuple[str, ...]
    concerns: str
    screened_level: str
    decision: str
    decided_at: datetime
    episode_key: str | None


@dataclass(frozen=True)
class SynthMissing:
    """A missing episode of a child open to the hub. `ended_at` None: still missing when the
    history ends; interview times None: not (yet) offered or held."""

    key: str
    child_key: str
    started_at: datetime
    ended_at: datetime | None
    return_interview_offered_at: datetime | None
    return_interview_completed_at: datetime | None


@dataclass(frozen=True)
class History:
    """Everything generated, each tuple in key order (which is time order)."""

    children: tuple[SynthChild, ...]
    referrals: tuple[SynthReferral, ...]
    episodes: tuple[SynthEpisode, ...]
    missing: tuple[SynthMissing, ...]
