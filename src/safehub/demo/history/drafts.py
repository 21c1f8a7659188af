"""Mutable drafts of referrals, episodes and missing episodes, and freezing them into the
contract's records with stable keys.

Drafts exist because a history is built in passes (episodes, then trimming and topping up
referrals, then missing episodes) and the keys can only be given in time order at the end.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import pairwise

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
from safehub.demo.history.people import ChildDraft

# A risk path: (effective date, level) pairs, the first on the day the episode opened.
Path = list[tuple[date, str]]


@dataclass(eq=False)
class ReferralDraft:
    uid: int
    child: ChildDraft
    received_at: datetime
    decided_at: datetime
    source: str
    types: tuple[str, ...]
    concerns: str
    screened: str
    decision: str
    episode: EpisodeDraft | None = None
    opening: bool = False


@dataclass(eq=False)
class EpisodeDraft:
    uid: int
    child: ChildDraft
    opened: date
    closed: date  # on or after `until`: still open when the history ends
    reason: str
    types: tuple[str, ...]
    path: Path
    referrals: list[ReferralDraft] = field(default_factory=list)  # the opening one first


@dataclass(eq=False)
class MissingDraft:
    child: ChildDraft
    started_at: datetime
    ended_at: datetime | None
    offered_at: datetime | None
    completed_at: datetime | None


def level_on(path: Path, day: date) -> str:
    level = path[0][1]
    for effective, lvl in path:
        if effective > day:
            break
        level = lvl
    return level


def force_level(path: Path, day: date, level: str) -> Path:
    """The same path with `level` in force on `day`; repeats of a level are merged away."""
    i = max(j for j, (effective, _) in enumerate(path) if effective <= day)
    forced = [*path[:i], (path[i][0], level), *path[i + 1 :]]
    merged = [forced[0]]
    for change in forced[1:]:
        if change[1] != merged[-1][1]:
            merged.append(change)
    return merged


def _with_reasons(rng: random.Random, path: Path) -> tuple[RiskChange, ...]:
    """Reasons are drawn last, once the path's directions are final."""
    order = {level: n for n, level in enumerate(ref.LEVELS)}
    changes = [RiskChange(path[0][1], path[0][0], "initial screening")]
    for (_, before), (effective, level) in pairwise(path):
        reasons = ref.RISK_UP_REASONS if order[level] > order[before] else ref.RISK_DOWN_REASONS
        changes.append(RiskChange(level, effective, rng.choice(reasons)))
    return tuple(changes)


def freeze(  # noqa: PLR0913 - the four record lists and the two things that shape them
    rng: random.Random,
    until: date,
    *,
    children: list[ChildDraft],
    episodes: list[EpisodeDraft],
    referrals: list[ReferralDraft],
    missing: list[MissingDraft],
) -> History:
    """Give stable keys in time order and turn the drafts into the contract's records.

    Children are numbered by first referral, referrals by receipt, episodes by opening,
    missing episodes by start; children never referred (none, by construction) are left out.
    """
    referrals = sorted(referrals, key=lambda r: (r.received_at, r.uid))
    first_seen: dict[int, tuple[datetime, int]] = {}
    for r in referrals:
        first_seen.setdefault(r.child.uid, (r.received_at, r.uid))
    children = sorted((c for c in children if c.uid in first_seen), key=lambda c: first_seen[c.uid])
    child_key = {c.uid: f"C{i:06d}" for i, c in enumerate(children, start=1)}
    referral_key = {r.uid: f"R{i:06d}" for i, r in enumerate(referrals, start=1)}
    episodes = sorted(episodes, key=lambda e: (e.opened, e.referrals[0].received_at, e.uid))
    episode_key = {e.uid: f"E{i:06d}" for i, e in enumerate(episodes, start=1)}
    missing = sorted(missing, key=lambda m: (m.started_at, m.child.uid))
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
                risk=_with_reasons(rng, e.path),
                opening_referral_key=referral_key[e.referrals[0].uid],
            )
            for e in episodes
        ),
        missing=tuple(
            SynthMissing(
                key=f"M{i:06d}",
                child_key=child_key[m.child.uid],
                started_at=m.started_at,
                ended_at=m.ended_at,
                return_interview_offered_at=m.offered_at,
                return_interview_completed_at=m.completed_at,
            )
            for i, m in enumerate(missing, start=1)
        ),
    )
