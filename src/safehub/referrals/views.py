"""Referral intake, the referral page, screening and decision."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from safehub.access.policy import can, require
from safehub.episodes.models import SignOffRequest
from safehub.govuk.forms import apply_errors
from safehub.govuk.views import Withdrawal, withdraw_page
from safehub.people import queries as people_queries
from safehub.referrals import queries, services, signoff
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
            messages.success(request, "Referral recorded. Now screen the risk.")
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
            "sign_offs": (waiting := signoff.waiting_for(referral)),
            "nfa_waiting": any(r.kind == "no_further_action" for r in waiting),
            "can_withdraw": can(request.user, "referral:withdraw"),
        },
    )


def screen(request: HttpRequest, referral_id: int) -> HttpResponse:
    referral = queries.get_referral(request.user, referral_id)
    require(request.user, "screening:record", referral)
    tool = screening.load_tool()
    form = ScreeningForm(request.POST if request.method == "POST" else None, tool=tool)
    if request.method == "POST" and form.is_valid():
        try:
            recorded = services.record_screening(
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
            chosen = form.cleaned_data["override_level"]
            waits = chosen and chosen != recorded.computed_level and not recorded.overridden
            messages.success(
                request,
                "Screening recorded. Your change of risk level waits for a hub manager's sign-off"
                if waits
                else "Screening recorded",
            )
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
            made = services.record_decision(
                referral,
                outcome=form.cleaned_data["outcome"],
                pathway_agency=form.cleaned_data["pathway_agency"],
                rationale=form.cleaned_data["rationale"],
                acting_user=request.user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            waiting = isinstance(made, SignOffRequest)
            messages.success(
                request,
                "Decision sent to a hub manager for sign-off: it takes effect when approved"
                if waiting
                else "Decision recorded",
            )
            if not waiting and form.cleaned_data["outcome"] == "pathway_referral":
                # Next, the referral to the agency's service and the share that goes with it.
                return redirect(f"/children/{referral.child_id}/pathway/new?referral={referral.pk}")
            return redirect(f"/referrals/{referral.pk}")
    return TemplateResponse(
        request, "referrals/decision_form.html", {"form": form, "referral": referral}
    )


def withdraw(request: HttpRequest, referral_id: int) -> HttpResponse:
    """Withdraw a referral recorded in error: it stays in the history, marked, with the reason."""
    referral = queries.get_referral(request.user, referral_id)
    require(request.user, "referral:withdraw", referral)
    if referral.withdrawn:
        return redirect(f"/referrals/{referral.pk}")
    return withdraw_page(
        request,
        Withdrawal(
            title="Withdraw this referral",
            caption=referral.child.full_name,
            back=f"/referrals/{referral.pk}",
            summary=[
                ("Received", f"{referral.received_at:%-d %B %Y}"),
                ("Source", referral.get_source_display()),
                ("Exploitation", ", ".join(referral.exploitation_labels)),
            ],
            version=referral.version,
            withdraw=lambda reason, version: services.withdraw_referral(
                referral, reason=reason, expected_version=version, acting_user=request.user
            ),
            done="Referral withdrawn",
            then=f"/referrals/{referral.pk}",
            reason_label="Why is the referral being withdrawn?",
            required_message="Enter why the referral is being withdrawn",
            warning=(
                "The referral stays in the child's history and the audit trail, marked as "
                "withdrawn. It leaves the triage queue and every figure. If its screening "
                "opened an episode that no other referral holds, that episode is withdrawn too."
            ),
            button="Withdraw referral",
        ),
    )
