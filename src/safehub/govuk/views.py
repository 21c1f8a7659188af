"""One page for withdrawing (or removing) any record entered in error.

Every kind of record is put right the same way: the page shows what will be withdrawn, asks
why, carries the version the person saw, and on success returns with a banner.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from safehub.govuk.forms import WithdrawForm, apply_errors, redraw_version


@dataclass(frozen=True)
class Withdrawal:
    """What the page says about the record, and what to do with the reason."""

    title: str
    caption: str
    back: str
    summary: Sequence[tuple[str, str]]
    version: int
    withdraw: Callable[[str, int | None], object]
    done: str
    then: str
    reason_label: str = "Why is it being withdrawn?"
    required_message: str = "Enter why it is being withdrawn"
    warning: str = ""
    button: str = "Withdraw"


def withdraw_page(request: HttpRequest, page: Withdrawal) -> HttpResponse:
    form = WithdrawForm(
        request.POST if request.method == "POST" else None,
        initial={"version": page.version},
        label=page.reason_label,
        required_message=page.required_message,
    )
    if request.method == "POST" and form.is_valid():
        try:
            page.withdraw(form.cleaned_data["reason"], form.cleaned_data["version"])
        except ValidationError as error:
            apply_errors(form, error)
            current = getattr(error, "current_version", None)
            if current is not None:
                redraw_version(form, current)
        else:
            messages.success(request, page.done)
            return redirect(page.then)
    return TemplateResponse(request, "govuk/withdraw.html", {"form": form, "page": page})
