"""Missing episodes of children open to the hub, with their return home interviews.

Looked-after children go missing more often. Interviews are mostly offered and held within
the 72-hour target; some are late and some never happen, so the timeliness figure has
something to show.
"""

# ruff: noqa: PLR2004 - the numbers in the draws are the model's parameters.

from __future__ import annotations

import math
import random
from datetime import date, datetime, timedelta

from safehub.demo.history.drafts import EpisodeDraft, MissingDraft
from safehub.demo.history.people import pick_int
from safehub.demo.history.timeline import ONE_DAY, at, later, local_date


def missing_episodes(
    rng: random.Random, until: date, episodes: list[EpisodeDraft]
) -> list[MissingDraft]:
    found: list[MissingDraft] = []
    for ep in episodes:
        stop = min(ep.closed, until)
        looked_after = any(
            c.kind == "looked_after"
            and c.valid_from < stop
            and (c.valid_to is None or c.valid_to > ep.opened)
            for c in ep.child.care_periods
        )
        if rng.random() >= (0.09 if looked_after else 0.025):
            continue
        span = (stop - ep.opened).days
        if span < 2:
            continue
        free_from = ep.opened
        count = pick_int(rng, {1: 50, 2: 25, 3: 12, 4: 8, 5: 5})
        for day in sorted(ep.opened + timedelta(days=rng.randrange(span)) for _ in range(count)):
            if day < free_from:
                continue  # still missing from the last time
            started = at(day, rng.randint(15 * 60, 23 * 60 + 30))
            hours = min(240.0, max(1.0, rng.lognormvariate(math.log(14), 1.0)))
            ended: datetime | None = later(started, timedelta(minutes=round(hours * 60)))
            if ended is not None and local_date(ended) >= until:
                ended = None
            offered, completed = _return_interview(rng, until, ended)
            found.append(MissingDraft(ep.child, started, ended, offered, completed))
            if ended is None:
                break
            free_from = local_date(ended) + ONE_DAY
    return found


def _return_interview(
    rng: random.Random, until: date, ended: datetime | None
) -> tuple[datetime | None, datetime | None]:
    """(offered, completed), in working hours, counted in days after the return."""
    if ended is None:
        return None, None
    offset = pick_int(rng, {0: 30, 1: 40, 2: 18, 3: 3, 5: 3, 8: 2, -1: 4})
    if offset < 0:
        return None, None  # never offered
    minute = rng.randint(9 * 60, 19 * 60)
    day = local_date(ended) + timedelta(days=offset)
    offered = at(day, minute)
    if offered <= ended:
        day += ONE_DAY
        offered = at(day, minute)
    completed: datetime | None
    outcome = pick_int(rng, {0: 62, 1: 20, 2: 9, -1: 9})  # same day, next day, late, declined
    if outcome == 0:
        completed = at(day, min(minute + rng.randint(0, 120), 21 * 60))
    elif outcome == 1:
        completed = at(day + ONE_DAY, rng.randint(9 * 60, 19 * 60))
    elif outcome == 2:
        completed = at(day + timedelta(days=rng.randint(3, 9)), rng.randint(9 * 60, 19 * 60))
    else:
        completed = None
    if local_date(offered) >= until:
        return None, None
    if completed is not None and local_date(completed) >= until:
        completed = None
    return offered, completed
