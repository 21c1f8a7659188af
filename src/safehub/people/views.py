"""Finding a child, registering one, and changing the facts on their record."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone

from safehub.access.policy import require
from safehub.geo.queries import ward_choices
from safehub.govuk.forms import apply_errors
from safehub.people import queries, services
from safehub.people.forms import (
    AddressForm,
    AliasForm,
    CarePeriodForm,
    ChildForm,
    NoteForm,
)
from safehub.people.models import Child


def new_child(request: HttpRequest) -> HttpResponse:
    require(request.user, "child:create")
    form = ChildForm(
        request.POST if request.method == "POST" else None, wards=ward_choices(timezone.localdate())
    )
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
            messages.success(request, f"{child.full_name} recorded")
            if request.GET.get("then") == "referral":
                return redirect(f"/referrals/new?child={child.pk}")
            return redirect(f"/children/{child.pk}")
    return TemplateResponse(request, "people/child_form.html", {"form": form})


def _child_form_page(
    request: HttpRequest,
    child_id: int,
    form: forms.Form,
    title: str,
    save: Callable[[Child], str],
) -> HttpResponse:
    """`save` records the change and returns what the success banner says."""
    child = queries.get_child(request.user, child_id)
    if request.method == "POST" and form.is_valid():
        try:
            saved = save(child)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, saved)
            return redirect(f"/children/{child.pk}")
    return TemplateResponse(
        request, "people/child_change_form.html", {"form": form, "child": child, "title": title}
    )


def add_address(request: HttpRequest, child_id: int) -> HttpResponse:
    form = AddressForm(
        request.POST if request.method == "POST" else None, wards=ward_choices(timezone.localdate())
    )

    def save(child: Child) -> str:
        services.record_address(
            child,
            valid_from=form.cleaned_data["valid_from"],
            postcode=form.cleaned_data["postcode"],
            ward_code=form.cleaned_data["ward_code"],
            address=form.cleaned_data["address"],
            acting_user=request.user,
        )
        return "Address recorded"

    return _child_form_page(request, child_id, form, "Record a new address", save)


def add_care_period(request: HttpRequest, child_id: int) -> HttpResponse:
    form = CarePeriodForm(request.POST if request.method == "POST" else None)

    def save(child: Child) -> str:
        services.record_care_period(child, acting_user=request.user, **form.cleaned_data)
        return "Children's social care status recorded"

    return _child_form_page(request, child_id, form, "Record children's social care status", save)


def add_alias(request: HttpRequest, child_id: int) -> HttpResponse:
    form = AliasForm(request.POST if request.method == "POST" else None)

    def save(child: Child) -> str:
        services.add_alias(child, acting_user=request.user, **form.cleaned_data)
        return "Name added"

    return _child_form_page(request, child_id, form, "Add a name the child is known by", save)


def add_note(request: HttpRequest, child_id: int) -> HttpResponse:
    form = NoteForm(request.POST if request.method == "POST" else None)

    def save(child: Child) -> str:
        services.add_case_note(child, text=form.cleaned_data["text"], acting_user=request.user)
        return "Case note added"

    return _child_form_page(request, child_id, form, "Add a case note", save)
