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
    note = forms.CharField(label="Note", required=False, max_length=2000, widget=forms.Textarea)


def queue(request: HttpRequest) -> HttpResponse:
    waiting, decided = signoff.waiting(request.user)
    return TemplateResponse(
        request, "referrals/sign_off.html", {"waiting": waiting, "decided": decided}
    )


def _decide(request: HttpRequest, request_id: int, *, approve: bool) -> HttpResponse:
    require(request.user, "sign_off:decide")
    form = SignOffForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
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


@require_POST
def approve(request: HttpRequest, request_id: int) -> HttpResponse:
    return _decide(request, request_id, approve=True)


@require_POST
def send_back(request: HttpRequest, request_id: int) -> HttpResponse:
    return _decide(request, request_id, approve=False)
