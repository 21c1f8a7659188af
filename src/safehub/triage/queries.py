"""What is due, for whom, by when: computed from the record, never stored.

Each due item applies one time rule from `safehub.rules.working_time`:

- a decision within 1 working day of a referral's receipt;
- a strategy discussion within 1 working day of a child being graded high risk;
- a return home interview within 72 hours of a child's return from a missing episode;
- an episode review every 12 weeks from opening or the last review;
- a warning flag's review by its review date (shown from two weeks before), and a new flag's
  sign-off by a hub manager within 1 working day;
- an action from a multi-agency meeting by its due date (shown from that day).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone

from safehub.access.policy import Principal, require
from safehub.audit import services as audit
from safehub.episodes.models import Episode, MissingEpisode, RiskChange
from safehub.flags import queries as flag_queries
from safehub.meetings import queries as meeting_queries
from safehub.meetings.models import Meeting, MeetingKind
from safehub.people.models import Child
from safehub.people.queries import children_for
from safehub.referrals.models import Referral
from safehub.rules import working_time
from safehub.rules.working_time import Rag

KINDS = {
    "decision": "Decision on referral",
    "strategy_discussion": "Strategy discussion (high risk)",
    "return_interview": "Return home interview",
    "review": "Episode review",
    "flag_review": "Warning flag review",
    "flag_sign_off": "Warning flag sign-off",
    "meeting_action": "Action from a meeting",
}
# Returns older than this are reported by the timeliness figures, not chased in the queue.
RETURN_INTERVIEW_WINDOW = dt.timedelta(days=28)


@dataclass(frozen=True)
class DueItem:
    kind: str
    child: Child
    due: dt.datetime
    rag: Rag
    remaining: dt.timedelta
    link: str

    @property
    def label(self) -> str:
        return KINDS[self.kind]

    @property
    def remaining_text(self) -> str:
        return working_time.describe_remaining(self.remaining)


def due_items(
    user: Principal,
    *,
    now: dt.datetime | None = None,
    kinds: Iterable[str] | None = None,
    rags: Iterable[str] | None = None,
    listed_as: str = "listed: triage",
) -> list[DueItem]:
    """Every open due item in the caller's scope, most urgent first.

    Each child named is audited as listed, once however many items name them, with
    `listed_as` saying which list (the queue page, the API).
    """
    require(user, "triage:view")
    now = now or timezone.now()
    wanted = set(kinds or KINDS)
    children = children_for(user)
    items: list[DueItem] = []
    if "decision" in wanted:
        items.extend(_decisions(children, now))
    if "strategy_discussion" in wanted:
        items.extend(_strategy_discussions(children, now))
    if "return_interview" in wanted:
        items.extend(_return_interviews(children, now))
    if "review" in wanted:
        items.extend(_reviews(children, now))
    items.extend(i for i in _flags(children, now) if i.kind in wanted)
    if "meeting_action" in wanted:
        items.extend(_meeting_actions(children, now))
    if rags:
        keep = {Rag(r) for r in rags}
        items = [i for i in items if i.rag in keep]
    items.sort(key=lambda i: (i.due, i.kind, i.child.pk))
    audit.write(user, "triage:viewed", object_type="triage", object_id=str(len(items)))
    named = {item.child.pk: item.child for item in items}
    audit.write_each(user, "child:listed", named.values(), context=listed_as)
    return items


def _item(  # noqa: PLR0913 - each is a column of the queue
    kind: str, child: Child, *, start: dt.datetime, due: dt.datetime, now: dt.datetime, link: str
) -> DueItem:
    return DueItem(
        kind=kind,
        child=child,
        due=due,
        rag=working_time.rag(now=now, due=due, period_start=start),
        remaining=working_time.time_remaining(now, due),
        link=link,
    )


def _decisions(children: object, now: dt.datetime) -> list[DueItem]:
    pending = Referral.objects.filter(
        child__in=children, decision__isnull=True, withdrawn_at__isnull=True
    ).select_related("child")
    return [
        _item(
            "decision",
            r.child,
            start=r.received_at,
            due=working_time.decision_due(r.received_at),
            now=now,
            link=f"/referrals/{r.pk}/decision",
        )
        for r in pending
    ]


# A meeting of kind "strategy discussion" about the episode's child counts as one too.
_strategy_meetings = Meeting.objects.filter(
    kind=MeetingKind.STRATEGY_DISCUSSION, children=OuterRef("child_id")
).order_by("-held_at")


def _strategy_discussions(children: object, now: dt.datetime) -> list[DueItem]:
    latest = RiskChange.objects.filter(episode=OuterRef("pk"), withdrawn_at__isnull=True).order_by(
        "-effective_on", "-id"
    )
    episodes = (
        Episode.objects.filter(
            child__in=children, closed_on__isnull=True, withdrawn_at__isnull=True
        )
        .annotate(level=Subquery(latest.values("level")[:1]))
        .filter(level="high")
        .annotate(graded_at=Subquery(latest.values("recorded_at")[:1]))
        .annotate(last_discussion=Max("strategy_discussions__held_at"))
        .annotate(last_meeting=Subquery(_strategy_meetings.values("held_at")[:1]))
        .select_related("child")
    )
    items = []
    for episode in episodes:
        graded_at = episode.graded_at
        held = max(
            (t for t in (episode.last_discussion, episode.last_meeting) if t is not None),
            default=None,
        )
        if held and held >= graded_at:
            continue
        due = working_time.strategy_discussion_due(graded_at)
        items.append(
            _item(
                "strategy_discussion",
                episode.child,
                start=graded_at,
                due=due,
                now=now,
                link=f"/episodes/{episode.pk}",
            )
        )
    return items


def _meeting_actions(children: Any, now: dt.datetime) -> list[DueItem]:
    """Open actions from meetings, due today or overdue, shown against the first child of the
    meeting in scope; the link goes to the meeting."""
    tz = timezone.get_current_timezone()
    items = []
    for action in meeting_queries.actions_due(children, timezone.localtime(now).date()):
        child = meeting_queries.first_child_in(action, children)
        if child is None:
            continue
        due = dt.datetime.combine(action.due_on, dt.time(17), tzinfo=tz)
        items.append(
            _item(
                "meeting_action",
                child,
                start=min(action.meeting.held_at, due),
                due=due,
                now=now,
                link=f"/meetings/{action.meeting_id}",
            )
        )
    return items


def _return_interviews(children: object, now: dt.datetime) -> list[DueItem]:
    returns = MissingEpisode.objects.filter(
        child__in=children,
        ended_at__isnull=False,
        ended_at__gte=now - RETURN_INTERVIEW_WINDOW,
        return_interview_completed_at__isnull=True,
        withdrawn_at__isnull=True,
    ).select_related("child")
    items = []
    for m in returns:
        returned = m.ended_at
        assert returned is not None  # noqa: S101 - filtered above
        items.append(
            _item(
                "return_interview",
                m.child,
                start=returned,
                due=working_time.return_interview_due(returned),
                now=now,
                link=f"/missing/{m.pk}",
            )
        )
    return items


def _reviews(children: object, now: dt.datetime) -> list[DueItem]:
    episodes = (
        Episode.objects.filter(
            child__in=children, closed_on__isnull=True, withdrawn_at__isnull=True
        )
        .annotate(last_review=Max("reviews__reviewed_on"))
        .select_related("child")
    )
    items = []
    tz = timezone.get_current_timezone()
    for episode in episodes:
        since = episode.last_review or episode.opened_on
        due_date = working_time.review_due(since)
        start = dt.datetime.combine(since, dt.time(9), tzinfo=tz)
        due = dt.datetime.combine(due_date, dt.time(17), tzinfo=tz)
        items.append(
            _item(
                "review",
                episode.child,
                start=start,
                due=due,
                now=now,
                link=f"/episodes/{episode.pk}",
            )
        )
    return items


def _flags(children: Any, now: dt.datetime) -> list[DueItem]:
    """Warning flags: reviews overdue or due within two weeks, and sign-offs waiting."""
    tz = timezone.get_current_timezone()
    items = []
    for flag in flag_queries.reviews_due(children, timezone.localdate(now)):
        due = dt.datetime.combine(flag.review_on, dt.time(17), tzinfo=tz)
        # Signed off after its review date (a flag due for review on the day it was raised).
        since = min(flag.signed_off_at or flag.raised_at, due)
        link = f"/flags/{flag.pk}"
        items.append(_item("flag_review", flag.child, start=since, due=due, now=now, link=link))
    for flag in flag_queries.waiting_for_sign_off(children):
        due = working_time.decision_due(flag.raised_at)
        link = f"/flags/{flag.pk}/sign-off"
        items.append(
            _item("flag_sign_off", flag.child, start=flag.raised_at, due=due, now=now, link=link)
        )
    return items
