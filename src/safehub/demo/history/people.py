"""Children: identity, address history and care history, drawn from one seeded RNG."""

# ruff: noqa: PLR2004 - the numbers in the draws are the model's parameters.

from __future__ import annotations

import random
from bisect import bisect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import cache
from itertools import accumulate
from typing import TypeVar

from safehub.demo.history import reference as ref
from safehub.demo.history.model import AddressPeriod, CarePeriod
from safehub.demo.history.timeline import ONE_DAY, add_years, age_on

_Period = TypeVar("_Period", AddressPeriod, CarePeriod)

# When the hub's recording of ethnicity began to improve (see `_share_observed`).
_RECORDING_IMPROVES = date(2017, 4, 1)


class Weighted:
    """A weighted choice prepared once: `rng.choices` recomputes cumulative weights per call."""

    def __init__(self, table: Mapping[str, float]) -> None:
        self.keys = tuple(table)
        self.cum = tuple(accumulate(table.values()))

    def pick(self, rng: random.Random) -> str:
        return self.keys[bisect(self.cum, rng.random() * self.cum[-1])]


def pick_int(rng: random.Random, table: Mapping[int, float]) -> int:
    return rng.choices(tuple(table), weights=tuple(table.values()))[0]


@dataclass
class ChildDraft:
    """A child while the history is being built; frozen into `SynthChild` at the end."""

    uid: int
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
    addresses: list[AddressPeriod] = field(default_factory=list)
    care_periods: list[CarePeriod] = field(default_factory=list)
    moved_away: bool = False

    @property
    def eighteenth_birthday(self) -> date:
        return add_years(self.date_of_birth, 18)

    def address_on(self, day: date) -> AddressPeriod | None:
        for period in self.addresses:
            if period.valid_from <= day and (period.valid_to is None or day < period.valid_to):
                return period
        return None

    def leave_district(self, day: date) -> None:
        """The child moves out of the district on `day`: the address history stops there."""
        self.addresses = [
            replace(p, valid_to=day) if p.valid_to is None or p.valid_to > day else p
            for p in self.addresses
            if p.valid_from < day
        ]
        self.moved_away = True


@dataclass(frozen=True)
class FixedAddress:
    """A ward the child must live in throughout [first, last]: how snapshots are pinned."""

    ward: ref.Ward
    first: date
    last: date


def date_of_birth(rng: random.Random, age: int, on: date, *, approximate: bool) -> date:
    """A birth date that makes the child exactly `age` on `on`.

    An approximate date (common for children whose papers are missing) is always the first
    of a month, which is how such dates tend to be recorded.
    """
    latest = add_years(on, -age)
    earliest = add_years(on, -age - 1) + ONE_DAY
    if approximate:
        firsts = [
            date(y, m, 1)
            for y in (earliest.year, latest.year)
            for m in range(1, 13)
            if earliest <= date(y, m, 1) <= latest
        ]
        return rng.choice(firsts)
    born = earliest + timedelta(days=rng.randrange((latest - earliest).days + 1))
    while age_on(born, on) > age:  # 29 February edge cases
        born += ONE_DAY
    while age_on(born, on) < age:
        born -= ONE_DAY
    return born


@cache
def _ethnicity_tables() -> tuple[Weighted, ...]:
    """One table per year from 2013: emerging communities grow, which resolution 4 is about."""
    tables = []
    for years in range(30):
        boost = 1 + years / 10
        weights = {
            code: h.weight * (boost if h.emerging else 1) for code, h in ref.ETHNICITIES.items()
        }
        tables.append(Weighted(weights))
    return tuple(tables)


@cache
def _heritage_tables(code: str) -> tuple[Weighted, Weighted]:
    heritage = ref.ETHNICITIES[code]
    return Weighted(heritage.nationalities), Weighted(heritage.languages)


def _share_observed(first_seen: date) -> float:
    """Share of ethnicities recorded as observed by a professional rather than given by the
    family: high until the hub changed its recording in 2017 (the committee's complaint),
    then falling, so the demo's data-quality note has something real to report."""
    if first_seen < _RECORDING_IMPROVES:
        return 0.32
    years = (first_seen - _RECORDING_IMPROVES).days / 365
    return max(0.08, 0.32 - 0.03 * years)


def new_child(  # noqa: PLR0913 - each argument is a separate fact about the child
    rng: random.Random,
    *,
    uid: int,
    sex: str,
    age: int,
    age_on: date,
    first_seen: date,
) -> ChildDraft:
    """A child aged `age` on `age_on`, first seen by the hub on `first_seen`; no addresses."""
    approximate = rng.random() < 0.04
    dob = date_of_birth(rng, age, age_on, approximate=approximate)
    tables = _ethnicity_tables()
    code = tables[min(len(tables) - 1, max(0, first_seen.year - 2013))].pick(rng)
    heritage = ref.ETHNICITIES[code]
    nationalities, languages = _heritage_tables(code)
    nationality = nationalities.pick(rng)
    language = languages.pick(rng)
    if nationality in ref.LANGUAGE_OF_NATIONALITY and (code != "WROM" or rng.random() < 0.6):
        language = ref.LANGUAGE_OF_NATIONALITY[nationality]
    if nationality == "British" and language == "Romani" and rng.random() < 0.7:
        language = "English"
    arrived = _arrival(rng, dob, first_seen, nationality, emerging=heritage.emerging)
    if code == "NOBT":
        source = "not_obtained"
    elif code != "REFU" and rng.random() < _share_observed(first_seen):
        source = "observed_by_professional"
    else:
        self_share = 0.65 if age >= 13 else 0.35
        source = "self_identified" if rng.random() < self_share else "parent_carer"
    given = rng.choice(ref.GIVEN_NAMES_F if sex == "F" else ref.GIVEN_NAMES_M)
    family = rng.choice(ref.FAMILY_NAME_STEMS) + rng.choice(ref.FAMILY_NAME_ENDINGS)
    return ChildDraft(
        uid=uid,
        given_name=given,
        family_name=family,
        date_of_birth=dob,
        dob_approximate=approximate,
        sex=sex,
        ethnicity=code,
        ethnicity_source=source,
        first_language=language,
        nationality=nationality,
        arrived_uk=arrived,
    )


def _arrival(
    rng: random.Random, dob: date, first_seen: date, nationality: str, *, emerging: bool
) -> date | None:
    """Recent arrivals (within five years of first contact) for the emerging communities;
    older arrivals for other non-British children; none for British or unknown nationality."""
    if nationality in {"British", "Not known"}:
        return None
    back = rng.randint(60, 5 * 365) if emerging else rng.randint(365, 10 * 365)
    return max(dob + timedelta(days=30), first_seen - timedelta(days=back))


@cache
def _ward_tables() -> dict[str | None, tuple[tuple[ref.Ward, ...], tuple[float, ...]]]:
    """Wards and cumulative weights, district-wide (key None) and for each area committee."""
    areas = sorted({w.area_committee for w in ref.wards()})
    area_total = {
        a: sum(ref.WARD_WEIGHT[w.name] for w in ref.wards() if w.area_committee == a) for a in areas
    }
    weight = {
        w.code: ref.AREA_SHARE[w.area_committee]
        * ref.WARD_WEIGHT[w.name]
        / area_total[w.area_committee]
        for w in ref.wards()
    }
    tables: dict[str | None, tuple[tuple[ref.Ward, ...], tuple[float, ...]]] = {}
    for key in [None, *areas]:
        chosen = tuple(w for w in ref.wards() if key is None or w.area_committee == key)
        tables[key] = (chosen, tuple(accumulate(weight[w.code] for w in chosen)))
    return tables


def pick_ward(rng: random.Random, area_committee: str | None = None) -> ref.Ward:
    chosen, cum = _ward_tables()[area_committee]
    return chosen[bisect(cum, rng.random() * cum[-1])]


def postcode(rng: random.Random, ward: ref.Ward) -> str:
    """A postcode in one of the ward's districts, with a "Z?" unit so it reads as made up."""
    district = rng.choice(ref.POSTCODE_DISTRICTS[ward.name])
    return f"{district} {rng.randint(1, 9)}Z{rng.choice('WXYZ')}"


def address_history(
    rng: random.Random,
    *,
    earliest: date,
    first_seen: date,
    until: date,
    fixed: FixedAddress | None = None,
) -> list[AddressPeriod]:
    """Where the child lived, from some years before the hub met them.

    Most children stay put; some move once or twice, usually within their area. Now and
    then a move leaves a gap (whereabouts unknown). A `fixed` address holds throughout its
    window with no move or gap inside it.
    """
    start = max(earliest, first_seen - timedelta(days=rng.randint(180, 2200)))
    if fixed is not None:
        start = min(start, fixed.first - timedelta(days=30))
    horizon = min(until, first_seen + timedelta(days=5 * 365))
    span = (horizon - start).days
    count = pick_int(rng, {0: 55, 1: 30, 2: 12, 3: 3}) if span > 90 else 0
    moves = sorted(start + timedelta(days=rng.randint(60, span - 1)) for _ in range(count))
    kept: list[date] = []
    for move in moves:
        if kept and (move - kept[-1]).days < 30:
            continue
        if fixed is not None and fixed.first <= move <= fixed.last:
            continue
        kept.append(move)
    starts = [start, *kept]
    periods: list[AddressPeriod] = []
    ward: ref.Ward | None = None
    for i, begin in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else None
        pinned = fixed is not None and begin <= fixed.first and (end is None or end > fixed.last)
        if pinned and fixed is not None:
            ward = fixed.ward
        elif ward is None or rng.random() < 0.35:
            ward = pick_ward(rng)
        else:
            ward = pick_ward(rng, ward.area_committee)
        periods.append(AddressPeriod(begin, end, ward.code, postcode(rng, ward)))
    return _with_gaps(rng, periods, fixed)


def _with_gaps(
    rng: random.Random, periods: list[AddressPeriod], fixed: FixedAddress | None
) -> list[AddressPeriod]:
    """End a few periods early, so the history has the gaps real address records have."""
    out = list(periods)
    for i in range(len(out) - 1):
        current = out[i]
        if current.valid_to is None:  # only the last period is open
            continue
        if (
            fixed is not None
            and current.valid_from <= fixed.last
            and current.valid_to > fixed.first
        ):
            continue
        if rng.random() < 0.05:
            cut = current.valid_to - timedelta(days=rng.randint(14, 90))
            if cut > current.valid_from + timedelta(days=14):
                out[i] = AddressPeriod(current.valid_from, cut, current.ward_code, current.postcode)
    return out


_CARE_KIND = Weighted({"child_in_need": 45, "child_protection_plan": 20, "looked_after": 35})


def care_covering(rng: random.Random, dob: date, day: date, eighteenth: date) -> list[CarePeriod]:
    """A status that is current on `day`, sometimes a child protection plan that led on to
    the child becoming looked after. Every status ends by the eighteenth birthday."""
    kind = _CARE_KIND.pick(rng)
    day = min(day, eighteenth - ONE_DAY)
    begin = max(dob + timedelta(days=365), day - timedelta(days=rng.randint(20, 900)))
    begin = min(begin, day)
    end = min(eighteenth, day + timedelta(days=rng.randint(20, 700)))
    periods = [CarePeriod(kind, begin, end)]
    if kind == "child_protection_plan" and end < eighteenth and rng.random() < 0.2:
        after = min(eighteenth, end + timedelta(days=rng.randint(100, 600)))
        periods.append(CarePeriod("looked_after", end, after))
    return periods


def care_before(rng: random.Random, dob: date, day: date) -> list[CarePeriod]:
    """Sometimes a child-in-need episode that closed well before `day`."""
    if rng.random() >= 0.2:
        return []
    begin = day - timedelta(days=rng.randint(400, 1200))
    end = day - timedelta(days=rng.randint(30, 300))
    if begin < dob + timedelta(days=365) or begin >= end:
        return []
    return [CarePeriod("child_in_need", begin, end)]


def clip_periods(periods: Sequence[_Period], until: date) -> tuple[_Period, ...]:
    """Drop what starts on or after `until`; what runs past it is still running."""
    return tuple(
        replace(p, valid_to=None) if p.valid_to is not None and p.valid_to >= until else p
        for p in periods
        if p.valid_from < until
    )
