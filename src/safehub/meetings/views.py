"""Meeting pages: the list, recording a meeting, its page, its actions and the minutes PDF."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET

from safehub.access.policy import can, require
from safehub.access.sessions import reauthentication_needed
from safehub.episodes import queries as episode_queries
from safehub.episodes.models import Episode
from safehub.govuk.forms import apply_errors
from safehub.intelligence import queries as intelligence_queries
from safehub.meetings import export, queries, services
from safehub.meetings.forms import ActionForm, ActionStatusForm, MeetingForm
from safehub.people.queries import children_for


@require_GET
def meeting_list(request: HttpRequest) -> HttpResponse:
    meetings = queries.list_meetings(request.user)
    return TemplateResponse(
        request,
        "meetings/list.html",
        {"meetings": meetings, "can_record": can(request.user, "meeting:record")},
    )


def _episode_named(request: HttpRequest) -> Episode | None:
    """The episode a strategy discussion is recorded for (the episode page's link names it),
    read in the user's scope and audited; 404 when it is not there or not theirs to see."""
    raw = (request.POST if request.method == "POST" else request.GET).get("episode", "")
    if not raw:
        return None
    if not raw.isdigit():
        raise Http404("Not found")
    return episode_queries.get_episode(request.user, int(raw))


def new_meeting(request: HttpRequest) -> HttpResponse:
    require(request.user, "meeting:record")
    user = request.user
    episode = _episode_named(request)
    if episode is not None:
        # The episode's own forms need this too: a strategy discussion is recorded on it.
        require(user, "episode:update", episode)
    persons = (
        intelligence_queries.persons_for(user) if can(user, "person_of_concern:record") else None
    )
    locations = intelligence_queries.locations_for(user) if can(user, "location:view") else None
    initial = {"children": request.GET.get("child", ""), "kind": request.GET.get("kind", "")}
    form = MeetingForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        locations=locations,
        persons=persons,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        wanted = data["children"]
        found = list(children_for(user).filter(pk__in=wanted))
        if len(found) != len(wanted):
            form.add_error("children", "Enter children whose records you can see")
        else:
            try:
                meeting = services.record_meeting(
                    kind=data["kind"],
                    held_at=data["held_at"],
                    chair=data["chair"],
                    agencies=data["agencies"],
                    children=found,
                    decisions=data["decisions"],
                    locations=data.get("locations") or (),
                    persons=data.get("persons") or (),
                    episode=episode,
                    acting_user=user,
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(
                    request, f"{meeting.get_kind_display()} {meeting.reference} recorded"
                )
                return redirect(f"/meetings/{meeting.pk}")
    return TemplateResponse(
        request,
        "meetings/form.html",
        {
            "form": form,
            "title": "Record a strategy discussion" if episode else "Record a meeting",
            "caption": episode.child.full_name if episode else "",
            "back": f"/episodes/{episode.pk}" if episode else "/meetings",
            "episode": episode,
        },
    )


@require_GET
def meeting_page(request: HttpRequest, meeting_id: int) -> HttpResponse:
    view = queries.get_meeting(request.user, meeting_id)
    return TemplateResponse(
        request,
        "meetings/meeting.html",
        {
            "view": view,
            "meeting": view.meeting,
            "can_record": can(request.user, "meeting:record"),
            "can_export": can(request.user, "meeting:export"),
        },
    )


def new_action(request: HttpRequest, meeting_id: int) -> HttpResponse:
    require(request.user, "meeting:record")
    view = queries.get_meeting(request.user, meeting_id, purpose="viewed")
    form = ActionForm(
        request.POST if request.method == "POST" else None, initial={"owner": request.user.pk}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.add_action(view.meeting, **form.cleaned_data, acting_user=request.user)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Action added")
            return redirect(f"/meetings/{meeting_id}")
    return TemplateResponse(
        request,
        "meetings/form.html",
        {
            "form": form,
            "title": "Add an action",
            "caption": view.meeting.reference,
            "back": f"/meetings/{meeting_id}",
        },
    )


def action_status(request: HttpRequest, action_id: int) -> HttpResponse:
    require(request.user, "meeting:record")
    action = queries.get_action(request.user, action_id)
    form = ActionStatusForm(
        request.POST if request.method == "POST" else None, initial={"status": action.status}
    )
    if request.method == "POST" and form.is_valid():
        services.set_action_status(
            action, status=form.cleaned_data["status"], acting_user=request.user
        )
        messages.success(request, "Action updated")
        return redirect(f"/meetings/{action.meeting_id}")
    return TemplateResponse(
        request,
        "meetings/form.html",
        {
            "form": form,
            "title": "Update an action",
            "caption": action.text,
            "back": f"/meetings/{action.meeting_id}",
        },
    )


@require_GET
def minutes_pdf(request: HttpRequest, meeting_id: int) -> HttpResponse:
    require(request.user, "meeting:export")
    # A download leaves Safehub: the person must have signed in within 5 minutes.
    confirm = reauthentication_needed(request)
    if confirm:
        return HttpResponseRedirect(confirm)
    view = queries.get_meeting(request.user, meeting_id, purpose="exported:pdf")
    response = HttpResponse(export.to_pdf(view), content_type=export.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{export.file_name(view)}"'
    return response
