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
from safehub.audit import services as audit
from safehub.audit.models import AuditEvent
from safehub.govuk.forms import apply_errors
from safehub.people import queries, sharing
from safehub.people.forms import BreakGlassForm, BreakGlassReviewForm, RevokeForm, ShareForm
from safehub.people.models import BreakGlass, Share


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


def shared_with_me(request: HttpRequest) -> HttpResponse:
    """A partner worker's list: the children shared with their agency today."""
    require(request.user, "child:shared:list")
    children = list(queries.children_for(request.user).order_by("family_name", "given_name")[:200])
    if children:
        audit.write(
            request.user,
            "child:listed",
            object_type="people.child",
            object_id=str(len(children)),
            reason=",".join(str(c.pk) for c in children)[:500],
        )
    return TemplateResponse(request, "people/shared.html", {"children": children})


@require_recent_authentication(max_age_minutes=5)
def break_glass(request: HttpRequest, child_id: int) -> HttpResponse:
    """Re-authentication first: a stolen, unlocked session must not be enough to break glass."""
    require(request.user, "break_glass:use")
    form = BreakGlassForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            sharing.break_glass(
                child_id, reason=form.cleaned_data["reason"], acting_user=request.user
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "You can see this record for the next hour")
            return redirect(f"/children/{child_id}")
    return TemplateResponse(
        request, "people/break_glass.html", {"form": form, "child_id": child_id}
    )


def break_glass_queue(request: HttpRequest) -> HttpResponse:
    require(request.user, "break_glass:review")
    grants = BreakGlass.objects.select_related("user", "user__agency", "child")
    return TemplateResponse(
        request,
        "people/break_glass_queue.html",
        {
            "waiting": grants.filter(reviewed_at__isnull=True),
            "reviewed": grants.filter(reviewed_at__isnull=False)[:50],
        },
    )


def break_glass_review(request: HttpRequest, grant_id: int) -> HttpResponse:
    require(request.user, "break_glass:review")
    grant = BreakGlass.objects.select_related("user", "child").filter(pk=grant_id).first()
    if grant is None:
        raise OutOfScopeError("people.breakglass", str(grant_id))
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
    return TemplateResponse(
        request, "people/break_glass_review.html", {"form": form, "grant": grant}
    )


def access_log(request: HttpRequest, child_id: int) -> HttpResponse:
    """Who has looked at this child's record: views, denials and break-glass, newest first."""
    child = queries.get_child(request.user, child_id)
    require(request.user, "child:access_log:view", child)
    events = (
        AuditEvent.objects.filter(object_type="people.child", object_id=str(child.pk))
        .select_related("actor", "actor_agency")
        .order_by("-occurred_at")[:500]
    )
    return TemplateResponse(request, "people/access_log.html", {"child": child, "events": events})
