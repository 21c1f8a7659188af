"""Scrutiny pages: committee meetings, their resolutions and actions, and progress updates.

Analysts and hub managers record; elected members read. The pages hold no child data.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from safehub.access.policy import can, require
from safehub.govuk.forms import apply_errors
from safehub.scrutiny import queries, services
from safehub.scrutiny.forms import ActionForm, MeetingForm, ProgressForm, ResolutionForm


def _form_page(request: HttpRequest, form: Form, **context: Any) -> HttpResponse:
    return TemplateResponse(request, "scrutiny/form.html", {"form": form, **context})


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    meetings = queries.meetings(request.user)
    return TemplateResponse(
        request,
        "scrutiny/index.html",
        {"meetings": meetings, "can_record": can(request.user, "scrutiny:record")},
    )


def new_meeting(request: HttpRequest) -> HttpResponse:
    require(request.user, "scrutiny:record")
    form = MeetingForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.record_meeting(**form.cleaned_data, acting_user=request.user)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Meeting recorded")
            return redirect(f"/scrutiny/meetings/{meeting.pk}")
    return _form_page(request, form, title="Record a committee meeting", back="/scrutiny/")


@require_GET
def meeting_page(request: HttpRequest, committee_meeting_id: int) -> HttpResponse:
    meeting = queries.meeting(request.user, committee_meeting_id)
    return TemplateResponse(
        request,
        "scrutiny/meeting.html",
        {
            "meeting": meeting,
            "today": timezone.localdate(),
            "can_record": can(request.user, "scrutiny:record"),
        },
    )


def new_resolution(request: HttpRequest, committee_meeting_id: int) -> HttpResponse:
    meeting = queries.meeting(request.user, committee_meeting_id)
    require(request.user, "scrutiny:record")
    next_number = max((r.number for r in meeting.resolutions.all()), default=0) + 1
    form = ResolutionForm(
        request.POST if request.method == "POST" else None, initial={"number": next_number}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.add_resolution(meeting, **form.cleaned_data, acting_user=request.user)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Resolution recorded")
            return redirect(f"/scrutiny/meetings/{meeting.pk}")
    back = f"/scrutiny/meetings/{meeting.pk}"
    return _form_page(request, form, title="Add a resolution", caption=meeting, back=back)


def new_action(request: HttpRequest, resolution_id: int) -> HttpResponse:
    resolution = queries.resolution(request.user, resolution_id)
    require(request.user, "scrutiny:record")
    form = ActionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            action = services.add_action(resolution, **form.cleaned_data, acting_user=request.user)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Action {action.reference} recorded")
            return redirect(f"/scrutiny/actions/{action.pk}")
    return _form_page(
        request,
        form,
        title=f"Add an action to resolution {resolution.number}",
        caption=resolution.meeting,
        back=f"/scrutiny/meetings/{resolution.meeting_id}",
    )


@require_GET
def action_page(request: HttpRequest, scrutiny_action_id: int) -> HttpResponse:
    action = queries.action(request.user, scrutiny_action_id)
    return TemplateResponse(
        request,
        "scrutiny/action.html",
        {
            "action": action,
            "meeting": action.resolution.meeting,
            "overdue": action.is_overdue(timezone.localdate()),
            "can_record": can(request.user, "scrutiny:record"),
        },
    )


def record_progress(request: HttpRequest, scrutiny_action_id: int) -> HttpResponse:
    action = queries.action(request.user, scrutiny_action_id)
    require(request.user, "scrutiny:record")
    form = ProgressForm(
        request.POST if request.method == "POST" else None,
        initial={"status": action.status, "reported_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.record_progress(action, **form.cleaned_data, acting_user=request.user)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Progress recorded")
            return redirect(f"/scrutiny/actions/{action.pk}")
    return _form_page(
        request,
        form,
        title=f"Record progress on {action.reference}",
        caption=action.resolution.meeting,
        back=f"/scrutiny/actions/{action.pk}",
    )
