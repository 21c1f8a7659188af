"""Make each financial year's referral count exact, and shape 2015/16 as published.

Episodes bring their own referrals (the opening one, sometimes later ones). Per year, the
later ones are trimmed if there are too many, then children who were referred and screened
but never opened ("contact-only") are added until the count is exact. 2015/16 needs more:
713 referrals about 569 children, 106 of them referred more than once, which is 463
children referred once, 106 referred twice and 38 referrals beyond those.
"""

# ruff: noqa: PLR2004 - the numbers in the draws are the model's parameters.

from __future__ import annotations

from bisect import bisect
from datetime import date, timedelta
from itertools import accumulate
from typing import TYPE_CHECKING

from safehub.demo.history import people
from safehub.demo.history.drafts import ReferralDraft
from safehub.demo.history.people import Weighted, pick_int
from safehub.demo.history.published import (
    HISTORY_START,
    PUBLISHED_CHILDREN_2015_16,
    PUBLISHED_REFERRALS,
    REFERRAL_TARGETS,
    target,
)
from safehub.demo.history.timeline import fy_label, fy_start_year, local_date

if TYPE_CHECKING:
    from safehub.demo.history.build import Generator

_REPEATERS_2015_16 = PUBLISHED_CHILDREN_2015_16[1]
_SINGLES_2015_16 = PUBLISHED_CHILDREN_2015_16[0] - _REPEATERS_2015_16
_EXTRA_2015_16 = PUBLISHED_REFERRALS["2015/16"] - _SINGLES_2015_16 - 2 * _REPEATERS_2015_16

_AGE_AT_CONTACT = {8: 1, 9: 1, 10: 3, 11: 5, 12: 9, 13: 14, 14: 18, 15: 18, 16: 17, 17: 12}
_CONTACT_DECISION = {
    "none": Weighted({"no_further_action": 60, "advice": 40}),
    "low": Weighted(
        {"advice": 38, "pathway_referral": 42, "no_further_action": 15, "social_care_referral": 5}
    ),
}


def balance(gen: Generator) -> None:
    """Make each financial year's referral count exact (see the module docstring)."""
    by_year: dict[int, list[ReferralDraft]] = {}
    for r in gen.referrals:
        by_year.setdefault(fy_start_year(local_date(r.received_at)), []).append(r)
    removed: set[int] = set()
    for fy in range(HISTORY_START.year, gen.last_fy + 1):
        first, stop, share = gen.fy_range(fy)
        days = [first + timedelta(days=n) for n in range((stop - first).days)]
        cum = list(accumulate(gen.trend_weights(REFERRAL_TARGETS, fy, days)))
        refs = by_year.get(fy, [])
        if fy_label(fy) == "2015/16":
            removed |= shape_2015(gen, refs, days, cum)
            continue
        wanted = round(target(REFERRAL_TARGETS, fy) * share)
        joins = [r for r in refs if not r.opening]
        excess = len(refs) - wanted
        if excess > len(joins):
            raise RuntimeError(f"{fy_label(fy)}: more episodes than referrals; check targets")
        removed.update(r.uid for r in gen.rng.sample(joins, max(0, excess)))
        deficit = wanted - len(refs) + max(0, excess)
        while deficit > 0:
            k = min(deficit, pick_int(gen.rng, {1: 82, 2: 14, 3: 4}))
            contact_child(gen, days, cum, k)
            deficit -= k
    gen.referrals = [r for r in gen.referrals if r.uid not in removed]
    for ep in gen.episodes:
        ep.referrals = [r for r in ep.referrals if r.uid not in removed]


def shape_2015(
    gen: Generator, refs: list[ReferralDraft], days: list[date], cum: list[float]
) -> set[int]:
    """2015/16: 463 children referred once, 106 more than once, 713 referrals.

    Episode referrals are trimmed (later ones only) until no more than 90 children are
    referred more than once and their referrals beyond the second number at most 38.
    New contact-only children then make up the rest: at least 16 repeat children, so
    the 38 can be shared at no more than five referrals each.
    """
    by_child: dict[int, list[ReferralDraft]] = {}
    for r in refs:
        by_child.setdefault(r.child.uid, []).append(r)
    removed: set[int] = set()
    singles, repeaters, extra = _tally(by_child)
    while repeaters > _REPEATERS_2015_16 - 16 or extra > _EXTRA_2015_16:
        r = _a_repeat_join(gen, by_child)
        by_child[r.child.uid].remove(r)
        removed.add(r.uid)
        singles, repeaters, extra = _tally(by_child)
    if singles > _SINGLES_2015_16:
        raise RuntimeError("2015/16: too many children referred once; check the targets")
    sizes = [2] * (_REPEATERS_2015_16 - repeaters)
    for _ in range(_EXTRA_2015_16 - extra):
        candidates = [i for i, size in enumerate(sizes) if size < 5]
        sizes[gen.rng.choice(candidates)] += 1
    for k in sizes:
        contact_child(gen, days, cum, k)
    for _ in range(_SINGLES_2015_16 - singles):
        contact_child(gen, days, cum, 1)
    return removed


def _a_repeat_join(gen: Generator, by_child: dict[int, list[ReferralDraft]]) -> ReferralDraft:
    """A later referral of one of the children referred most often, to trim."""
    for size in sorted({len(v) for v in by_child.values() if len(v) > 1}, reverse=True):
        joins = [r for v in by_child.values() if len(v) == size for r in v if not r.opening]
        if joins:
            return gen.rng.choice(joins)
    raise RuntimeError("2015/16: cannot trim enough repeat referrals")


def contact_child(gen: Generator, days: list[date], cum: list[float], k: int) -> None:
    """A child referred `k` times in the year, screened each time, never opened."""
    rng = gen.rng

    def a_day() -> date:
        return days[bisect(cum, rng.random() * cum[-1])]

    dates = [a_day()]
    for _ in range(k - 1):
        day = dates[-1] + timedelta(days=rng.randint(3, 120))
        dates.append(day if day <= days[-1] else a_day())
    dates.sort()
    types = gen.exploitation_types(dates[0])
    age = pick_int(rng, _AGE_AT_CONTACT)
    child = gen.new_child(gen.sex_for(types), (age, dates[-1]), dates[0])
    if rng.random() < 0.12:
        child.care_periods = people.care_covering(
            rng, child.date_of_birth, dates[0], child.eighteenth_birthday
        )
    for day in dates:
        level = "none" if rng.random() < 0.55 else "low"
        received = gen.received_on(day)
        gen.referrals.append(gen.referral(child, received, types, level, _CONTACT_DECISION[level]))


def _tally(by_child: dict[int, list[ReferralDraft]]) -> tuple[int, int, int]:
    """(children referred once, children referred more than once, referrals beyond the
    second of those)."""
    sizes = [len(v) for v in by_child.values() if v]
    repeat = [n for n in sizes if n > 1]
    return len(sizes) - len(repeat), len(repeat), sum(n - 2 for n in repeat)
