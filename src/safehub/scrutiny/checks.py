"""The scheduled check that tells an overdue scrutiny action's owners, once per action."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from safehub.access.models import User
from safehub.notifications.schedule import periodic
from safehub.notifications.services import notify
from safehub.scrutiny.models import FINISHED, ScrutinyAction


@periodic("scrutiny-actions-overdue", every=dt.timedelta(hours=6))
def scrutiny_actions_overdue(now: dt.datetime) -> int:
    """Everyone active who holds the action's owner role is told once (keyed by the action and
    its due date, so a new due date that passes tells them again): the owner is a post, and
    whoever holds that role in Safehub answers for it to the committee."""
    today = timezone.localdate(now)
    overdue = ScrutinyAction.objects.filter(due_on__lt=today).exclude(status__in=FINISHED)
    told = 0
    for action in overdue.order_by("pk"):
        holders = list(User.objects.filter(role=action.owner_role, is_active=True))
        told += notify(
            recipients=holders,
            kind="scrutiny_action:overdue",
            key=f"scrutiny-action:{action.pk}:overdue:{action.due_on.isoformat()}",
            title="A committee's action is overdue",
            link=f"/scrutiny/actions/{action.pk}",
            reference=action.reference,
        )
    return told
