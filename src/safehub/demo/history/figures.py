"""The published figures, computed from a `History` the way the district counted them.

These are the generator's test oracle and the plain statement of each definition, so a
figure computed later from the database can be checked against the same rules.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from safehub.demo.history import reference as ref
from safehub.demo.history.model import AddressPeriod, History, SynthChild, SynthEpisode
from safehub.demo.history.timeline import fy_of, local_date


def referrals_by_financial_year(h: History) -> dict[str, int]:
    """Referrals received in each financial year ("2015/16"), by London date of receipt."""
    counts = Counter(fy_of(local_date(r.received_at)) for r in h.referrals)
    return dict(sorted(counts.items()))


def children_referred(h: History, fy: str) -> tuple[int, int]:
    """(individual children referred in the year, those of them referred more than once)."""
    per_child = Counter(r.child_key for r in h.referrals if fy_of(local_date(r.received_at)) == fy)
    return len(per_child), sum(1 for n in per_child.values() if n > 1)


def address_on(child: SynthChild, day: date) -> AddressPeriod | None:
    """The address in force on `day` (valid_from on or before it, valid_to after it)."""
    for period in child.addresses:
        if period.valid_from <= day and (period.valid_to is None or day < period.valid_to):
            return period
    return None


def level_on(episode: SynthEpisode, day: date) -> str | None:
    """The level of the last risk change effective on or before `day`."""
    level = None
    for change in episode.risk:
        if change.effective > day:
            break
        level = change.level
    return level


def is_open_on(episode: SynthEpisode, day: date) -> bool:
    return episode.opened <= day and (episode.closed is None or episode.closed > day)


def open_on(
    h: History, d: date, area_committee: str
) -> list[tuple[SynthChild, SynthEpisode, str, str]]:
    """Children with an episode open on `d` whose address on `d` is in the area committee:
    (child, episode, risk level on `d`, ward name), in episode key order."""
    wards = ref.ward_by_code()
    children = {c.key: c for c in h.children}
    found = []
    for episode in h.episodes:
        if not is_open_on(episode, d):
            continue
        child = children[episode.child_key]
        address = address_on(child, d)
        if address is None or wards[address.ward_code].area_committee != area_committee:
            continue
        level = level_on(episode, d)
        if level is None:  # pragma: no cover - the first change is effective on `opened`
            continue
        found.append((child, episode, level, wards[address.ward_code].name))
    return found
