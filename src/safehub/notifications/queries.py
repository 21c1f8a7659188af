"""Reading notifications: only ever the caller's own."""

from __future__ import annotations

from django.db.models import QuerySet

from safehub.access.policy import OutOfScopeError, Principal, require, user_or_none
from safehub.notifications.models import Notification

INBOX_LIMIT = 200


def unread_count(user: Principal) -> int:
    """For the header of every page: one COUNT over the partial index of unread rows."""
    account = user_or_none(user)
    if account is None:
        return 0
    return Notification.objects.filter(recipient=account, read_at__isnull=True).count()


def inbox_for(user: Principal) -> QuerySet[Notification]:
    """The caller's notifications, newest first (the latest INBOX_LIMIT)."""
    require(user, "notifications:view")
    account = user_or_none(user)
    if account is None:
        return Notification.objects.none()
    return Notification.objects.filter(recipient=account)[:INBOX_LIMIT]


def get_notification(user: Principal, notification_id: int) -> Notification:
    """One of the caller's notifications; anyone else's is "not found" (and audited so)."""
    require(user, "notifications:view")
    note = Notification.objects.filter(pk=notification_id, recipient_id=getattr(user, "pk", None))
    found = note.first()
    if found is None:
        raise OutOfScopeError("notifications.notification", str(notification_id))
    return found
