"""Pages for sharing, break-glass, the managers' review queue and a child's access log."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone

from safehub.access.policy import OutOfScopeError, require
from safehub.access.sessions import require_recent_authentication
from safehub.audit.models import AuditEvent
from safehub.govuk.forms import apply_errors
from safehub.people import queries, sharing
from safehub.people.access_log import collapse
from safehub.people.forms import BreakGlassForm, BreakGlassReviewForm, RevokeForm, ShareForm
from safehub.people.models import Share


def share(request: HttpRequest, child_id: int) -> HttpResponse:
    child = queries.get_child(request.user, child_id)
    require(request.user, "child:share", child)
    initial = {"expires_on": timezone.localdate() + dt.timedelta(days=90)}
    form = ShareForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            sharing.share_child(child, acting_user=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Shared with {form.cleaned_data['agency']}")
            return redirect(f"/children/{child.pk}#shares")
    return TemplateResponse(
        request,
        "people/child_change_form.html",
        {"form": form, "child": child, "title": "Share with an agency"},
    )


def revoke(request: HttpRequest, share_id: int) -> HttpResponse:
    record = Share.objects.filter(pk=share_id).select_related("child").first()
    if record is None:
        raise OutOfScopeError("people.share", str(share_id))
    child = queries.get_child(request.user, record.child_id)
    require(request.user, "child:share", child)
    form = RevokeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            sharing.revoke_share(
                record, reason=form.cleaned_data["reason"], acting_user=request.user
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Share with {record.agency} revoked")
            return redirect(f"/children/{child.pk}#shares")
    return TemplateResponse(
        request,
        "people/child_change_form.html",
        {"form": form, "child": child, "title": f"Revoke the share with {record.agency}"},
    )


SHARED_PAGE = 50


def shared_with_me(request: HttpRequest) -> HttpResponse:
    """A partner worker's list: the children shared with their agency today, 50 a page."""
    rows, page = queries.shared_with_me(
        request.user, page=request.GET.get("page"), size=SHARED_PAGE
    )
    return TemplateResponse(request, "people/shared.html", {"rows": rows, "page": page})


@require_recent_authentication(max_age_minutes=5)
def emergency_access(request: HttpRequest) -> HttpResponse:
    """A partner worker asks for emergency access to a record not shared with their agency.

    Re-authentication first: a stolen, unlocked session must not be enough to break glass.
    They type the child's exact name and date of birth; there is nothing to browse, and no
    match looks the same as several.
    """
    require(request.user, "break_glass:use")
    form = BreakGlassForm(request.POST if request.method == "POST" else None)
    not_opened = False
    if request.method == "POST" and form.is_valid():
        try:
            grant = sharing.break_glass(acting_user=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            if grant is not None:
                messages.success(request, "You can see this record for the next hour")
                return redirect(f"/children/{grant.child_id}")
            not_opened = True
    return TemplateResponse(
        request, "people/break_glass.html", {"form": form, "not_opened": not_opened}
    )


def break_glass_queue(request: HttpRequest) -> HttpResponse:
    waiting, reviewed = queries.break_glass_queue(request.user)
    return TemplateResponse(
        request, "people/break_glass_queue.html", {"waiting": waiting, "reviewed": reviewed}
    )


def break_glass_review(request: HttpRequest, grant_id: int) -> HttpResponse:
    grant = queries.get_break_glass(request.user, grant_id)
    form = BreakGlassReviewForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            sharing.review_break_glass(
                grant,
                justified=form.cleaned_data["justified"],
                note=form.cleaned_data["note"],
                acting_user=request.user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Review recorded")
            return redirect("/access/break-glass")
    during = AuditEvent.objects.filter(
        actor_id=grant.user_id,
        occurred_at__gte=grant.granted_at,
        occurred_at__lte=grant.expires_at,
    ).select_related("actor", "actor_agency")
    return TemplateResponse(
        request,
        "people/break_glass_review.html",
        {
            "form": form,
            "grant": grant,
            "viewed": collapse(during.order_by("occurred_at", "pk")[:500]),
        },
    )


def access_log(request: HttpRequest, child_id: int) -> HttpResponse:
    """Who has looked at this child's record: views, denials and break-glass, newest first."""
    child = queries.get_child(request.user, child_id)
    events = queries.access_log(request.user, child)
    return TemplateResponse(
        request, "people/access_log.html", {"child": child, "lines": collapse(events)}
    )
