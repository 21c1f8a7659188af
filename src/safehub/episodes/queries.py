"""Scoped reads of episodes: visible when the child's section that holds them is.

An episode with its risk history and reviews is the "risk" section; a missing episode is the
"missing" section (`people.queries.children_with_section`). Its strategy discussions are
meetings (`safehub.meetings`), shown to the hub's roles only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from safehub.access.policy import OutOfScopeError, Principal
from safehub.audit import services as audit
from safehub.episodes.models import Episode, MissingEpisode, RiskChange
from safehub.people.queries import children_with_section


def get_episode(user: Principal, episode_id: int) -> Episode:
    episode = (
        Episode.objects.filter(pk=episode_id, child__in=children_with_section(user, "risk"))
        .select_related("child")
        .first()
    )
    if episode is None:
        owner = Episode.objects.filter(pk=episode_id).values_list("child_id", flat=True).first()
        raise OutOfScopeError("episodes.episode", str(episode_id), child_id=owner)
    audit.write(user, "episode:viewed", episode)
    return episode


def strategy_discussions(episode: Episode) -> QuerySet[Any]:
    """The meetings held for an episode: those filed on it, and strategy discussions about its
    child while it was open that were recorded without naming it (the high-risk rule counts
    them too), newest first.

    Meetings sit in a layer above episodes, so they are reached through the episode's and the
    child's own relations; the caller has read the episode in scope."""
    tz = timezone.get_current_timezone()
    during = Q(
        episode__isnull=True,
        kind="strategy_discussion",
        children=episode.child_id,
        held_at__gte=dt.datetime.combine(episode.opened_on, dt.time.min, tzinfo=tz),
    )
    if episode.closed_on is not None:
        closed = episode.closed_on + dt.timedelta(days=1)
        during &= Q(held_at__lt=dt.datetime.combine(closed, dt.time.min, tzinfo=tz))
    meetings = episode.meetings.model.objects
    return meetings.filter(Q(episode=episode) | during).distinct().order_by("-held_at", "-id")


def get_missing_episode(user: Principal, missing_id: int) -> MissingEpisode:
    missing = (
        MissingEpisode.objects.filter(
            pk=missing_id, child__in=children_with_section(user, "missing")
        )
        .select_related("child")
        .first()
    )
    if missing is None:
        owner = (
            MissingEpisode.objects.filter(pk=missing_id).values_list("child_id", flat=True).first()
        )
        raise OutOfScopeError("episodes.missingepisode", str(missing_id), child_id=owner)
    audit.write(user, "missing:viewed", missing)
    return missing


def get_risk_change(user: Principal, episode_id: int, change_id: int) -> RiskChange:
    """One risk change of a visible episode (the episode read is scoped and audited)."""
    episode = get_episode(user, episode_id)
    change = RiskChange.objects.filter(pk=change_id, episode=episode).first()
    if change is None:
        raise OutOfScopeError("episodes.riskchange", str(change_id))
    change.episode = episode
    return change
