"""Referral intake, the referral page, screening and decision."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from safehub.access.policy import require
from safehub.govuk.forms import apply_errors
from safehub.people import queries as people_queries
from safehub.referrals import queries, services
from safehub.referrals.forms import DecisionForm, ReferralForm, ScreeningForm
from safehub.rules import screening


def new_referral(request: HttpRequest) -> HttpResponse:
    require(request.user, "referral:create")
    child_id = request.GET.get("child", "")
    if not child_id.isdecimal():
        return redirect("/children/search")
    child = people_queries.get_child(request.user, int(child_id), purpose="viewed")
    form = ReferralForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            referral = services.receive_referral(
                child=child,
                received_at=data["received_at"],
                source=data["source"],
                referring_agency=data["referring_agency"],
                referrer_name=data["referrer_name"],
                referrer_contact=data["referrer_contact"],
                exploitation_types=data["exploitation_types"],
                concerns=data["concerns"],
                external_reference=data["external_reference"] or None,
                acting_user=request.user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return redirect(f"/referrals/{referral.pk}/screening")
    return TemplateResponse(request, "referrals/referral_form.html", {"form": form, "child": child})


def referral_page(request: HttpRequest, referral_id: int) -> HttpResponse:
    referral = queries.get_referral(request.user, referral_id)
    latest = referral.screenings.order_by("-screened_at").first()
    tool_rule = ""
    if latest and latest.result.get("band_rule") and latest.tool_version:
        tool = screening.load_tool(latest.tool_id, latest.tool_version)
        tool_rule = tool.rule_description(latest.result["band_rule"])
    return TemplateResponse(
        request,
        "referrals/referral.html",
        {
            "referral": referral,
            "screening": latest,
            "rule": tool_rule,
            "decision": getattr(referral, "decision", None),
        },
    )


def screen(request: HttpRequest, referral_id: int) -> HttpResponse:
    referral = queries.get_referral(request.user, referral_id)
    require(request.user, "screening:record", referral)
    tool = screening.load_tool()
    form = ScreeningForm(request.POST if request.method == "POST" else None, tool=tool)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_screening(
                referral,
                form.answers(),
                override_level=form.cleaned_data["override_level"] or None,
                override_reason=form.cleaned_data["override_reason"],
                tool=tool,
                acting_user=request.user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return redirect(f"/referrals/{referral.pk}")
    return TemplateResponse(
        request, "referrals/screening_form.html", {"form": form, "referral": referral, "tool": tool}
    )


def decide(request: HttpRequest, referral_id: int) -> HttpResponse:
    referral = queries.get_referral(request.user, referral_id)
    require(request.user, "decision:record", referral)
    form = DecisionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_decision(
                referral,
                outcome=form.cleaned_data["outcome"],
                pathway_agency=form.cleaned_data["pathway_agency"],
                rationale=form.cleaned_data["rationale"],
                acting_user=request.user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return redirect(f"/referrals/{referral.pk}")
    return TemplateResponse(
        request, "referrals/decision_form.html", {"form": form, "referral": referral}
    )
