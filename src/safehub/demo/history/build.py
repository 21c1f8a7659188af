"""Generate the history: episodes first, then referrals balanced to the published counts.

How the published figures come out exact, by construction rather than by luck:

1. **Snapshots.** The children open in Bradford South on 27 October 2016 and in Bradford
   West on 31 October 2016 are made first, one per published head, with the ward, risk
   level, age, sex and care status the snapshot needs. Their episodes are drawn
   length-biased (as episodes that happen to be open on a given day are), so the open
   count in those areas rises and falls smoothly around the dates.
2. **Background.** Every other episode is drawn from a yearly schedule. One that would be
   open on a snapshot date with the child living in that snapshot's area is discarded: the
   snapshot children already stand for exactly those. This is thinning, not moving
   children about, so other areas keep their natural share.
3. **Referral counts.** Each episode brings its opening referral and perhaps later ones
   ("joins"). Per financial year the joins are trimmed if there are too many, then
   contact-only children (referred, screened, no episode) are added until the year's
   count is exact. 2015/16 is shaped further: 463 children referred once, 106 more than
   once with 38 referrals beyond their second, which is 713 referrals about 569 children.

All randomness comes from one `random.Random(seed)`, consumed in a fixed order.
"""

# ruff: noqa: S311 - synthetic demo data: `random` is the right tool, this is not security.

from __future__ import annotations

import heapq
import math
import random
from bisect import bisect
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import accumulate

from safehub.demo.history import people
from safehub.demo.history import reference as ref
from safehub.demo.history.model import (
    History,
    RiskChange,
    SynthChild,
    SynthEpisode,
    SynthMissing,
    SynthReferral,
)
from safehub.demo.history.people import ChildDraft, FixedAddress, Weighted, pick_int
from safehub.demo.history.timeline import (
    ONE_DAY,
    WorkingDays,
    age_on,
    at,
    fy_bounds,
    fy_label,
    fy_start_year,
    later,
    local_date,
)

HISTORY_START = date(2013, 4, 1)
DEFAULT_UNTIL = date(2026, 11, 25)
# The published figures need 2016/17 complete.
EARLIEST_UNTIL = date(2017, 4, 1)


@dataclass(frozen=True)
class Snapshot:
    """A published count of children open to the hub in one area on one day."""

    day: date
    area_committee: str
    wards: tuple[tuple[str, int], ...]
    levels: tuple[tuple[str, int], ...]
    ages: tuple[tuple[int, int], ...]
    female: int
    in_care: int

    @property
    def total(self) -> int:
        return sum(n for _, n in self.wards)


PUBLISHED_REFERRALS: dict[str, int] = {"2014/15": 431, "2015/16": 713, "2016/17": 1153}
PUBLISHED_CHILDREN_2015_16 = (569, 106)  # individual children, of whom referred more than once
_SINGLES_2015_16 = PUBLISHED_CHILDREN_2015_16[0] - PUBLISHED_CHILDREN_2015_16[1]
_EXTRA_2015_16 = (
    PUBLISHED_REFERRALS["2015/16"] - _SINGLES_2015_16 - 2 * PUBLISHED_CHILDREN_2015_16[1]
)

# "76 young people ... 11 considered to be at high risk; the ward with the highest number
# was Wyke, with Tong, Wibsey and Royds close behind." Ward split, medium/low split, ages and
# care status are not published: these are our choice, shaped like the West figures.
SOUTH_OCTOBER_2016 = Snapshot(
    day=date(2016, 10, 27),
    area_committee="Bradford South",
    wards=(
        ("Wyke", 18),
        ("Tong", 16),
        ("Wibsey", 15),
        ("Royds", 15),
        ("Great Horton", 6),
        ("Queensbury", 6),
    ),
    levels=(("high", 11), ("medium", 29), ("low", 36)),
    ages=((12, 6), (13, 13), (14, 20), (15, 17), (16, 12), (17, 8)),
    female=66,
    in_care=38,
)
# "60 children at risk, 15% high, 38% medium, 47% low", wards as published; "most common age
# 14, 87% female"; "half ... also children in need, on a child protection plan or looked after".
WEST_OCTOBER_2016 = Snapshot(
    day=date(2016, 10, 31),
    area_committee="Bradford West",
    wards=(
        ("Thornton and Allerton", 16),
        ("Manningham", 12),
        ("Heaton", 11),
        ("Clayton and Fairweather Green", 10),
        ("City", 7),
        ("Toller", 4),
    ),
    levels=(("high", 9), ("medium", 23), ("low", 28)),
    ages=((12, 4), (13, 11), (14, 16), (15, 13), (16, 10), (17, 6)),
    female=52,
    in_care=30,
)
SNAPSHOTS = (SOUTH_OCTOBER_2016, WEST_OCTOBER_2016)
# A snapshot child's address holds from a week before the first snapshot to a week after
# the last, so neither snapshot sees it anywhere else.
_PIN_FIRST = SOUTH_OCTOBER_2016.day - timedelta(days=7)
_PIN_LAST = WEST_OCTOBER_2016.day + timedelta(days=7)

# Referrals received per financial year (by start year). 2014/15–2016/17 are published; the
# rest rise to a plateau, with a dip in the pandemic year. Years after the table repeat the
# plateau; a part year gets its share by days.
REFERRAL_TARGETS: dict[int, int] = {
    2013: 300,
    2014: 431,
    2015: 713,
    2016: 1153,
    2017: 1240,
    2018: 1310,
    2019: 1285,
    2020: 1160,
    2021: 1265,
    2022: 1330,
    2023: 1375,
    2024: 1350,
    2025: 1320,
}
# New background episodes per financial year; well below the referral targets, so a year's
# referrals can always be made exact by adding contact-only children.
EPISODE_TARGETS: dict[int, int] = {
    2013: 150,
    2014: 220,
    2015: 300,
    2016: 480,
    2017: 520,
    2018: 550,
    2019: 550,
    2020: 500,
    2021: 530,
    2022: 550,
    2023: 570,
    2024: 560,
    2025: 550,
}

_DURATION_MEDIAN_DAYS = 185
_DURATION_SIGMA = 0.7
_AGE_AT_OPENING = {10: 2, 11: 4, 12: 10, 13: 18, 14: 24, 15: 21, 16: 15, 17: 6}
_AGE_AT_CONTACT = {8: 1, 9: 1, 10: 3, 11: 5, 12: 9, 13: 14, 14: 18, 15: 18, 16: 17, 17: 12}
_FEMALE_SHARE = {"cse": 0.93, "cce": 0.2, "trafficking": 0.5, "online": 0.8}
_CLOSURE = Weighted(
    {
        "risk reduced": 52,
        "stepped down to partner agency support": 14,
        "transferred to children's social care": 14,
        "moved out of area": 10,
    }
)
_REOPENABLE = frozenset(
    {
        "risk reduced",
        "stepped down to partner agency support",
        "transferred to children's social care",
    }
)
_SOURCES = Weighted(ref.REFERRAL_SOURCES)
_OPENING_DECISION = {
    "high": Weighted({"strategy_discussion": 65, "social_care_referral": 35}),
    "medium": Weighted(
        {"strategy_discussion": 60, "pathway_referral": 30, "social_care_referral": 10}
    ),
    "low": Weighted({"pathway_referral": 75, "strategy_discussion": 25}),
}
_JOIN_DECISION = {
    "high": Weighted({"strategy_discussion": 1}),
    "medium": Weighted({"strategy_discussion": 50, "pathway_referral": 50}),
    "low": Weighted({"pathway_referral": 70, "advice": 30}),
}
_CONTACT_DECISION = {
    "none": Weighted({"no_further_action": 60, "advice": 40}),
    "low": Weighted(
        {"advice": 38, "pathway_referral": 42, "no_further_action": 15, "social_care_referral": 5}
    ),
}
_SURGE = (date(2016, 4, 1), date(2017, 10, 1))  # decisions ran late while referrals surged


@dataclass(eq=False)
class _Referral:
    uid: int
    child: ChildDraft
    received_at: datetime
    decided_at: datetime
    source: str
    types: tuple[str, ...]
    concerns: str
    screened: str
    decision: str
    episode: _Episode | None = None
    opening: bool = False


@dataclass(eq=False)
class _Episode:
    uid: int
    child: ChildDraft
    opened: date
    closed: date  # on or after `until`: still open when the history ends
    reason: str
    types: tuple[str, ...]
    path: list[tuple[date, str]]
    referrals: list[_Referral] = field(default_factory=list)


class _Generator:
    def __init__(self, seed: int, until: date) -> None:
        self.rng = random.Random(seed)
        self.until = until
        self.wd = WorkingDays(HISTORY_START.year - 1, until.year + 1)
        self.children: list[ChildDraft] = []
        self.episodes: list[_Episode] = []
        self.referrals: list[_Referral] = []
        self.missing: list[
            tuple[ChildDraft, datetime, datetime | None, datetime | None, datetime | None]
        ] = []
        self._uid = 0
        self._reopen: list[tuple[date, int, ChildDraft]] = []  # heap: (eligible from, uid, child)

    def uid(self) -> int:
        self._uid += 1
        return self._uid

    @property
    def last_fy(self) -> int:
        return fy_start_year(self.until - ONE_DAY)

    def fy_range(self, fy: int) -> tuple[date, date, float]:
        """The part of a financial year inside the history, and the share of it covered."""
        first, stop = fy_bounds(fy)
        clipped = min(stop, self.until)
        return first, clipped, (clipped - first).days / (stop - first).days

    # ----------------------------------------------------------------------------- eras

    def years_in(self, day: date) -> float:
        return (day - HISTORY_START).days / 365.25

    def exploitation_types(self, day: date, sex: str | None = None) -> tuple[str, ...]:
        """CSE dominant to 2017, criminal exploitation growing after; online grooming and
        trafficking alongside. Given the child's sex, types are weighed by how often each
        concerns girls, so a repeat episode stays plausible for that child."""
        years = self.years_in(day)
        cce = 0.03 + 0.02 * years if years < 4 else min(0.45, 0.11 + 0.07 * (years - 4))  # noqa: PLR2004
        online = min(0.12, 0.03 + 0.01 * years)
        weights = {
            "cse": 1 - cce - online - 0.03,
            "cce": cce,
            "trafficking": 0.03,
            "online": online,
        }
        if sex is not None:
            weights = {
                t: w * (_FEMALE_SHARE[t] if sex == "F" else 1 - _FEMALE_SHARE[t])
                for t, w in weights.items()
            }
        primary = Weighted(weights).pick(self.rng)
        also = {
            "cse": {"online": min(0.25, 0.05 + 0.02 * years), "trafficking": 0.03},
            "cce": {"trafficking": 0.12, "cse": 0.05},
            "trafficking": {"cse": 0.3, "cce": 0.3},
            "online": {"cse": 0.4},
        }[primary]
        chosen = {primary} | {t for t, p in also.items() if self.rng.random() < p}
        return tuple(t for t in ref.EXPLOITATION_TYPES if t in chosen)

    def sex_for(self, types: tuple[str, ...]) -> str:
        primary = types[0] if len(types) == 1 else max(types, key=_FEMALE_SHARE.__getitem__)
        return "F" if self.rng.random() < _FEMALE_SHARE[primary] else "M"

    def concerns(self, types: tuple[str, ...]) -> str:
        texts = [self.rng.choice(ref.CONCERNS[t]) for t in types[:2]]
        return " ".join(texts)

    # ----------------------------------------------------------------------------- times

    def received_on(self, day: date) -> datetime:
        """Mostly office hours; police and out-of-hours teams refer in evenings and weekends."""
        if not self.wd.is_working(day):
            return at(day, self.rng.randint(9 * 60, 21 * 60 + 59))
        roll = self.rng.random()
        if roll < 0.85:  # noqa: PLR2004
            return at(day, self.rng.randint(8 * 60 + 30, 17 * 60 + 30))
        if roll < 0.95:  # noqa: PLR2004
            return at(day, self.rng.randint(17 * 60 + 31, 21 * 60 + 59))
        return at(day, self.rng.randint(7 * 60, 8 * 60 + 29))

    def decision_lag(self, day: date) -> int:
        """Working days from receipt to decision: mostly the same or next day."""
        if _SURGE[0] <= day < _SURGE[1]:
            return pick_int(self.rng, {0: 48, 1: 30, 2: 8, 3: 6, 4: 4, 5: 4})
        return pick_int(self.rng, {0: 60, 1: 30, 2: 4, 3: 3, 4: 2, 5: 1})

    def decided_after(self, received: datetime) -> datetime:
        """At least two hours after receipt (screening comes first), in office hours."""
        day = local_date(received)
        minute = received.hour * 60 + received.minute
        lag = self.decision_lag(day)
        if lag == 0 and self.wd.is_working(day) and minute <= 16 * 60 + 30:
            decided = later(
                received, timedelta(minutes=self.rng.randint(120, 18 * 60 + 30 - minute))
            )
        else:
            if self.wd.is_working(day):
                when = self.wd.add(day, max(lag, 1))
            else:
                when = self.wd.add(self.wd.on_or_after(day), max(lag - 1, 0))
            decided = at(when, self.rng.randint(9 * 60, 17 * 60 + 30))
        if local_date(decided) >= self.until:
            decided = later(received, timedelta(hours=2))
        return decided

    def opening_times(self, opened: date) -> tuple[datetime, datetime]:
        """Receipt on or shortly before the (working) day the decision opened the episode."""
        decided_minute = self.rng.randint(9 * 60 + 30, 17 * 60 + 30)
        decided = at(opened, decided_minute)
        lag = self.decision_lag(opened)
        received_day = max(HISTORY_START, self.wd.subtract(opened, lag))
        if received_day >= opened:
            return at(opened, self.rng.randint(7 * 60 + 30, decided_minute - 120)), decided
        if self.rng.random() < 0.2:  # noqa: PLR2004 - an evening or weekend referral
            received_day += timedelta(days=self.rng.randrange((opened - received_day).days))
            return at(received_day, self.rng.randint(17 * 60 + 30, 21 * 60 + 59)), decided
        return at(received_day, self.rng.randint(8 * 60 + 30, 17 * 60 + 30)), decided

    def day_weights(self, fy: int, first: date, stop: date) -> tuple[list[date], list[float]]:
        """Days of a financial year with cumulative weights: weekends and bank holidays
        quieter, and a gentle within-year trend towards the next year's level."""
        prev = REFERRAL_TARGETS.get(fy - 1, _plateau(REFERRAL_TARGETS, fy))
        this = _target(REFERRAL_TARGETS, fy)
        nxt = _target(REFERRAL_TARGETS, fy + 1)
        year_start, year_stop = fy_bounds(fy)
        length = (year_stop - year_start).days
        days, weights = [], []
        day = first
        while day < stop:
            through = (day - year_start).days / length
            trend = max(1.0, this + (nxt - prev) * (through - 0.5) / 2)
            days.append(day)
            weights.append(trend * (1.0 if self.wd.is_working(day) else 0.3))
            day += ONE_DAY
        return days, list(accumulate(weights))

    # ------------------------------------------------------------------------- episodes

    def duration(self, *, length_biased: bool = False) -> int:
        """Days an episode stays open: log-normal, median about six months.

        Episodes open on a given day are longer on average (a long one is more likely to be
        caught): for a log-normal that bias shifts the log-mean by sigma squared.
        """
        mu = math.log(_DURATION_MEDIAN_DAYS) + (_DURATION_SIGMA**2 if length_biased else 0)
        return min(1100, max(21, round(self.rng.lognormvariate(mu, _DURATION_SIGMA))))

    def initial_level(self) -> str:
        return Weighted({"low": 50, "medium": 35, "high": 15}).pick(self.rng)

    def risk_path(self, opened: date, closed: date, reason: str) -> list[tuple[date, str]]:
        """Reviewed every couple of months; a review moves the level one step, or not at
        all. An episode closed because risk reduced ends at low."""
        stop = min(closed, self.until)
        level = self.initial_level()
        path = [(opened, level)]
        day = opened
        while True:
            day += timedelta(days=max(14, round(self.rng.expovariate(1 / 80))))
            if day >= stop:
                break
            if self.rng.random() < 0.35:  # noqa: PLR2004
                continue
            if level == "medium":
                level = "low" if self.rng.random() < 0.55 else "high"  # noqa: PLR2004
            else:
                level = "medium"
            path.append((day, level))
        room = (stop - path[-1][0]).days
        if closed < self.until and reason in _REOPENABLE and level != "low" and room > 1:
            path.append((path[-1][0] + timedelta(days=self.rng.randint(1, room - 1)), "low"))
        return path

    def episode(
        self,
        child: ChildDraft,
        opened: date,
        length: int,
        *,
        level_on: tuple[date, str] | None = None,
        types: tuple[str, ...] | None = None,
    ) -> _Episode:
        """An episode with its referrals, not yet registered (it may yet be discarded)."""
        closed = opened + timedelta(days=length)
        if closed >= child.eighteenth_birthday:
            closed, reason = child.eighteenth_birthday, "turned 18"
        else:
            closed, reason = self.wd.on_or_after(closed), _CLOSURE.pick(self.rng)
        path = self.risk_path(opened, closed, reason)
        if level_on is not None:
            path = _force_level(path, *level_on)
        types = types or self.exploitation_types(opened, child.sex)
        ep = _Episode(self.uid(), child, opened, closed, reason, types, path)
        received, decided = self.opening_times(opened)
        level = path[0][1]
        ep.referrals.append(
            self.referral(child, received, types, level, _OPENING_DECISION[level], decided=decided)
        )
        ep.referrals[0].opening = True
        first, stop = opened + timedelta(days=3), min(closed, self.until)
        for _ in range(pick_int(self.rng, {0: 70, 1: 22, 2: 6, 3: 2})):
            if (stop - first).days < 1:
                break
            day = first + timedelta(days=self.rng.randrange((stop - first).days))
            level = _level_on(path, day)
            joined = types if self.rng.random() < 0.7 else types[:1]  # noqa: PLR2004
            received = self.received_on(day)
            ep.referrals.append(
                self.referral(child, received, joined, level, _JOIN_DECISION[level])
            )
        for r in ep.referrals:
            r.episode = ep
        return ep

    def referral(  # noqa: PLR0913
        self,
        child: ChildDraft,
        received: datetime,
        types: tuple[str, ...],
        level: str,
        decisions: Weighted,
        *,
        decided: datetime | None = None,
    ) -> _Referral:
        return _Referral(
            uid=self.uid(),
            child=child,
            received_at=received,
            decided_at=decided or self.decided_after(received),
            source=_SOURCES.pick(self.rng),
            types=types,
            concerns=self.concerns(types),
            screened=level,
            decision=decisions.pick(self.rng),
        )

    def forbidden(self, child: ChildDraft, opened: date, closed: date) -> bool:
        """Would this episode show in a snapshot it is not one of the published heads of?"""
        for snap in SNAPSHOTS:
            if opened <= snap.day < closed:
                address = child.address_on(snap.day)
                if (
                    address
                    and ref.ward_by_code()[address.ward_code].area_committee == snap.area_committee
                ):
                    return True
        return False

    def register(self, ep: _Episode) -> None:
        self.episodes.append(ep)
        self.referrals.extend(ep.referrals)
        if ep.closed < self.until:
            if ep.reason == "moved out of area":
                ep.child.leave_district(ep.closed)
            elif ep.reason in _REOPENABLE:
                eligible = ep.closed + timedelta(days=30)
                heapq.heappush(self._reopen, (eligible, ep.child.uid, ep.child))

    def new_child(
        self,
        sex: str,
        age: tuple[int, date],
        first_seen: date,
        fixed: FixedAddress | None = None,
    ) -> ChildDraft:
        """A child of `age` = (years, on this day), with an address history around
        `first_seen`, the day the hub first heard of them."""
        child = people.new_child(
            self.rng, uid=self.uid(), sex=sex, age=age[0], age_on=age[1], first_seen=first_seen
        )
        earliest = max(child.date_of_birth, child.arrived_uk or child.date_of_birth)
        child.addresses = people.address_history(
            self.rng, earliest=earliest, first_seen=first_seen, until=self.until, fixed=fixed
        )
        return child

    # ------------------------------------------------------------------------ snapshots

    def snapshot(self, snap: Snapshot) -> None:
        """One child per published head, each open on the day with the published
        attributes; everything else about them is drawn like any other child."""
        rng = self.rng
        wards = [ref.ward_by_name()[name] for name, n in snap.wards for _ in range(n)]
        levels = [level for level, n in snap.levels for _ in range(n)]
        ages = [age for age, n in snap.ages for _ in range(n)]
        sexes = ["F"] * snap.female + ["M"] * (snap.total - snap.female)
        in_care = [True] * snap.in_care + [False] * (snap.total - snap.in_care)
        for column in (levels, ages, sexes, in_care):
            rng.shuffle(column)
        for ward, level, age, sex, care in zip(wards, levels, ages, sexes, in_care, strict=True):
            length = self.duration(length_biased=True)
            elapsed = rng.randrange(length)
            opened = self.wd.on_or_before(snap.day - timedelta(days=elapsed))
            pinned = FixedAddress(ward, _PIN_FIRST, _PIN_LAST)
            child = self.new_child(sex, (age, snap.day), opened, pinned)
            length = max(length, (snap.day - opened).days + 1)
            ep = self.episode(child, opened, length, level_on=(snap.day, level))
            eighteenth = child.eighteenth_birthday
            if care:
                child.care_periods = people.care_covering(
                    rng, child.date_of_birth, snap.day, eighteenth
                )
            else:
                child.care_periods = people.care_before(rng, child.date_of_birth, opened)
            self.children.append(child)
            self.register(ep)

    # ----------------------------------------------------------------------- background

    def background(self) -> None:
        """Episodes on a yearly schedule; about one in seven for a child seen before."""
        openings: list[date] = []
        for fy in range(HISTORY_START.year, self.last_fy + 1):
            first, stop, share = self.fy_range(fy)
            first = max(first, HISTORY_START + timedelta(days=7))
            days = self.wd.between(first, stop)
            count = round(_target(EPISODE_TARGETS, fy) * share)
            prev, nxt = _target(EPISODE_TARGETS, fy - 1), _target(EPISODE_TARGETS, fy + 1)
            year_start, year_stop = fy_bounds(fy)
            weights = [
                max(
                    1.0,
                    _target(EPISODE_TARGETS, fy)
                    + (nxt - prev)
                    * ((d - year_start).days / (year_stop - year_start).days - 0.5)
                    / 2,
                )
                for d in days
            ]
            openings.extend(sorted(self.rng.choices(days, weights=weights, k=count)))
        pool: list[ChildDraft] = []
        for opened in openings:
            while self._reopen and self._reopen[0][0] <= opened:
                pool.append(heapq.heappop(self._reopen)[2])
            if pool and self.rng.random() < 0.15:  # noqa: PLR2004
                i = self.rng.randrange(len(pool))
                child = pool[i]
                pool[i] = pool[-1]
                pool.pop()
                if age_on(child.date_of_birth, opened) <= 16 and not child.moved_away:  # noqa: PLR2004
                    ep = self.episode(child, opened, self.duration())
                    if not self.forbidden(child, ep.opened, ep.closed):
                        self.register(ep)
                    continue
            types = self.exploitation_types(opened)
            age = pick_int(self.rng, _AGE_AT_OPENING)
            child = self.new_child(self.sex_for(types), (age, opened), opened)
            ep = self.episode(child, opened, self.duration(), types=types)
            if self.forbidden(child, ep.opened, ep.closed):
                continue
            if self.rng.random() < 0.55:  # noqa: PLR2004
                day = opened + timedelta(days=self.rng.randint(0, 60))
                child.care_periods = people.care_covering(
                    self.rng, child.date_of_birth, day, child.eighteenth_birthday
                )
            else:
                child.care_periods = people.care_before(self.rng, child.date_of_birth, opened)
            self.children.append(child)
            self.register(ep)

    # -------------------------------------------------------------- balancing referrals

    def balance(self) -> None:
        """Make each financial year's referral count exact (see the module docstring)."""
        by_year: dict[int, list[_Referral]] = {}
        for r in self.referrals:
            by_year.setdefault(fy_start_year(local_date(r.received_at)), []).append(r)
        removed: set[int] = set()
        for fy in range(HISTORY_START.year, self.last_fy + 1):
            first, stop, share = self.fy_range(fy)
            target = round(_target(REFERRAL_TARGETS, fy) * share)
            refs = by_year.get(fy, [])
            days, cum = self.day_weights(fy, first, stop)
            if fy_label(fy) == "2015/16":
                removed |= self.shape_2015(refs, days, cum)
                continue
            joins = [r for r in refs if not r.opening]
            excess = len(refs) - target
            if excess > len(joins):
                raise RuntimeError(
                    f"{fy_label(fy)}: more episodes than referrals; check the targets"
                )
            for r in self.rng.sample(joins, max(0, excess)):
                removed.add(r.uid)
            deficit = target - len(refs) + max(0, excess)
            while deficit > 0:
                k = min(deficit, pick_int(self.rng, {1: 82, 2: 14, 3: 4}))
                self.contact_child(days, cum, k)
                deficit -= k
        self.drop(removed)

    def shape_2015(self, refs: list[_Referral], days: list[date], cum: list[float]) -> set[int]:
        """2015/16: 463 children referred once, 106 more than once, 713 referrals."""
        counts: dict[int, list[_Referral]] = {}
        for r in refs:
            counts.setdefault(r.child.uid, []).append(r)
        removed: set[int] = set()

        def tally() -> tuple[int, int, int]:
            sizes = [len(v) for v in counts.values()]
            multi = [n for n in sizes if n > 1]
            return len(sizes) - len(multi), len(multi), sum(n - 2 for n in multi)

        singles, multi, extra = tally()
        # Leave room for at least 16 new repeat children to carry the extra referrals.
        while multi > PUBLISHED_CHILDREN_2015_16[1] - 16 or extra > _EXTRA_2015_16:
            r = self._a_repeat_join(counts)
            counts[r.child.uid].remove(r)
            removed.add(r.uid)
            singles, multi, extra = tally()
        if singles > _SINGLES_2015_16:
            raise RuntimeError("2015/16: too many children referred once; check the targets")
        repeaters = PUBLISHED_CHILDREN_2015_16[1] - multi
        sizes = [2] * repeaters
        for _ in range(_EXTRA_2015_16 - extra):
            i = self.rng.randrange(repeaters)
            while sizes[i] >= 5:  # noqa: PLR2004
                i = self.rng.randrange(repeaters)
            sizes[i] += 1
        for k in sizes:
            self.contact_child(days, cum, k)
        for _ in range(_SINGLES_2015_16 - singles):
            self.contact_child(days, cum, 1)
        return removed

    def _a_repeat_join(self, counts: dict[int, list[_Referral]]) -> _Referral:
        """A later referral of one of the children referred most often, to trim."""
        for size in sorted({len(v) for v in counts.values() if len(v) > 1}, reverse=True):
            joins = [r for v in counts.values() if len(v) == size for r in v if not r.opening]
            if joins:
                return self.rng.choice(joins)
        raise RuntimeError("2015/16: cannot trim enough repeat referrals")

    def contact_child(self, days: list[date], cum: list[float], k: int) -> None:
        """A child referred `k` times in the year, screened each time, never opened."""
        rng = self.rng

        def a_day() -> date:
            return days[bisect(cum, rng.random() * cum[-1])]

        dates = [a_day()]
        for _ in range(k - 1):
            day = dates[-1] + timedelta(days=rng.randint(3, 120))
            dates.append(day if day <= days[-1] else a_day())
        dates.sort()
        types = self.exploitation_types(dates[0])
        age = pick_int(rng, _AGE_AT_CONTACT)
        child = self.new_child(self.sex_for(types), (age, dates[-1]), dates[0])
        if rng.random() < 0.12:  # noqa: PLR2004
            child.care_periods = people.care_covering(
                rng, child.date_of_birth, dates[0], child.eighteenth_birthday
            )
        self.children.append(child)
        for day in dates:
            level = "none" if rng.random() < 0.55 else "low"  # noqa: PLR2004
            self.referrals.append(
                self.referral(child, self.received_on(day), types, level, _CONTACT_DECISION[level])
            )

    def drop(self, removed: set[int]) -> None:
        self.referrals = [r for r in self.referrals if r.uid not in removed]
        for ep in self.episodes:
            ep.referrals = [r for r in ep.referrals if r.uid not in removed]

    # -------------------------------------------------------------------------- missing

    def missing_episodes(self) -> None:
        """Going missing during an episode: more often for looked-after children. Return
        interviews are mostly offered and held within 72 hours; some late, some not done."""
        rng = self.rng
        for ep in self.episodes:
            stop = min(ep.closed, self.until)
            looked_after = any(
                c.kind == "looked_after"
                and c.valid_from < stop
                and (c.valid_to is None or c.valid_to > ep.opened)
                for c in ep.child.care_periods
            )
            if rng.random() >= (0.16 if looked_after else 0.045):
                continue
            span = (stop - ep.opened).days
            if span < 2:  # noqa: PLR2004
                continue
            n = pick_int(rng, {1: 50, 2: 25, 3: 12, 4: 8, 5: 5})
            free_from = ep.opened
            for day in sorted(ep.opened + timedelta(days=rng.randrange(span)) for _ in range(n)):
                if day < free_from:
                    continue
                started = at(day, rng.randint(15 * 60, 23 * 60 + 30))
                hours = min(240.0, max(1.0, rng.lognormvariate(math.log(14), 1.0)))
                ended: datetime | None = later(started, timedelta(minutes=round(hours * 60)))
                if ended is not None and local_date(ended) >= self.until:
                    ended = None
                offered, completed = self.return_interview(ended)
                self.missing.append((ep.child, started, ended, offered, completed))
                if ended is None:
                    break
                free_from = local_date(ended) + ONE_DAY

    def return_interview(self, ended: datetime | None) -> tuple[datetime | None, datetime | None]:
        rng = self.rng
        if ended is None:
            return None, None
        offset = pick_int(rng, {0: 30, 1: 40, 2: 18, 3: 3, 5: 3, 8: 2, -1: 4})
        if offset < 0:
            return None, None
        minute = rng.randint(9 * 60, 19 * 60)
        day = local_date(ended) + timedelta(days=offset)
        offered = at(day, minute)
        if offered <= ended:
            day += ONE_DAY
            offered = at(day, minute)
        outcome = pick_int(rng, {0: 62, 1: 20, 5: 9, -1: 9})
        completed: datetime | None = None
        if outcome == 0:
            completed = at(day, min(minute + rng.randint(0, 120), 21 * 60))
        elif outcome > 0:
            completed = at(
                day + timedelta(days=rng.randint(outcome - 2, outcome + 3)),
                rng.randint(9 * 60, 19 * 60),
            )
        if local_date(offered) >= self.until:
            return None, None
        if completed is not None and local_date(completed) >= self.until:
            completed = None
        return offered, completed

    # --------------------------------------------------------------------------- freeze

    def freeze(self) -> History:
        """Give stable keys in time order and turn the drafts into the contract's records."""
        until = self.until
        referrals = sorted(self.referrals, key=lambda r: (r.received_at, r.uid))
        first_seen: dict[int, tuple[datetime, int]] = {}
        for r in referrals:
            first_seen.setdefault(r.child.uid, (r.received_at, r.uid))
        children = sorted(
            (c for c in self.children if c.uid in first_seen), key=lambda c: first_seen[c.uid]
        )
        child_key = {c.uid: f"C{i:06d}" for i, c in enumerate(children, start=1)}
        referral_key = {r.uid: f"R{i:06d}" for i, r in enumerate(referrals, start=1)}
        episodes = sorted(
            self.episodes, key=lambda e: (e.opened, e.referrals[0].received_at, e.uid)
        )
        episode_key = {e.uid: f"E{i:06d}" for i, e in enumerate(episodes, start=1)}
        missing = sorted(self.missing, key=lambda m: (m[1], m[0].uid))
        return History(
            children=tuple(
                SynthChild(
                    key=child_key[c.uid],
                    given_name=c.given_name,
                    family_name=c.family_name,
                    date_of_birth=c.date_of_birth,
                    dob_approximate=c.dob_approximate,
                    sex=c.sex,
                    ethnicity=c.ethnicity,
                    ethnicity_source=c.ethnicity_source,
                    first_language=c.first_language,
                    nationality=c.nationality,
                    arrived_uk=c.arrived_uk,
                    addresses=people.clip_periods(c.addresses, until),
                    care_periods=people.clip_periods(c.care_periods, until),
                )
                for c in children
            ),
            referrals=tuple(
                SynthReferral(
                    key=referral_key[r.uid],
                    child_key=child_key[r.child.uid],
                    received_at=r.received_at,
                    source=r.source,
                    exploitation_types=r.types,
                    concerns=r.concerns,
                    screened_level=r.screened,
                    decision=r.decision,
                    decided_at=r.decided_at,
                    episode_key=episode_key[r.episode.uid] if r.episode else None,
                )
                for r in referrals
            ),
            episodes=tuple(
                SynthEpisode(
                    key=episode_key[e.uid],
                    child_key=child_key[e.child.uid],
                    opened=e.opened,
                    closed=e.closed if e.closed < until else None,
                    closure_reason=e.reason if e.closed < until else None,
                    risk=_with_reasons(self.rng, e.path),
                    opening_referral_key=referral_key[e.referrals[0].uid],
                )
                for e in episodes
            ),
            missing=tuple(
                SynthMissing(
                    key=f"M{i:06d}",
                    child_key=child_key[child.uid],
                    started_at=started,
                    ended_at=ended,
                    return_interview_offered_at=offered,
                    return_interview_completed_at=completed,
                )
                for i, (child, started, ended, offered, completed) in enumerate(missing, start=1)
            ),
        )


def _target(table: dict[int, int], fy: int) -> int:
    return table.get(fy, _plateau(table, fy))


def _plateau(table: dict[int, int], fy: int) -> int:
    """Before the table: the first year's level; after it: the last year's."""
    return table[min(table)] if fy < min(table) else table[max(table)]


def _level_on(path: list[tuple[date, str]], day: date) -> str:
    level = path[0][1]
    for effective, lvl in path:
        if effective > day:
            break
        level = lvl
    return level


def _force_level(path: list[tuple[date, str]], day: date, level: str) -> list[tuple[date, str]]:
    """The same path with `level` in force on `day`; repeats of a level are merged away."""
    i = max(j for j, (effective, _) in enumerate(path) if effective <= day)
    forced = [*path[:i], (path[i][0], level), *path[i + 1 :]]
    merged = [forced[0]]
    for change in forced[1:]:
        if change[1] != merged[-1][1]:
            merged.append(change)
    return merged


def _with_reasons(rng: random.Random, path: list[tuple[date, str]]) -> tuple[RiskChange, ...]:
    order = {level: n for n, level in enumerate(ref.LEVELS)}
    changes = [RiskChange(path[0][1], path[0][0], "initial screening")]
    for (_, before), (effective, level) in zip(path, path[1:], strict=False):
        reasons = ref.RISK_UP_REASONS if order[level] > order[before] else ref.RISK_DOWN_REASONS
        changes.append(RiskChange(level, effective, rng.choice(reasons)))
    return tuple(changes)


def generate(*, seed: int = 2016, until: date | None = None) -> History:
    """A synthetic history of Bradford's exploitation hub from 1 April 2013.

    `until` is exclusive: nothing happens on or after it, so passing today's date gives a
    history with nothing in the future. It defaults to 25 November 2026, a fixed date, so
    the default output never depends on the clock. It must be 1 April 2017 or later, so the
    published 2016/17 figure is complete. The same seed and `until` give an equal history.
    """
    until = DEFAULT_UNTIL if until is None else until
    if until < EARLIEST_UNTIL:
        raise ValueError(f"until must be {EARLIEST_UNTIL} or later, to hold the published figures")
    gen = _Generator(seed, until)
    for snap in SNAPSHOTS:
        gen.snapshot(snap)
    gen.background()
    gen.balance()
    gen.missing_episodes()
    return gen.freeze()
