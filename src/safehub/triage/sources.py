"""Where due items come from: one registered source per kind of work.

A source says which records its items are computed from (`models`, with how to find the child
of each) and computes the items for a set of children (`compute`). `safehub.triage.store` calls
every source whenever a record named in any source's `models` is saved or deleted, so adding a
kind of work is one source here, registered with `@source`; nothing else changes (the kind's
label appears in the queue's filter and the API). See docs/triage.md.

The time rules come from `safehub.rules.working_time`:

- a decision within 1 working day of a referral's receipt;
- a strategy discussion within 1 working day of a child being graded high risk;
- a return home interview within 72 hours of a child's return from a missing episode;
- an episode review every 12 weeks from opening or the last review;
- a hub manager's sign-off within 1 working day of the request;
- a warning flag's review by its review date, and a new flag's sign-off within 1 working day;
- an action from a multi-agency meeting by its due date;
- a pathway referral accepted or declined, and first contact made, within the service's targets
  in working days; one declined or handed back taken back by the hub within 1 working day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.db import models
from django.db.models import Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from safehub.episodes.models import (
    Episode,
    MissingEpisode,
    Review,
    RiskChange,
    SignOffRequest,
    SignOffStatus,
)
from safehub.flags import queries as flag_queries
from safehub.flags.models import WarningFlag
from safehub.meetings import queries as meeting_queries
from safehub.meetings.models import Meeting, MeetingAction, MeetingKind
from safehub.partnership import queries as partnership_queries
from safehub.partnership.models import PathwayReferral
from safehub.people.models import Child
from safehub.referrals.models import Decision, Referral, Screening
from safehub.rules import working_time


@dataclass(frozen=True)
class Item:
    """One thing owed, before colour: the record it is for, when its clock started, when due."""

    child_id: int
    source_id: int
    start: dt.datetime
    due: dt.datetime
    link: str


# How to find the child a saved record belongs to.
ChildOf = Callable[[models.Model], int | None]


@dataclass(frozen=True)
class Source:
    kind: str
    label: str
    compute: Callable[[QuerySet[Child]], Iterable[Item]]
    models: dict[type[models.Model], ChildOf] = field(default_factory=dict)
    # Items whose clock started before now minus this leave the queue (still counted by the
    # timeliness figures); None keeps them until done.
    window: dt.timedelta | None = None


SOURCES: dict[str, Source] = {}


def source(
    kind: str,
    label: str,
    *,
    models: dict[type[models.Model], ChildOf],
    window: dt.timedelta | None = None,
) -> Callable[[Callable[[QuerySet[Child]], Iterable[Item]]], Callable[..., Iterable[Item]]]:
    """Register `compute` as the source of `kind` items."""

    def register(
        compute: Callable[[QuerySet[Child]], Iterable[Item]],
    ) -> Callable[[QuerySet[Child]], Iterable[Item]]:
        SOURCES[kind] = Source(kind, label, compute, models, window)
        return compute

    return register


def kinds() -> dict[str, str]:
    return {s.kind: s.label for s in SOURCES.values()}


def watched() -> dict[type[models.Model], list[ChildOf]]:
    """Every model some source is computed from, with how to find its child."""
    found: dict[type[models.Model], list[ChildOf]] = {}
    for s in SOURCES.values():
        for model, child_of in s.models.items():
            found.setdefault(model, []).append(child_of)
    return found


def _own(obj: models.Model) -> int | None:
    return getattr(obj, "child_id", None)


def _via_referral(obj: models.Model) -> int | None:
    referral_id = getattr(obj, "referral_id", None)
    if referral_id is None:
        return None
    return Referral.objects.filter(pk=referral_id).values_list("child_id", flat=True).first()


def _via_episode(obj: models.Model) -> int | None:
    episode_id = getattr(obj, "episode_id", None)
    if episode_id is None:
        return None
    return Episode.objects.filter(pk=episode_id).values_list("child_id", flat=True).first()


# Returns older than this are reported by the timeliness figures, not chased in the queue.
RETURN_INTERVIEW_WINDOW = dt.timedelta(days=28)
_EPISODE_MODELS: dict[type[models.Model], ChildOf] = {
    Episode: _own,
    RiskChange: _via_episode,
}


@source(
    "decision",
    "Decision on referral",
    models={Referral: _own, Decision: _via_referral, Screening: _via_referral},
)
def _decisions(children: QuerySet[Child]) -> Iterator[Item]:
    pending = Referral.objects.filter(
        child__in=children, decision__isnull=True, withdrawn_at__isnull=True
    ).only("pk", "child_id", "received_at")
    for r in pending:
        yield Item(
            r.child_id,
            r.pk,
            r.received_at,
            working_time.decision_due(r.received_at),
            f"/referrals/{r.pk}/decision",
        )


@source(
    "strategy_discussion",
    "Strategy discussion (high risk)",
    models=_EPISODE_MODELS,
)
def _strategy_discussions(children: QuerySet[Child]) -> Iterator[Item]:
    latest = RiskChange.objects.filter(episode=OuterRef("pk"), withdrawn_at__isnull=True).order_by(
        "-effective_on", "-id"
    )
    # A strategy discussion is a meeting of that kind about the episode's child (its children
    # are linked after it is saved: `triage.store` refreshes them then).
    meetings = Meeting.objects.filter(
        kind=MeetingKind.STRATEGY_DISCUSSION, children=OuterRef("child_id")
    ).order_by("-held_at")
    episodes = (
        Episode.objects.filter(
            child__in=children, closed_on__isnull=True, withdrawn_at__isnull=True
        )
        .annotate(level=Subquery(latest.values("level")[:1]))
        .filter(level="high")
        .annotate(graded_at=Subquery(latest.values("recorded_at")[:1]))
        .annotate(last_meeting=Subquery(meetings.values("held_at")[:1]))
    )
    for episode in episodes:
        graded_at = episode.graded_at
        held = episode.last_meeting
        if held and held >= graded_at:
            continue
        due = working_time.strategy_discussion_due(graded_at)
        yield Item(episode.child_id, episode.pk, graded_at, due, f"/episodes/{episode.pk}")


@source(
    "return_interview",
    "Return home interview",
    models={MissingEpisode: _own},
    window=RETURN_INTERVIEW_WINDOW,
)
def _return_interviews(children: QuerySet[Child]) -> Iterator[Item]:
    returns = MissingEpisode.objects.filter(
        child__in=children,
        ended_at__isnull=False,
        return_interview_completed_at__isnull=True,
        withdrawn_at__isnull=True,
    )
    for m in returns:
        returned = m.ended_at
        assert returned is not None  # noqa: S101 - filtered above
        yield Item(
            m.child_id,
            m.pk,
            returned,
            working_time.return_interview_due(returned),
            f"/missing/{m.pk}",
        )


@source("review", "Episode review", models={**_EPISODE_MODELS, Review: _via_episode})
def _reviews(children: QuerySet[Child]) -> Iterator[Item]:
    episodes = Episode.objects.filter(
        child__in=children, closed_on__isnull=True, withdrawn_at__isnull=True
    ).annotate(last_review=Max("reviews__reviewed_on"))
    tz = timezone.get_current_timezone()
    for episode in episodes:
        since = episode.last_review or episode.opened_on
        due_date = working_time.review_due(since)
        start = dt.datetime.combine(since, dt.time(9), tzinfo=tz)
        due = dt.datetime.combine(due_date, dt.time(17), tzinfo=tz)
        yield Item(episode.child_id, episode.pk, start, due, f"/episodes/{episode.pk}")


@source("sign_off", "Sign-off by a hub manager", models={SignOffRequest: _own})
def _sign_offs(children: QuerySet[Child]) -> Iterator[Item]:
    waiting = SignOffRequest.objects.filter(child__in=children, status=SignOffStatus.WAITING)
    for r in waiting:
        link = f"/referrals/{r.referral_id}" if r.referral_id else f"/episodes/{r.episode_id}"
        due = working_time.add_working_days(r.requested_at, 1)
        yield Item(r.child_id, r.pk, r.requested_at, due, link)


@source("flag_review", "Warning flag review", models={WarningFlag: _own})
def _flag_reviews(children: QuerySet[Child]) -> Iterator[Item]:
    tz = timezone.get_current_timezone()
    for flag in flag_queries.current(children):
        due = dt.datetime.combine(flag.review_on, dt.time(17), tzinfo=tz)
        # Signed off after its review date (a flag due for review on the day it was raised).
        since = min(flag.signed_off_at or flag.raised_at, due)
        yield Item(flag.child_id, flag.pk, since, due, f"/flags/{flag.pk}")


@source("flag_sign_off", "Warning flag sign-off", models={WarningFlag: _own})
def _flag_sign_offs(children: QuerySet[Child]) -> Iterator[Item]:
    for flag in flag_queries.waiting_for_sign_off(children):
        due = working_time.decision_due(flag.raised_at)
        yield Item(flag.child_id, flag.pk, flag.raised_at, due, f"/flags/{flag.pk}/sign-off")


def _pathway(kind: str) -> Callable[[QuerySet[Child]], Iterator[Item]]:
    def compute(children: QuerySet[Child]) -> Iterator[Item]:
        for referral in partnership_queries.waiting(children):
            due = partnership_queries.due_of(referral)
            if due is not None and due.kind == kind:
                link = f"/pathway/{referral.pk}"
                yield Item(referral.child_id, referral.pk, due.start, due.due, link)

    return compute


for _kind, _label in partnership_queries.DUE_LABELS.items():
    source(_kind, _label, models={PathwayReferral: _own})(_pathway(_kind))


def _first_child_of_meeting(obj: models.Model) -> int | None:
    """An action is listed once, against the first child its meeting discussed (by record
    number); the link goes to the meeting, which names them all."""
    return (
        Meeting.children.through.objects.filter(meeting_id=getattr(obj, "meeting_id", 0))
        .order_by("child_id")
        .values_list("child_id", flat=True)
        .first()
    )


@source("meeting_action", "Action from a meeting", models={MeetingAction: _first_child_of_meeting})
def _meeting_actions(children: QuerySet[Child]) -> Iterator[Item]:
    tz = timezone.get_current_timezone()
    held = set(children.values_list("pk", flat=True))
    actions = meeting_queries.open_actions().filter(meeting__children__in=children).distinct()
    for action in actions:
        child_id = _first_child_of_meeting(action)
        if child_id not in held:
            continue
        due = dt.datetime.combine(action.due_on, dt.time(17), tzinfo=tz)
        start = min(action.meeting.held_at, due)
        yield Item(child_id, action.pk, start, due, f"/meetings/{action.meeting_id}")


def windowed(now: dt.datetime) -> Q:
    """Leaves out items past their source's window (a return interview chased 28 days)."""
    q = Q()
    for s in SOURCES.values():
        if s.window is not None:
            q &= ~Q(kind=s.kind, start__lt=now - s.window)
    return q
