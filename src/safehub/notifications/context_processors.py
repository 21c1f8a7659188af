from __future__ import annotations

from django.http import HttpRequest

from safehub.access.sessions import is_verified
from safehub.notifications.queries import unread_count


def unread(request: HttpRequest) -> dict[str, object]:
    """The unread count in the header of every page (one indexed COUNT, only when signed in)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not is_verified(request):
        return {"unread_notifications": None}
    return {"unread_notifications": unread_count(user)}
