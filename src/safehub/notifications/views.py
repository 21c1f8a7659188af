"""The notification inbox: the signed-in user's own notifications, nobody else's."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET, require_POST

from safehub.notifications import queries, services


@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    notes = list(queries.inbox_for(request.user))
    return TemplateResponse(
        request,
        "notifications/inbox.html",
        {"notes": notes, "unread": sum(1 for n in notes if n.read_at is None)},
    )


@require_POST
def read(request: HttpRequest, notification_id: int) -> HttpResponse:
    note = queries.get_notification(request.user, notification_id)
    services.mark_read(note, acting_user=request.user)
    if request.POST.get("open") == "1":
        return redirect(note.link)
    return redirect("notifications:inbox")


@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    count = services.mark_all_read(acting_user=request.user)  # type: ignore[arg-type]
    messages.success(request, f"{count} notification{'' if count == 1 else 's'} marked as read")
    return redirect("notifications:inbox")
