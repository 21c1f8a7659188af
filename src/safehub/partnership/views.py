"""Pathway pages: refer (hub), the service's inbox and each step (partner), the referral page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone

from safehub.access.policy import can, require
from safehub.govuk.forms import apply_errors
from safehub.partnership import eligibility, queries, services
from safehub.partnership.forms import (
    AcceptForm,
    CloseForm,
    ConcernForm,
    FirstContactForm,
    ObservationForm,
    ReasonForm,
    ReferForm,
    SeenForm,
    UpdateForm,
)
from safehub.partnership.models import PathwayReferral, Status
from safehub.people import queries as people_queries
from safehub.referrals import queries as referral_queries

SHARE_DAYS = 180


def refer(request: HttpRequest, child_id: int) -> HttpResponse:
    """Refer a child to one or more services; from a decision, `?decision=<referral id>`."""
    child = people_queries.get_child(request.user, child_id)
    require(request.user, "pathway:refer", child)
    decision = None
    from_referral = request.GET.get("referral", "")
    if from_referral.isdigit():
        referral = referral_queries.get_referral(request.user, int(from_referral))
        decision = getattr(referral, "decision", None) if referral.child_id == child.pk else None
    initial: dict[str, Any] = {
        "expires_on": timezone.localdate() + dt.timedelta(days=SHARE_DAYS),
        "sections": ["risk"],
        "lawful_basis": "safeguarding",
        "purpose": "Support for the young person through a pathway referral",
    }
    if decision is not None and decision.pathway_agency_id is not None:
        # The decision's agency's services that this child may use (one area's Youth Service).
        offered = queries.active_services().filter(agency_id=decision.pathway_agency_id)
        initial["services"] = [
            s.pk for s in eligibility.eligible(child, offered, timezone.localdate())
        ]
    form = ReferForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            made = services.refer(
                child,
                services=list(form.cleaned_data["services"]),
                message=form.cleaned_data["message"],
                lawful_basis=form.cleaned_data["lawful_basis"],
                purpose=form.cleaned_data["purpose"],
                sections=form.cleaned_data["sections"],
                expires_on=form.cleaned_data["expires_on"],
                decision=decision,
                acting_user=request.user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            names = ", ".join(r.service.name for r in made)
            messages.success(request, f"Referred to {names}")
            return redirect(f"/children/{child.pk}#pathway")
    return TemplateResponse(
        request,
        "people/child_change_form.html",
        {"form": form, "child": child, "title": "Refer to a support service"},
    )


def inbox(request: HttpRequest) -> HttpResponse:
    """A partner worker's agency's pathway referrals: what waits, what is due, the caseload."""
    rows = queries.inbox(request.user)
    return TemplateResponse(request, "partnership/inbox.html", {"rows": rows})


def detail(request: HttpRequest, pathway_id: int) -> HttpResponse:
    referral = queries.get_pathway_referral(request.user, pathway_id)
    own = can(request.user, "pathway:respond") and (
        getattr(request.user, "agency_id", None) == referral.service.agency_id
    )
    return TemplateResponse(
        request,
        "partnership/detail.html",
        {
            "referral": referral,
            "steps": queries.steps_of(referral),
            "due": queries.due_of(referral),
            "breaches": referral.breaches.all(),
            "can_answer": own and referral.status == Status.AWAITING,
            "can_work": own and referral.status == Status.ACCEPTED,
            "can_see_return": can(request.user, "pathway:refer")
            and referral.returned_at is not None
            and referral.return_seen_at is None,
        },
    )


def _step_page(  # noqa: PLR0913 - each step page is the same shape
    request: HttpRequest,
    pathway_id: int,
    *,
    permission: str,
    make_form: Callable[[PathwayReferral, dict[str, Any] | None], Form],
    act: Callable[[PathwayReferral, dict[str, Any]], object],
    title: str,
    done: str,
) -> HttpResponse:
    referral = queries.get_pathway_referral(request.user, pathway_id)
    require(request.user, permission, referral)
    form = make_form(referral, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            act(referral, form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, done)
            return redirect(f"/pathway/{referral.pk}")
    return TemplateResponse(
        request, "partnership/step_form.html", {"form": form, "referral": referral, "title": title}
    )


def accept(request: HttpRequest, pathway_id: int) -> HttpResponse:
    return _step_page(
        request,
        pathway_id,
        permission="pathway:respond",
        make_form=lambda r, data: AcceptForm(
            data, agency=r.service.agency, initial={"worker": request.user.pk}
        ),
        act=lambda r, d: services.accept(r, worker=d["worker"], acting_user=request.user),
        title="Accept the referral",
        done="Referral accepted",
    )


def decline(request: HttpRequest, pathway_id: int) -> HttpResponse:
    return _step_page(
        request,
        pathway_id,
        permission="pathway:respond",
        make_form=lambda _r, data: ReasonForm(data),
        act=lambda r, d: services.decline(r, reason=d["reason"], acting_user=request.user),
        title="Decline the referral",
        done="Referral declined: the hub has been told",
    )


def first_contact(request: HttpRequest, pathway_id: int) -> HttpResponse:
    return _step_page(
        request,
        pathway_id,
        permission="pathway:respond",
        make_form=lambda _r, data: FirstContactForm(data),
        act=lambda r, d: services.record_first_contact(
            r,
            contacted_at=d["contacted_at"],
            method=d["method"],
            note=d["note"],
            acting_user=request.user,
        ),
        title="Record first contact",
        done="First contact recorded",
    )


def update(request: HttpRequest, pathway_id: int) -> HttpResponse:
    return _step_page(
        request,
        pathway_id,
        permission="pathway:respond",
        make_form=lambda _r, data: UpdateForm(data),
        act=lambda r, d: services.record_update(r, text=d["text"], acting_user=request.user),
        title="Add an engagement update",
        done="Update recorded",
    )


def close(request: HttpRequest, pathway_id: int) -> HttpResponse:
    return _step_page(
        request,
        pathway_id,
        permission="pathway:respond",
        make_form=lambda _r, data: CloseForm(data),
        act=lambda r, d: services.close(
            r, outcome=d["outcome"], note=d["note"], acting_user=request.user
        ),
        title="Close with an outcome",
        done="Referral closed",
    )


def hand_back(request: HttpRequest, pathway_id: int) -> HttpResponse:
    return _step_page(
        request,
        pathway_id,
        permission="pathway:respond",
        make_form=lambda _r, data: ReasonForm(data),
        act=lambda r, d: services.hand_back(r, reason=d["reason"], acting_user=request.user),
        title="Hand the child back to the hub",
        done="Handed back: the hub has been told",
    )


def seen(request: HttpRequest, pathway_id: int) -> HttpResponse:
    return _step_page(
        request,
        pathway_id,
        permission="pathway:refer",
        make_form=lambda _r, data: SeenForm(data),
        act=lambda r, d: services.mark_return_seen(r, note=d["note"], acting_user=request.user),
        title="Take the referral back",
        done="Marked as seen by the hub",
    )


def observation(request: HttpRequest, child_id: int) -> HttpResponse:
    child = people_queries.get_child(request.user, child_id)
    require(request.user, "observation:add", child)
    form = ObservationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_observation(
                child, text=form.cleaned_data["text"], acting_user=request.user
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Observation added to the child's record")
            return redirect(f"/children/{child.pk}")
    return TemplateResponse(
        request,
        "people/child_change_form.html",
        {"form": form, "child": child, "title": "Add an observation"},
    )


def concern(request: HttpRequest, child_id: int) -> HttpResponse:
    child = people_queries.get_child(request.user, child_id)
    require(request.user, "concern:raise", child)
    form = ConcernForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.raise_concern(
                child,
                concerns=form.cleaned_data["concerns"],
                exploitation_types=form.cleaned_data["exploitation_types"],
                acting_user=request.user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Concern sent to the hub, which will screen it")
            return redirect(f"/children/{child.pk}")
    return TemplateResponse(
        request,
        "people/child_change_form.html",
        {"form": form, "child": child, "title": "Raise a concern with the hub"},
    )
