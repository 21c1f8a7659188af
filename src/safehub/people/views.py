"""Finding a child, registering one, and changing the facts on their record."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone

from safehub.access.policy import require
from safehub.geo.queries import ward_choices
from safehub.govuk.forms import apply_errors, redraw_version
from safehub.govuk.views import Withdrawal, withdraw_page
from safehub.people import queries, services
from safehub.people.corrections import StaleEditError
from safehub.people.forms import (
    AddressCorrectionForm,
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
        no_ward = data.pop("no_ward")
        try:
            # One savepoint: a refused address must not leave the child registered without it.
            with transaction.atomic():
                child = services.register_child(
                    acting_user=request.user, referred_on=timezone.localdate(), **data
                )
                if postcode or ward_code:
                    services.record_address(
                        child,
                        valid_from=timezone.localdate(),
                        postcode=postcode,
                        ward_code=ward_code,
                        require_ward=not no_ward,
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


def _child_form_page(  # noqa: PLR0913 - the page, its form, what saving means, who may
    request: HttpRequest,
    child_id: int,
    form: forms.Form,
    title: str,
    save: Callable[[Child], object],
    *,
    permission: str = "child:update",
    done: str,
    addresses: bool = False,
) -> HttpResponse:
    """`save` records the change; `done` is what the success banner says."""
    child = queries.get_child(request.user, child_id)
    # A partner who may read the child may not change the record: no form to fill in for nothing.
    require(request.user, permission, child)
    if request.method == "POST" and form.is_valid():
        try:
            save(child)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, done)
            return redirect(f"/children/{child.pk}")
    return TemplateResponse(
        request,
        "people/child_change_form.html",
        {
            "form": form,
            "child": child,
            "title": title,
            "addresses": queries.addresses_of(child) if addresses else [],
        },
    )


def add_address(request: HttpRequest, child_id: int) -> HttpResponse:
    form = AddressForm(
        request.POST if request.method == "POST" else None, wards=ward_choices(timezone.localdate())
    )

    def save(child: Child) -> None:
        services.record_address(
            child,
            valid_from=form.cleaned_data["valid_from"],
            postcode=form.cleaned_data["postcode"],
            ward_code=form.cleaned_data["ward_code"],
            address=form.cleaned_data["address"],
            require_ward=not form.cleaned_data["no_ward"],
            acting_user=request.user,
        )

    return _child_form_page(
        request,
        child_id,
        form,
        "Record a new address",
        save,
        done="Address recorded",
        addresses=True,
    )


def add_care_period(request: HttpRequest, child_id: int) -> HttpResponse:
    form = CarePeriodForm(request.POST if request.method == "POST" else None)

    def save(child: Child) -> None:
        services.record_care_period(child, acting_user=request.user, **form.cleaned_data)

    return _child_form_page(
        request,
        child_id,
        form,
        "Record children's social care status",
        save,
        done="Social care status recorded",
    )


def add_alias(request: HttpRequest, child_id: int) -> HttpResponse:
    form = AliasForm(request.POST if request.method == "POST" else None)

    def save(child: Child) -> None:
        services.add_alias(child, acting_user=request.user, **form.cleaned_data)

    return _child_form_page(
        request, child_id, form, "Add a name the child is known by", save, done="Name added"
    )


def add_note(request: HttpRequest, child_id: int) -> HttpResponse:
    form = NoteForm(request.POST if request.method == "POST" else None)

    def save(child: Child) -> None:
        services.add_case_note(child, text=form.cleaned_data["text"], acting_user=request.user)

    return _child_form_page(
        request,
        child_id,
        form,
        "Add a case note",
        save,
        done="Case note added",
        permission="child:note:add",
    )


def correct_address(request: HttpRequest, address_id: int) -> HttpResponse:
    """Correct an address entered wrongly: a mistyped postcode, the wrong ward or start date."""
    period = queries.get_address(request.user, address_id)
    require(request.user, "child:update", period.child)
    child = period.child
    form = AddressCorrectionForm(
        request.POST if request.method == "POST" else None,
        wards=ward_choices(period.valid_from),
        initial={
            "valid_from": period.valid_from,
            "postcode": period.postcode,
            "address": period.address,
            "ward_code": period.ward.code if period.ward and period.ward_method == "manual" else "",
            "version": period.version,
        },
    )
    if period.withdrawn:
        return redirect(f"/children/{child.pk}")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.correct_address(
                period,
                valid_from=data["valid_from"],
                postcode=data["postcode"],
                ward_code=data["ward_code"],
                address=data["address"],
                reason=data["reason"],
                require_ward=not data["no_ward"],
                expected_version=data["version"],
                acting_user=request.user,
            )
        except StaleEditError as error:
            apply_errors(form, error)
            redraw_version(form, error.current_version)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Address corrected")
            return redirect(f"/children/{child.pk}")
    return TemplateResponse(
        request,
        "people/child_change_form.html",
        {
            "form": form,
            "child": child,
            "title": "Correct an address",
            "addresses": queries.addresses_of(child),
            "correcting": period.pk,
        },
    )


def withdraw_address(request: HttpRequest, address_id: int) -> HttpResponse:
    """Remove an address entered in error (reason required); the one before runs on."""
    period = queries.get_address(request.user, address_id)
    require(request.user, "child:update", period.child)
    child = period.child
    if period.withdrawn:
        return redirect(f"/children/{child.pk}")
    ward = f", {period.ward.name} ward" if period.ward else ", ward not known"
    return withdraw_page(
        request,
        Withdrawal(
            title="Remove an address entered in error",
            caption=child.full_name,
            back=f"/children/{child.pk}",
            summary=[
                ("Address", f"{period.postcode or 'Postcode not recorded'}{ward}"),
                ("Lived here from", f"{period.valid_from:%-d %B %Y}"),
            ],
            version=period.version,
            withdraw=lambda reason, version: services.withdraw_address(
                period, reason=reason, expected_version=version, acting_user=request.user
            ),
            done="Address removed",
            then=f"/children/{child.pk}",
            reason_label="Why is the address being removed?",
            required_message="Enter why the address is being removed",
            warning=(
                "The address stays in the record's history and the audit trail, marked as "
                "entered in error. The address before it (if any) is taken to run on in its place."
            ),
            button="Remove address",
        ),
    )
