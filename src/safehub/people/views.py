"""Finding a child, registering one, and the child's page (now, or as it stood on a date)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone

from safehub.access.policy import require
from safehub.geo.queries import wards_on
from safehub.govuk.forms import apply_errors
from safehub.people import queries, services
from safehub.people.forms import ChildForm, ChildSearchForm, NoteForm


def search(request: HttpRequest) -> HttpResponse:
    require(request.user, "child:search")
    form = ChildSearchForm(request.GET or None)
    results = None
    if form.is_bound and form.is_valid():
        results = queries.search_children(
            request.user,
            name=form.cleaned_data["name"],
            date_of_birth=form.cleaned_data["date_of_birth"],
            nhs_number=form.cleaned_data["nhs_number"],
        )
    return TemplateResponse(
        request,
        "people/search.html",
        {"form": form, "results": results, "limit": queries.SEARCH_LIMIT},
    )


def _ward_choices() -> list[tuple[str, str]]:
    return [(w.code, f"{w.name} ({w.area_committee.name})") for w in wards_on(timezone.localdate())]


def new_child(request: HttpRequest) -> HttpResponse:
    require(request.user, "child:create")
    form = ChildForm(request.POST or None, wards=_ward_choices())
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        postcode, ward_code = data.pop("postcode"), data.pop("ward_code")
        try:
            child = services.register_child(acting_user=request.user, **data)
            if postcode or ward_code:
                services.record_address(
                    child,
                    valid_from=timezone.localdate(),
                    postcode=postcode,
                    ward_code=ward_code,
                    acting_user=request.user,
                )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            if request.GET.get("then") == "referral":
                return redirect(f"/referrals/new?child={child.pk}")
            return redirect(f"/children/{child.pk}")
    return TemplateResponse(request, "people/child_form.html", {"form": form})


def add_note(request: HttpRequest, child_id: int) -> HttpResponse:
    child = queries.get_child(request.user, child_id, purpose="viewed")
    form = NoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_case_note(child, text=form.cleaned_data["text"], acting_user=request.user)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return redirect(f"/children/{child.pk}")
    return TemplateResponse(request, "people/note_form.html", {"form": form, "child": child})
