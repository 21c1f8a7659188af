"""Scoped reads of meetings and their actions.

Partner workers see no meeting: a meeting discusses several children and the hub's
intelligence, and a share discloses sections of one child's record, not the hub's analysis (the
same reasoning as the chronology). Hub roles see every meeting (they see every child), and the
persons of concern named in it only when they hold "person_of_concern:view".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from safehub.access.models import Agency
from safehub.access.policy import OutOfScopeError, Principal, can, require
from safehub.audit import services as audit
from safehub.intelligence.models import LocationOfConcern, PersonOfConcern
from safehub.meetings.models import ActionStatus, Meeting, MeetingAction
from safehub.people.models import Child
from safehub.people.queries import children_for

LIST_LIMIT = 200


@dataclass(frozen=True)
class MeetingView:
    """A meeting with what the reader may see of it."""

    meeting: Meeting
    agencies: list[Agency]
    children: list[Child]
    locations: list[LocationOfConcern]
    persons: list[PersonOfConcern] | None  # None: the reader may not see persons of concern
    actions: list[MeetingAction]


def _scope(user: Principal) -> QuerySet[Meeting]:
    if not can(user, "meeting:view"):
        return Meeting.objects.none()
    return Meeting.objects.all()


def get_meeting(user: Principal, meeting_id: int, *, purpose: str = "viewed") -> MeetingView:
    """One meeting and its parts in the reader's scope, or 404; the read and each child named
    are audited."""
    meeting = _scope(user).filter(pk=meeting_id).select_related("chair", "recorded_by").first()
    if meeting is None:
        raise OutOfScopeError("meetings.meeting", str(meeting_id))
    children = list(
        children_for(user).filter(meetings=meeting).order_by("family_name", "given_name", "pk")
    )
    view = MeetingView(
        meeting=meeting,
        agencies=list(meeting.agencies.order_by("name")),
        children=children,
        locations=list(meeting.locations.order_by("name")) if can(user, "location:view") else [],
        persons=list(meeting.persons.order_by("name"))
        if can(user, "person_of_concern:view")
        else None,
        actions=list(meeting.actions.select_related("owner").order_by("due_on", "id")),
    )
    audit.write(user, f"meeting:{purpose}", meeting)
    audit.write_each(user, "child:listed", children, context=f"meeting:{purpose}")
    return view


def list_meetings(user: Principal) -> list[Meeting]:
    """The most recent meetings, newest first (no child named in the list, so no child read)."""
    require(user, "meeting:view")
    meetings = list(_scope(user).select_related("chair").prefetch_related("agencies")[:LIST_LIMIT])
    audit.write(user, "meeting:listed", object_type="meetings", object_id=str(len(meetings)))
    return meetings


def meetings_of_child(child: Child) -> QuerySet[Meeting]:
    """The meetings that discussed a child, for the child's timeline and chronology.

    The caller has read the child in scope and shows these only to hub roles."""
    return child.meetings.all()


def get_action(user: Principal, action_id: int) -> MeetingAction:
    action = (
        MeetingAction.objects.filter(pk=action_id, meeting__in=_scope(user))
        .select_related("meeting", "owner")
        .first()
    )
    if action is None:
        raise OutOfScopeError("meetings.meetingaction", str(action_id))
    return action


def open_actions(*, owner: Principal | None = None) -> QuerySet[MeetingAction]:
    actions = MeetingAction.objects.filter(status=ActionStatus.OPEN)
    if owner is not None:
        actions = actions.filter(owner_id=getattr(owner, "pk", None))
    return actions.select_related("meeting", "owner")


def my_actions(user: Principal) -> list[MeetingAction]:
    """The reader's own open actions from meetings, soonest due first: their home page."""
    if not can(user, "meeting:view"):
        return []
    return list(open_actions(owner=user).order_by("due_on", "id"))


def actions_due(children: QuerySet[Child], today: dt.date | None = None) -> list[MeetingAction]:
    """Open actions due today or overdue from meetings about children in scope: the triage
    queue's source (an action without a child in scope waits on its owner's home page)."""
    today = today or timezone.localdate()
    return list(
        open_actions()
        .filter(due_on__lte=today, meeting__children__in=children)
        .distinct()
        .order_by("due_on", "id")
    )


def first_child_in(action: MeetingAction, children: QuerySet[Child]) -> Child | None:
    return (
        children.filter(meetings=action.meeting_id)
        .order_by("family_name", "given_name", "pk")
        .first()
    )
