"""A child's chronology: the page (marking and analysis), and its PDF and CSV downloads."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from safehub.access.policy import can, require
from safehub.access.sessions import reauthentication_needed
from safehub.casefile import chronology, chronology_export, services
from safehub.casefile.forms import AsOfForm
from safehub.people import queries as people_queries
from safehub.people import services as people_services
from safehub.people.models import Child
from safehub.rules import plausibility


def _on(request: HttpRequest, child: Child) -> tuple[dt.date, AsOfForm]:
    """The day asked for (`?on=YYYY-MM-DD` or the date boxes), as on the child page."""
    data = request.GET.copy()
    asked = data.pop("on", [None])[-1]
    if asked:
        try:
            day = dt.date.fromisoformat(asked)
        except ValueError:
            day = None
        if day is not None:
            data.update({"on_0": str(day.day), "on_1": str(day.month), "on_2": str(day.year)})
        else:
            data.update({"on_0": asked, "on_1": "", "on_2": ""})
    form = AsOfForm(data if any(k.startswith("on_") for k in data) else None)
    on = timezone.localdate()
    if form.is_bound and form.is_valid():
        problems = plausibility.after_birth(
            "on", form.cleaned_data["on"], people_services.birth_of(child), label="The date"
        )
        for field, message in problems:
            form.add_error(field, message)
        if not problems:
            on = form.cleaned_data["on"]
    return on, form


def chronology_page(request: HttpRequest, child_id: int) -> HttpResponse:
    child = people_queries.get_child(request.user, child_id, purpose="chronology:viewed")
    require(request.user, "chronology:view", child)
    on, as_of_form = _on(request, child)
    today = timezone.localdate()
    error = ""
    if request.method == "POST":
        require(request.user, "chronology:mark", child)
        try:
            _save(request, child)
        except ValidationError as problem:
            error = "; ".join(problem.messages)
        else:
            messages.success(request, "Chronology saved")
            return redirect(f"/children/{child.pk}/chronology")
    record = chronology.chronology_for(request.user, child, on)
    query = "" if on == today else f"?on={on.isoformat()}"
    return TemplateResponse(
        request,
        "casefile/chronology.html",
        {
            "child": child,
            "chronology": record,
            "as_of_form": as_of_form,
            "historical": on != today,
            "can_mark": on == today and can(request.user, "chronology:mark"),
            "query": query,
            "error": error,
        },
    )


def _save(request: HttpRequest, child: Child) -> None:
    posted: Any = request.POST
    keys = posted.getlist("event")
    if not keys and "analysis" not in posted:
        raise ValidationError("Nothing to save: reload the page and try again")
    marks = {
        key: (posted.get(f"significant:{key}") == "yes", posted.get(f"why:{key}", ""))
        for key in keys
    }
    services.mark_events(child, marks, acting_user=request.user)
    if "analysis" in posted:
        version = posted.get("analysis_version", "")
        services.save_analysis(
            child,
            text=posted.get("analysis", ""),
            expected_version=int(version) if version.isdigit() else None,
            acting_user=request.user,
        )


@require_GET
def chronology_download(request: HttpRequest, child_id: int, fmt: str) -> HttpResponse:
    child = people_queries.get_child(request.user, child_id, purpose=f"chronology:exported:{fmt}")
    require(request.user, "chronology:export", child)
    # A download leaves Safehub: the person must have signed in within 5 minutes.
    confirm = reauthentication_needed(request)
    if confirm:
        return HttpResponseRedirect(confirm)
    on, _ = _on(request, child)
    record = chronology.chronology_for(request.user, child, on)
    content = chronology_export.to_pdf(record) if fmt == "pdf" else chronology_export.to_csv(record)
    response = HttpResponse(content, content_type=chronology_export.CONTENT_TYPES[fmt])
    name = chronology_export.file_name(record, fmt)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def chronology_pdf(request: HttpRequest, child_id: int) -> HttpResponse:
    return chronology_download(request, child_id, "pdf")


def chronology_csv(request: HttpRequest, child_id: int) -> HttpResponse:
    return chronology_download(request, child_id, "csv")
