"""The hub managers' page of screening-tool overrides to review."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST

from safehub.access.policy import require
from safehub.referrals import overrides
from safehub.referrals.forms import OverrideReviewForm


def override_list(request: HttpRequest) -> HttpResponse:
    waiting, reviewed = overrides.overrides_for_review(request.user)
    return TemplateResponse(
        request,
        "referrals/overrides.html",
        {"waiting": waiting, "reviewed": reviewed, "form": OverrideReviewForm()},
    )


@require_POST
def review(request: HttpRequest, screening_id: int) -> HttpResponse:
    require(request.user, "screening:override:review")
    form = OverrideReviewForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        overrides.review_override(screening_id, note=note, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Override marked as reviewed")
    return redirect("/oversight/overrides")
