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
   children about, so other areas keep their natural share. New children open on a
   snapshot day get their age that day and their care status from shuffled decks, and a
   few have their sex changed, so the district-wide profile on those days (most common
   age 14, 87% female, half with a care status) holds for every seed, not only on average.
3. **Referral counts** (`balance.py`). Each episode brings its opening referral and
   perhaps later ones ("joins"). Per financial year the joins are trimmed if there are
   too many, then contact-only children (referred, screened, never opened) are added
   until the year's count is exact. 2015/16 is shaped further: 463 children referred
   once, 106 more than once with 38 referrals beyond their second, which is 713
   referrals about 569 children.

All randomness comes from one `random.Random(seed)`, consumed in a fixed order; nothing
reads the clock.
"""

# ruff: noqa: S311, PLR2004 - synthetic demo data: `random` is the right tool, not a security
# risk; the numbers in the draws are the model's parameters and are explained where they matter.

from __future__ import annotations

import heapq
import math
import random
from datetime import date, datetime, timedelta
from typing import Generic, TypeVar

from safehub.demo.history import people
from safehub.demo.history import reference as ref
from safehub.demo.history.balance import balance
from safehub.demo.history.drafts import EpisodeDraft, MissingDraft, ReferralDraft, freeze
from safehub.demo.history.drafts import force_level as _force_level
from safehub.demo.history.drafts import level_on as _level_on
from safehub.demo.history.missing import missing_episodes
from safehub.demo.history.model import History
from safehub.demo.history.people import ChildDraft, FixedAddress, Weighted, pick_int
from safehub.demo.history.published import (
    DEFAULT_UNTIL,
    EARLIEST_UNTIL,
    EPISODE_TARGETS,
    HISTORY_START,
    PIN_FIRST,
    PIN_LAST,
    SNAPSHOTS,
    Snapshot,
    target,
)
from safehub.demo.history.timeline import (
    ONE_DAY,
    WorkingDays,
    age_on,
    at,
    fy_bounds,
    fy_start_year,
    later,
    local_date,
)

_T = TypeVar("_T")


_DURATION_MEDIAN_DAYS = 185
_DURATION_SIGMA = 0.7
# Younger than the snapshot ages: an episode open on a given day opened months before it.
_AGE_AT_OPENING = {10: 3, 11: 6, 12: 13, 13: 22, 14: 23, 15: 17, 16: 11, 17: 5}
# Ages on a snapshot day of the other children open then: 14 most common by a clear margin.
_AGE_DECK = {12: 2, 13: 4, 14: 6, 15: 4, 16: 3, 17: 1}
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
_ENDS_LOW = frozenset({"risk reduced", "stepped down to partner agency support"})
_SOURCES = Weighted(ref.REFERRAL_SOURCES)
_INITIAL_LEVEL = Weighted({"low": 50, "medium": 35, "high": 15})
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
_SURGE = (date(2016, 4, 1), date(2017, 10, 1))  # decisions ran late while referrals surged


class Generator:
    """The state of one generation: the RNG, the drafts so far, and the draws they share."""

    def __init__(self, seed: int, until: date) -> None:
        self.rng = random.Random(seed)
        self.until = until
        self.wd = WorkingDays(HISTORY_START.year - 1, until.year + 1)
        self.children: list[ChildDraft] = []
        self.episodes: list[EpisodeDraft] = []
        self.referrals: list[ReferralDraft] = []
        self.missing: list[MissingDraft] = []
        self._uid = 0
        self._reopen: list[tuple[date, int, ChildDraft]] = []  # heap: (eligible from, uid, child)
        self.ages = _Deck(self.rng, _AGE_DECK)
        self.care = _Deck(self.rng, {True: 1, False: 1})

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

    def exploitation_types(self, day: date, sex: str | None = None) -> tuple[str, ...]:
        """CSE dominant to 2017, criminal exploitation growing after; online grooming and
        trafficking alongside. Given the child's sex, types are weighed by how often each
        concerns girls, so a repeat episode stays plausible for that child."""
        years = (day - HISTORY_START).days / 365.25
        cce = 0.03 + 0.02 * years if years < 4 else min(0.45, 0.11 + 0.07 * (years - 4))
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
        primary = max(types, key=_FEMALE_SHARE.__getitem__)
        return "F" if self.rng.random() < _FEMALE_SHARE[primary] else "M"

    # ----------------------------------------------------------------------------- times

    def received_on(self, day: date) -> datetime:
        """Mostly office hours; police and out-of-hours teams refer in evenings and weekends."""
        if not self.wd.is_working(day):
            return at(day, self.rng.randint(9 * 60, 21 * 60 + 59))
        roll = self.rng.random()
        if roll < 0.85:
            return at(day, self.rng.randint(8 * 60 + 30, 17 * 60 + 30))
        if roll < 0.95:
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
            wait = self.rng.randint(120, 18 * 60 + 30 - minute)
            decided = later(received, timedelta(minutes=wait))
        else:
            if self.wd.is_working(day):
                when = self.wd.add(day, max(lag, 1))
            else:
                when = self.wd.add(self.wd.on_or_after(day), max(lag - 1, 0))
            decided = at(when, self.rng.randint(9 * 60, 17 * 60 + 30))
        if local_date(decided) >= self.until:
            decided = later(received, timedelta(hours=2))  # received by 22:00, so still today
        return decided

    def opening_times(self, opened: date) -> tuple[datetime, datetime]:
        """Receipt on or shortly before the working day whose decision opened the episode."""
        decided_minute = self.rng.randint(9 * 60 + 30, 17 * 60 + 30)
        decided = at(opened, decided_minute)
        lag = self.decision_lag(opened)
        received_day = max(HISTORY_START, self.wd.subtract(opened, lag))
        if received_day >= opened:
            return at(opened, self.rng.randint(7 * 60 + 30, decided_minute - 120)), decided
        if self.rng.random() < 0.2:  # an evening or weekend referral
            received_day += timedelta(days=self.rng.randrange((opened - received_day).days))
            return at(received_day, self.rng.randint(17 * 60 + 30, 21 * 60 + 59)), decided
        return at(received_day, self.rng.randint(8 * 60 + 30, 17 * 60 + 30)), decided

    def trend_weights(self, table: dict[int, int], fy: int, days: list[date]) -> list[float]:
        """Per-day weights drifting through the year from last year's level towards next
        year's, so the series has no step at 1 April. Weekends and bank holidays quieter."""
        prev, this, nxt = target(table, fy - 1), target(table, fy), target(table, fy + 1)
        year_start, year_stop = fy_bounds(fy)
        length = (year_stop - year_start).days
        return [
            max(1.0, this + (nxt - prev) * ((day - year_start).days / length - 0.5) / 2)
            * (1.0 if self.wd.is_working(day) else 0.3)
            for day in days
        ]

    # ------------------------------------------------------------------------- episodes

    def duration(self, *, length_biased: bool = False) -> int:
        """Days an episode stays open: log-normal, median about six months.

        Episodes open on a given day are longer on average (a long one is more likely to be
        caught): for a log-normal that bias shifts the log-mean by sigma squared.
        """
        mu = math.log(_DURATION_MEDIAN_DAYS) + (_DURATION_SIGMA**2 if length_biased else 0)
        return min(1100, max(21, round(self.rng.lognormvariate(mu, _DURATION_SIGMA))))

    def risk_path(self, opened: date, closed: date, reason: str) -> list[tuple[date, str]]:
        """Reviewed every couple of months; a review moves the level one step, or not at
        all. An episode closed because risk reduced ends at low."""
        stop = min(closed, self.until)
        level = _INITIAL_LEVEL.pick(self.rng)
        path = [(opened, level)]
        day = opened
        while True:
            day += timedelta(days=max(14, round(self.rng.expovariate(1 / 80))))
            if day >= stop:
                break
            if self.rng.random() < 0.35:
                continue
            if level == "medium":
                level = "low" if self.rng.random() < 0.55 else "high"
            else:
                level = "medium"
            path.append((day, level))
        room = (stop - path[-1][0]).days
        if closed < self.until and reason in _ENDS_LOW and level != "low" and room > 1:
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
    ) -> EpisodeDraft:
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
        ep = EpisodeDraft(self.uid(), child, opened, closed, reason, types, path)
        received, decided = self.opening_times(opened)
        level = path[0][1]
        opening = self.referral(
            child, received, types, level, _OPENING_DECISION[level], decided=decided
        )
        opening.opening = True
        ep.referrals.append(opening)
        first, stop = opened + timedelta(days=3), min(closed, self.until)
        for _ in range(pick_int(self.rng, {0: 70, 1: 22, 2: 6, 3: 2})):
            if (stop - first).days < 1:
                break
            day = first + timedelta(days=self.rng.randrange((stop - first).days))
            level = _level_on(path, day)
            joined = types if self.rng.random() < 0.7 else types[:1]
            received = self.received_on(day)
            ep.referrals.append(
                self.referral(child, received, joined, level, _JOIN_DECISION[level])
            )
        for r in ep.referrals:
            r.episode = ep
        return ep

    def referral(  # noqa: PLR0913 - one draw needs all of these
        self,
        child: ChildDraft,
        received: datetime,
        types: tuple[str, ...],
        level: str,
        decisions: Weighted,
        *,
        decided: datetime | None = None,
    ) -> ReferralDraft:
        return ReferralDraft(
            uid=self.uid(),
            child=child,
            received_at=received,
            decided_at=decided or self.decided_after(received),
            source=_SOURCES.pick(self.rng),
            types=types,
            concerns=" ".join(self.rng.choice(ref.CONCERNS[t]) for t in types[:2]),
            screened=level,
            decision=decisions.pick(self.rng),
        )

    def forbidden(self, child: ChildDraft, opened: date, closed: date) -> bool:
        """Would this episode show in a snapshot without being one of its published heads?"""
        for snap in SNAPSHOTS:
            if opened <= snap.day < closed:
                address = child.address_on(snap.day)
                ward = ref.ward_by_code()[address.ward_code] if address else None
                if ward and ward.area_committee == snap.area_committee:
                    return True
        return False

    def register(self, ep: EpisodeDraft) -> None:
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
        self.children.append(child)
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
            opened = self.wd.on_or_before(snap.day - timedelta(days=rng.randrange(length)))
            pinned = FixedAddress(ward, PIN_FIRST, PIN_LAST)
            child = self.new_child(sex, (age, snap.day), opened, pinned)
            length = max(length, (snap.day - opened).days + 1)
            ep = self.episode(child, opened, length, level_on=(snap.day, level))
            if care:
                child.care_periods = people.care_covering(
                    rng, child.date_of_birth, snap.day, child.eighteenth_birthday
                )
            else:
                child.care_periods = people.care_before(rng, child.date_of_birth, opened)
            self.register(ep)

    # ----------------------------------------------------------------------- background

    def background(self) -> None:
        """Episodes on a yearly schedule; about one in seven for a child seen before."""
        openings: list[date] = []
        for fy in range(HISTORY_START.year, self.last_fy + 1):
            first, stop, share = self.fy_range(fy)
            days = self.wd.between(max(first, HISTORY_START + timedelta(days=7)), stop)
            weights = self.trend_weights(EPISODE_TARGETS, fy, days)
            count = round(target(EPISODE_TARGETS, fy) * share)
            openings.extend(sorted(self.rng.choices(days, weights=weights, k=count)))
        pool: list[ChildDraft] = []
        for opened in openings:
            while self._reopen and self._reopen[0][0] <= opened:
                pool.append(heapq.heappop(self._reopen)[2])
            if pool and self.rng.random() < 0.15:
                i = self.rng.randrange(len(pool))
                child = pool[i]
                pool[i] = pool[-1]
                pool.pop()
                if age_on(child.date_of_birth, opened) <= 16 and not child.moved_away:
                    ep = self.episode(child, opened, self.duration())
                    if _snapshot_day(ep.opened, ep.closed) is None:
                        self.register(ep)
                    continue
            self.background_child(opened)

    def background_child(self, opened: date) -> None:
        """A new child whose episode opens on `opened`.

        If the episode will be open on a snapshot day, the child's age on that day and
        whether a care status covers it are dealt from decks, so the children open that day
        in other areas match the published profile (most common age 14, half with a care
        status) for every seed, not only on average.
        """
        types = self.exploitation_types(opened)
        length = self.duration()
        on = _snapshot_day(opened, self.wd.on_or_after(opened + timedelta(days=length)))
        age = (self.ages.deal(), on) if on else (pick_int(self.rng, _AGE_AT_OPENING), opened)
        child = self.new_child(self.sex_for(types), age, opened)
        ep = self.episode(child, opened, length, types=types)
        if self.forbidden(child, ep.opened, ep.closed):
            self.children.pop()  # never referred: the snapshot children stand for it
            if on:
                self.ages.give_back(age[0])
            return
        covered = self.care.deal() if on else self.rng.random() < 0.55
        if covered:
            day = on or opened + timedelta(days=self.rng.randint(0, 60))
            child.care_periods = people.care_covering(
                self.rng, child.date_of_birth, day, child.eighteenth_birthday
            )
        else:
            child.care_periods = people.care_before(self.rng, child.date_of_birth, opened)
        self.register(ep)

    def settle_sex_on_snapshot_days(self, share: float = 0.87) -> None:
        """Published: 87% of the children open to the hub were female. The snapshot children
        are exactly that; this makes the other children open on the snapshot days (in the
        other areas) the same, district-wide, by changing the sex (and given name) of a
        few of them, so a district-wide figure for those days is 87% for every seed."""
        snapshot_children = {ep.child.uid for ep in self.episodes[: _snapshot_heads()]}
        open_then: dict[int, ChildDraft] = {}
        for ep in self.episodes:
            if ep.child.uid in snapshot_children:
                continue
            if any(ep.opened <= snap.day < ep.closed for snap in SNAPSHOTS):
                open_then.setdefault(ep.child.uid, ep.child)
        children = list(open_then.values())
        wanted = round(share * len(children))
        female = [c for c in children if c.sex == "F"]
        male = [c for c in children if c.sex == "M"]
        if len(female) < wanted:
            flips = self.rng.sample(male, wanted - len(female))
        else:
            flips = self.rng.sample(female, len(female) - wanted)
        for child in flips:
            old, new = (
                (ref.GIVEN_NAMES_F, ref.GIVEN_NAMES_M)
                if child.sex == "F"
                else (ref.GIVEN_NAMES_M, ref.GIVEN_NAMES_F)
            )
            child.given_name = new[old.index(child.given_name)]
            child.sex = "M" if child.sex == "F" else "F"


class _Deck(Generic[_T]):
    """Cards dealt from a shuffled deck, reshuffled when empty: over any run of deals the
    shares are the deck's, give or take one deck, where independent draws could drift."""

    def __init__(self, rng: random.Random, cards: dict[_T, int]) -> None:
        self._rng = rng
        self._full = [card for card, n in cards.items() for _ in range(n)]
        self._left: list[_T] = []

    def deal(self) -> _T:
        if not self._left:
            self._left = list(self._full)
            self._rng.shuffle(self._left)
        return self._left.pop()

    def give_back(self, card: _T) -> None:
        """Undo a deal whose result was thrown away, so it does not skew the shares."""
        self._left.append(card)


def _snapshot_day(opened: date, closed: date) -> date | None:
    """The first snapshot day on which an episode so dated is open, if any."""
    return next((snap.day for snap in SNAPSHOTS if opened <= snap.day < closed), None)


def _snapshot_heads() -> int:
    """The snapshot episodes are registered first, one per published head."""
    return sum(snap.total for snap in SNAPSHOTS)


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
    gen = Generator(seed, until)
    for snap in SNAPSHOTS:
        gen.snapshot(snap)
    gen.background()
    gen.settle_sex_on_snapshot_days()
    balance(gen)
    gen.missing = missing_episodes(gen.rng, until, gen.episodes)
    return freeze(
        gen.rng,
        until,
        children=gen.children,
        episodes=gen.episodes,
        referrals=gen.referrals,
        missing=gen.missing,
    )
