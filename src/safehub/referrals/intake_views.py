"""A referral for a child not found by search: check for children already held first.

The practitioner types the child's details; before a new child is recorded, the matching
model offers the children already held who may be this child, each with its probability and
why. Above a high threshold the best is pre-selected; in the review band the practitioner
must choose one of them or "none of these". The choice, and what was offered, is recorded
and audited (`safehub.matching.services`). Partner workers never reach this page.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone

from safehub.access.policy import require
from safehub.geo.queries import ward_choices
from safehub.govuk.forms import apply_errors
from safehub.matching import candidates
from safehub.matching import services as matching
from safehub.people import queries as people_queries
from safehub.people import services as people_services
from safehub.people.forms import ChildForm
from safehub.people.models import Child

NEW = "new"
CHOOSE = "Choose the child this referral is about, or \u201cnone of these\u201d"


def details_of(data: dict[str, object]) -> candidates.Details:
    return candidates.Details(
        given_name=str(data.get("given_name") or ""),
        family_name=str(data.get("family_name") or ""),
        date_of_birth=data.get("date_of_birth"),  # type: ignore[arg-type]
        dob_approximate=bool(data.get("dob_approximate")),
        sex=str(data.get("sex") or ""),
        postcode=str(data.get("postcode") or ""),
        nhs_number=str(data.get("nhs_number") or ""),
        upn=str(data.get("upn") or ""),
        school=str(data.get("school") or ""),
    )


def new_child_referral(request: HttpRequest) -> HttpResponse:
    require(request.user, "referral:create")
    require(request.user, "child:create")
    require(request.user, "match:candidates")
    form = ChildForm(
        request.POST if request.method == "POST" else None, wards=ward_choices(timezone.localdate())
    )
    offered: list[candidates.Candidate] = []
    choice = request.POST.get("match", "")
    if request.method == "POST" and form.is_valid():
        offered = matching.offer(details_of(form.cleaned_data), acting_user=request.user)
        if offered and not choice:
            if "match_step" in request.POST:  # they were asked, and chose nothing
                form.add_error(None, CHOOSE)
            return _page(request, form, offered)
        try:
            with transaction.atomic():
                child = _chosen_or_new(request, form.cleaned_data, offered, choice)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return redirect(f"/referrals/new?child={child.pk}")
    return _page(request, form, offered)


def _chosen_or_new(
    request: HttpRequest,
    data: dict[str, object],
    offered: list[candidates.Candidate],
    choice: str,
) -> Child:
    chosen = int(choice) if choice.isdecimal() else None
    if offered:
        if chosen is None and choice != NEW:
            raise ValidationError(CHOOSE)
        matching.record_choice(offered, chosen=chosen, acting_user=request.user)
    if chosen is not None:
        return people_queries.get_child(request.user, chosen, purpose="viewed")
    identity = dict(data)
    postcode, ward_code = identity.pop("postcode"), identity.pop("ward_code")
    no_ward = identity.pop("no_ward")
    child = people_services.register_child(
        acting_user=request.user, referred_on=timezone.localdate(), **identity
    )
    if postcode or ward_code:
        people_services.record_address(
            child,
            valid_from=timezone.localdate(),
            postcode=str(postcode),
            ward_code=str(ward_code),
            require_ward=not no_ward,
            acting_user=request.user,
        )
    return child


def _page(
    request: HttpRequest, form: ChildForm, offered: list[candidates.Candidate]
) -> HttpResponse:
    shown = {c.pk: c for c in Child.objects.filter(pk__in=[o.child for o in offered])}
    best = offered[0] if offered else None
    preselected = best.child if best and best.probability >= candidates.HIGH else None
    selected = request.POST.get("match") or (str(preselected) if preselected else "")
    form.error_anchor = "match-choice"  # type: ignore[attr-defined]
    return TemplateResponse(
        request,
        "referrals/new_child_referral.html",
        {
            "form": form,
            "offered": [(o, shown[o.child]) for o in offered if o.child in shown],
            "selected": selected,
            "must_choose": bool(offered) and preselected is None,
        },
    )
