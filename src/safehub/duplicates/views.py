"""The hub managers' duplicates queue: review a pair, merge, dismiss, unmerge."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST

from safehub.access.policy import require
from safehub.duplicates import queries, services
from safehub.duplicates.forms import DismissForm, MergeForm
from safehub.govuk.forms import apply_errors


def queue(request: HttpRequest) -> HttpResponse:
    page, views = queries.queue(request.user, request.GET.get("page", 1))
    decided = queries.decided(request.user)
    return TemplateResponse(
        request, "duplicates/queue.html", {"page": page, "pairs": views, "decided": decided}
    )


def _choices(view: queries.PairView) -> list[tuple[int, str]]:
    return [
        (child.pk, f"{child.full_name} (record {child.pk})")
        for child in (view.child_a, view.child_b)
    ]


def _pair_page(
    request: HttpRequest,
    view: queries.PairView,
    merge_form: MergeForm | None = None,
    dismiss_form: DismissForm | None = None,
) -> HttpResponse:
    return TemplateResponse(
        request,
        "duplicates/pair.html",
        {
            "view": view,
            "merge_form": merge_form
            or MergeForm(choices=_choices(view), initial={"survivor": view.child_a.pk}),
            "dismiss_form": dismiss_form or DismissForm(),
        },
    )


def pair(request: HttpRequest, pair_id: int) -> HttpResponse:
    return _pair_page(request, queries.get_pair(request.user, pair_id))


@require_POST
def merge(request: HttpRequest, pair_id: int) -> HttpResponse:
    require(request.user, "duplicates:decide")
    view = queries.get_pair(request.user, pair_id)
    form = MergeForm(request.POST, choices=_choices(view))
    if form.is_valid():
        try:
            record = services.merge(
                pair_id, survivor_id=form.cleaned_data["survivor"], acting_user=request.user
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Records merged. You can undo this from the pair's page.")
            return redirect(f"/children/{record.survivor_id}")
    return _pair_page(request, view, merge_form=form)


@require_POST
def dismiss(request: HttpRequest, pair_id: int) -> HttpResponse:
    require(request.user, "duplicates:decide")
    view = queries.get_pair(request.user, pair_id)
    form = DismissForm(request.POST)
    if form.is_valid():
        try:
            services.dismiss(pair_id, note=form.cleaned_data["note"], acting_user=request.user)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Recorded as not the same child")
            return redirect("/oversight/duplicates")
    return _pair_page(request, view, dismiss_form=form)


@require_POST
def unmerge(request: HttpRequest, pair_id: int) -> HttpResponse:
    require(request.user, "duplicates:decide")
    try:
        services.unmerge(pair_id, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Merge undone: both records are back as they were")
    return redirect(f"/oversight/duplicates/{pair_id}")
