"""The hub manager's sign-off queue: decisions waiting for approval, approved or returned."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST

from safehub.access.policy import require
from safehub.referrals import signoff

QUEUE = "/oversight/sign-off"


class SignOffForm(forms.Form):
    outcome = forms.ChoiceField(choices=[("approve", "Approve"), ("return", "Return")])
    note = forms.CharField(label="Note", required=False, max_length=2000, widget=forms.Textarea)


def queue(request: HttpRequest) -> HttpResponse:
    waiting, decided = signoff.waiting(request.user)
    return TemplateResponse(
        request, "referrals/sign_off.html", {"waiting": waiting, "decided": decided}
    )


@require_POST
def decide(request: HttpRequest, request_id: int) -> HttpResponse:
    """Approve or return one request: the button pressed says which (nothing without one)."""
    require(request.user, "sign_off:decide")
    form = SignOffForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose whether to approve or return it")
        return redirect(QUEUE)
    approve = form.cleaned_data["outcome"] == "approve"
    note = form.cleaned_data["note"]
    try:
        if approve:
            signoff.approve(request_id, note=note, acting_user=request.user)
        else:
            signoff.send_back(request_id, note=note, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Approved: it has taken effect" if approve else "Returned")
    return redirect(QUEUE)
