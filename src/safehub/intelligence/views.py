"""The intelligence pages: locations, persons of concern (restricted) and disruption activity.

Views read only through `intelligence.queries` and change data only through `intelligence.services`.
A person of concern reaches a page only through `queries.get_person`, so a role without
`person_of_concern:view` gets "Page not found" for every person URL, whatever the id.
"""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone

from safehub.access.policy import can, require
from safehub.geo.queries import ward_choices
from safehub.govuk.forms import apply_errors
from safehub.intelligence import queries, services
from safehub.intelligence.forms import (
    DisruptionForm,
    LinkChildForm,
    LinkChildToPersonForm,
    LinkLocationForm,
    LocationForm,
    PersonForm,
)
from safehub.people import queries as people_queries
from safehub.people.forms import ChildSearchForm
from safehub.people.models import Child


def _child_from_query(request: HttpRequest) -> Child | None:
    """The child named by `?child=<id>`, read (and audited) through the child's scope."""
    child_id = request.GET.get("child", "")
    if not child_id.isdecimal():
        return None
    return people_queries.get_child(request.user, int(child_id))


def intelligence(request: HttpRequest) -> HttpResponse:
    """Locations, disruption activity and — for restricted roles — persons of concern.

    With `?child=<id>` (from the child's page) each location and person offers a link to
    that child, so a practitioner chooses what to link without retyping ids.
    """
    require(request.user, "location:view")
    child = _child_from_query(request)
    locations = queries.list_locations(request.user)
    persons = queries.list_persons(request.user)
    disruptions = queries.list_disruptions(request.user)
    return TemplateResponse(
        request,
        "intelligence/intelligence.html",
        {
            "child": child,
            "locations": locations,
            "persons": persons,
            "disruptions": disruptions,
            "limit": queries.LIST_LIMIT,
            "can_see_persons": queries.can_see_persons(request.user),
            "can_record_persons": can(request.user, "person_of_concern:record"),
            "can_record_locations": can(request.user, "location:record"),
            "can_record_disruptions": can(request.user, "disruption:record"),
        },
    )


# --- locations ---------------------------------------------------------------------------------


def new_location(request: HttpRequest) -> HttpResponse:
    require(request.user, "location:record")
    form = LocationForm(
        request.POST if request.method == "POST" else None, wards=ward_choices(timezone.localdate())
    )
    if request.method == "POST" and form.is_valid():
        try:
            location = services.record_location(acting_user=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Location of concern recorded")
            return redirect(f"/intelligence/locations/{location.pk}")
    return TemplateResponse(request, "intelligence/location_form.html", {"form": form})


def location_page(request: HttpRequest, location_id: int) -> HttpResponse:
    location = queries.get_location(request.user, location_id)
    return TemplateResponse(
        request,
        "intelligence/location.html",
        {
            "location": location,
            "links": queries.location_links(request.user, location),
            "persons": queries.persons_at_location(request.user, location),
            "disruptions": queries.list_disruptions(request.user, location=location),
            "limit": queries.LIST_LIMIT,
            "can_see_persons": queries.can_see_persons(request.user),
            "can_record": can(request.user, "location:record"),
            "can_record_disruptions": can(request.user, "disruption:record"),
        },
    )


def link_child_to_location(request: HttpRequest, location_id: int) -> HttpResponse:
    location = queries.get_location(request.user, location_id)
    require(request.user, "location:record", location)
    child = _child_from_query(request)
    if child is None:
        return _choose_child(request, f"/intelligence/locations/{location.pk}", location.name)
    form = LinkChildForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.link_child_to_location(
                location, child, acting_user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"{child.full_name} linked to {location.name}")
            return redirect(f"/intelligence/locations/{location.pk}")
    return TemplateResponse(
        request,
        "intelligence/link_form.html",
        {
            "form": form,
            "child": child,
            "title": f"Link {child.full_name} to a location of concern",
            "target": location.name,
            "back": f"/intelligence/locations/{location.pk}",
        },
    )


def unlink_child_from_location(
    request: HttpRequest, location_id: int, child_id: int
) -> HttpResponse:
    link = queries.get_location_link(request.user, location_id, child_id)
    require(request.user, "location:record", link.location)
    back = f"/intelligence/locations/{location_id}"
    if request.method == "POST":
        services.unlink_child_from_location(link, acting_user=request.user)
        messages.success(request, "Link removed")
        return redirect(back)
    return TemplateResponse(
        request,
        "intelligence/unlink.html",
        {
            "title": f"Remove the link between {link.child.full_name} and {link.location.name}",
            "back": back,
        },
    )


# --- persons of concern (restricted) ----------------------------------------------------------


def new_person(request: HttpRequest) -> HttpResponse:
    require(request.user, "person_of_concern:record")
    form = PersonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.record_person(acting_user=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Person of concern recorded")
            return redirect(f"/intelligence/persons/{person.pk}")
    return TemplateResponse(request, "intelligence/person_form.html", {"form": form})


def person_page(request: HttpRequest, person_id: int) -> HttpResponse:
    person = queries.get_person(request.user, person_id)
    return TemplateResponse(
        request,
        "intelligence/person.html",
        {
            "person": person,
            "links": queries.person_links(request.user, person),
            "locations": queries.locations_of_person(request.user, person),
            "disruptions": queries.list_disruptions(request.user, person=person),
            "limit": queries.LIST_LIMIT,
            "can_record": can(request.user, "person_of_concern:record"),
            "can_record_disruptions": can(request.user, "disruption:record"),
        },
    )


def link_child_to_person(request: HttpRequest, person_id: int) -> HttpResponse:
    person = queries.get_person(request.user, person_id)
    require(request.user, "person_of_concern:record", person)
    child = _child_from_query(request)
    if child is None:
        return _choose_child(request, f"/intelligence/persons/{person.pk}", person.name)
    form = LinkChildToPersonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.link_child_to_person(
                person, child, acting_user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"{child.full_name} linked to {person.name}")
            return redirect(f"/intelligence/persons/{person.pk}")
    return TemplateResponse(
        request,
        "intelligence/link_form.html",
        {
            "form": form,
            "child": child,
            "title": f"Link {child.full_name} to a person of concern",
            "target": person.name,
            "back": f"/intelligence/persons/{person.pk}",
        },
    )


def unlink_child_from_person(request: HttpRequest, person_id: int, child_id: int) -> HttpResponse:
    link = queries.get_person_link(request.user, person_id, child_id)
    require(request.user, "person_of_concern:record", link.person)
    back = f"/intelligence/persons/{person_id}"
    if request.method == "POST":
        services.unlink_child_from_person(link, acting_user=request.user)
        messages.success(request, "Link removed")
        return redirect(back)
    return TemplateResponse(
        request,
        "intelligence/unlink.html",
        {
            "title": f"Remove the link between {link.child.full_name} and {link.person.name}",
            "back": back,
        },
    )


def link_location_to_person(request: HttpRequest, person_id: int) -> HttpResponse:
    person = queries.get_person(request.user, person_id)
    require(request.user, "person_of_concern:record", person)
    form = LinkLocationForm(
        request.POST if request.method == "POST" else None,
        locations=queries.location_choices(request.user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.link_person_to_location(person, acting_user=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Location linked")
            return redirect(f"/intelligence/persons/{person.pk}")
    return TemplateResponse(
        request,
        "intelligence/link_form.html",
        {
            "form": form,
            "title": "Link a location of concern",
            "target": person.name,
            "back": f"/intelligence/persons/{person.pk}",
        },
    )


def unlink_location_from_person(
    request: HttpRequest, person_id: int, location_id: int
) -> HttpResponse:
    link = queries.get_person_location_link(request.user, person_id, location_id)
    require(request.user, "person_of_concern:record", link.person)
    back = f"/intelligence/persons/{person_id}"
    if request.method == "POST":
        services.unlink_person_from_location(link, acting_user=request.user)
        messages.success(request, "Link removed")
        return redirect(back)
    return TemplateResponse(
        request,
        "intelligence/unlink.html",
        {
            "title": f"Remove the link between {link.person.name} and {link.location.name}",
            "back": back,
        },
    )


# --- disruption activity ----------------------------------------------------------------------


def new_disruption(request: HttpRequest) -> HttpResponse:
    """Record disruption activity, started from a location, a person or a child's page.

    The person is fixed by `?person=<id>` (read through `get_person`, so 404 for anyone who may
    not see persons); there is no menu of persons.
    """
    require(request.user, "disruption:record")
    person = location = None
    back = "/intelligence"
    if request.GET.get("person", "").isdecimal():
        person = queries.get_person(request.user, int(request.GET["person"]))
        require(request.user, "person_of_concern:record", person)
        back = f"/intelligence/persons/{person.pk}"
    if request.GET.get("location", "").isdecimal():
        location = queries.get_location(request.user, int(request.GET["location"]))
        back = f"/intelligence/locations/{location.pk}"
    child = _child_from_query(request)
    if child is not None and person is None and location is None:
        back = f"/children/{child.pk}"
    menu = None if location is not None else queries.location_choices(request.user)
    form = DisruptionForm(request.POST if request.method == "POST" else None, locations=menu)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        chosen = data.pop("location", None)
        try:
            services.record_disruption(
                acting_user=request.user,
                person=person,
                location=location or chosen,
                child=child,
                **data,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Disruption activity recorded")
            return redirect(back)
    return TemplateResponse(
        request,
        "intelligence/disruption_form.html",
        {"form": form, "person": person, "location": location, "child": child, "back": back},
    )


# --- shared ------------------------------------------------------------------------------------


def _choose_child(request: HttpRequest, back: str, target: str) -> HttpResponse:
    """Find the child to link, by the same search as "Find a child"."""
    form = ChildSearchForm(request.GET or None)
    results = form.results(partial(people_queries.search_children, request.user))
    return TemplateResponse(
        request,
        "intelligence/choose_child.html",
        {
            "form": form,
            "results": results,
            "back": back,
            "target": target,
            "limit": people_queries.SEARCH_LIMIT,
        },
    )
