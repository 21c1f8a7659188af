"""Warning flag pages: raise, sign off, review or correct, end, withdraw."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from safehub.access.policy import can, require
from safehub.flags import queries, services
from safehub.flags.forms import FlagForm, SignOffForm
from safehub.flags.models import WarningFlag
from safehub.govuk.forms import apply_errors, redraw_version
from safehub.govuk.views import Withdrawal, withdraw_page
from safehub.people import queries as people_queries
from safehub.people.corrections import StaleEditError


def new_flag(request: HttpRequest, child_id: int) -> HttpResponse:
    child = people_queries.get_child(request.user, child_id)
    require(request.user, "flag:raise", child)
    form = FlagForm(
        request.POST if request.method == "POST" else None, initial={"owner": request.user.pk}
    )
    if request.method == "POST" and form.is_valid():
        try:
            flag = services.raise_flag(
                child, **_fields(form.cleaned_data), acting_user=request.user
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request, "Warning flag raised: it shows once a hub manager approves it"
            )
            return redirect(f"/flags/{flag.pk}")
    return TemplateResponse(
        request,
        "flags/flag_form.html",
        {
            "form": form,
            "child": child,
            "title": "Raise a warning flag",
            "back": f"/children/{child.pk}",
        },
    )


def _fields(data: dict[str, Any]) -> dict[str, Any]:
    return {k: data[k] for k in ("kind", "text", "owner", "review_on")}


@require_GET
def flag_page(request: HttpRequest, flag_id: int) -> HttpResponse:
    flag = queries.get_flag(request.user, flag_id)
    hub = can(request.user, "flag:raise")
    return TemplateResponse(
        request,
        "flags/flag.html",
        {
            "flag": flag,
            "child": flag.child,
            "overdue": flag.review_overdue(timezone.localdate()),
            "can_change": hub and flag.is_open,
            "can_sign_off": can(request.user, "flag:sign_off") and flag.status == "pending",
            "history": flag.history.select_related("history_user").order_by("-history_date")
            if hub
            else [],
        },
    )


def edit_flag(request: HttpRequest, flag_id: int) -> HttpResponse:
    flag = queries.get_flag(request.user, flag_id)
    require(request.user, "flag:raise", flag)
    form = FlagForm(
        request.POST if request.method == "POST" else None,
        initial={
            "kind": flag.kind,
            "text": flag.text,
            "owner": flag.owner_id,
            "review_on": flag.review_on,
            "version": flag.version,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.correct_flag(
                flag,
                **_fields(form.cleaned_data),
                expected_version=form.cleaned_data["version"],
                acting_user=request.user,
            )
        except StaleEditError as error:
            apply_errors(form, error)
            redraw_version(form, error.current_version)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Warning flag saved")
            return redirect(f"/flags/{flag.pk}")
    return TemplateResponse(
        request,
        "flags/flag_form.html",
        {
            "form": form,
            "child": flag.child,
            "title": "Review or correct a warning flag",
            "back": f"/flags/{flag.pk}",
            "editing": True,
        },
    )


def sign_off(request: HttpRequest, flag_id: int) -> HttpResponse:
    flag = queries.get_flag(request.user, flag_id)
    require(request.user, "flag:sign_off", flag)
    form = SignOffForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        try:
            services.sign_off(
                flag, approve=approve, note=form.cleaned_data["note"], acting_user=request.user
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request, "Warning flag approved" if approve else "Warning flag not approved"
            )
            return redirect(f"/flags/{flag.pk}")
    return TemplateResponse(
        request, "flags/sign_off.html", {"form": form, "flag": flag, "child": flag.child}
    )


def _summary(flag: WarningFlag) -> list[tuple[str, str]]:
    return [
        ("Kind", flag.get_kind_display()),
        ("Warning", flag.text),
        ("Review by", f"{flag.review_on:%-d %B %Y}"),
    ]


def end_flag(request: HttpRequest, flag_id: int) -> HttpResponse:
    """The warning no longer applies (not a mistake: that is a withdrawal)."""
    flag = queries.get_flag(request.user, flag_id)
    require(request.user, "flag:raise", flag)
    if not flag.is_open:
        return redirect(f"/flags/{flag.pk}")
    return withdraw_page(
        request,
        Withdrawal(
            title="End a warning flag",
            caption=flag.child.full_name,
            back=f"/flags/{flag.pk}",
            summary=_summary(flag),
            version=flag.version,
            withdraw=lambda reason, version: services.end_flag(
                flag, reason=reason, expected_version=version, acting_user=request.user
            ),
            done="Warning flag ended",
            then=f"/children/{flag.child_id}",
            reason_label="Why does this warning no longer apply?",
            required_message="Enter why the flag no longer applies",
            warning="The flag leaves the banner on the child's pages; it stays in its history.",
            button="End the flag",
        ),
    )


def withdraw_flag(request: HttpRequest, flag_id: int) -> HttpResponse:
    flag = queries.get_flag(request.user, flag_id)
    require(request.user, "flag:raise", flag)
    if flag.withdrawn:
        return redirect(f"/children/{flag.child_id}")
    return withdraw_page(
        request,
        Withdrawal(
            title="Withdraw a warning flag raised in error",
            caption=flag.child.full_name,
            back=f"/flags/{flag.pk}",
            summary=_summary(flag),
            version=flag.version,
            withdraw=lambda reason, version: services.withdraw_flag(
                flag, reason=reason, expected_version=version, acting_user=request.user
            ),
            done="Warning flag withdrawn",
            then=f"/children/{flag.child_id}",
            reason_label="Why is this flag being withdrawn?",
            required_message="Enter why the flag is being withdrawn",
        ),
    )
