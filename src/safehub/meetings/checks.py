"""Scheduled check: tell an action's owner, once, that an action from a meeting is overdue."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from safehub.meetings.queries import open_actions
from safehub.notifications.schedule import periodic
from safehub.notifications.services import notify


@periodic("meeting-actions-overdue", every=dt.timedelta(hours=1))
def meeting_actions_overdue(now: dt.datetime) -> int:
    """Each open action past its due date notifies its owner once (keyed by the action)."""
    today = timezone.localtime(now).date()
    return sum(
        notify(
            recipients=[action.owner],
            kind="meeting:action:overdue",
            key=f"meeting-action:{action.pk}:overdue",
            title="An action from a meeting is overdue",
            link=f"/meetings/{action.meeting_id}",
            reference=action.meeting.reference,
        )
        for action in open_actions().filter(due_on__lt=today, owner__is_active=True)
    )
