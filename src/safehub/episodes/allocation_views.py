"""The hub manager's allocation page: open episodes (unallocated first), allocated in bulk."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET

from safehub.access.models import Agency, User
from safehub.access.policy import require
from safehub.episodes import allocation
from safehub.govuk.forms import GovukForm, apply_errors


class AllocationForm(GovukForm):
    episodes = forms.MultipleChoiceField(
        label="Children to allocate", widget=forms.CheckboxSelectMultiple
    )
    worker = forms.ModelChoiceField(
        label="Worker", queryset=User.objects.none(), empty_label="Choose a worker"
    )
    lead_agency = forms.ModelChoiceField(
        label="Lead agency",
        queryset=Agency.objects.order_by("name"),
        empty_label="Choose the lead agency",
    )
    reason = forms.CharField(label="Reason", max_length=2000, widget=forms.Textarea)
    short_names = {"episodes": "at least one child", "reason": "the reason for the allocation"}

    def __init__(
        self, *args: object, episode_choices: list[tuple[str, str]], **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["episodes"].choices = episode_choices  # type: ignore[attr-defined]
        self.fields["worker"].queryset = allocation.workers()  # type: ignore[attr-defined]
        self.fields["worker"].label_from_instance = _worker_label  # type: ignore[attr-defined]


def _worker_label(user: User) -> str:
    return user.get_full_name() or user.username


def allocate(request: HttpRequest) -> HttpResponse:
    """GET: open episodes (unallocated only unless ?show=all); POST: allocate the ticked ones."""
    require(request.user, "episode:allocate")
    show_all = request.GET.get("show") == "all"
    episodes = allocation.open_episodes(request.user, unallocated_only=not show_all)
    by_id = {str(e.pk): e for e in episodes}
    choices = [(key, e.child.full_name) for key, e in by_id.items()]
    form = AllocationForm(
        request.POST if request.method == "POST" else None, episode_choices=choices
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen = [by_id[key] for key in data["episodes"]]
        try:
            made = allocation.allocate(
                chosen,
                worker=data["worker"],
                lead_agency=data["lead_agency"],
                reason=data["reason"],
                acting_user=request.user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            count = len(made)
            messages.success(
                request,
                f"Allocated {count} {'child' if count == 1 else 'children'} to "
                f"{_worker_label(data['worker'])}",
            )
            return redirect(request.get_full_path())
    return TemplateResponse(
        request,
        "episodes/allocation.html",
        {"form": form, "episodes": episodes, "show_all": show_all},
    )


MY_CHILDREN_PAGE = 50


@require_GET
def my_children(request: HttpRequest) -> HttpResponse:
    """Every child allocated to the caller, a page at a time (the home page shows the first)."""
    require(request.user, "triage:view")
    paginator = Paginator(range(allocation.count_allocated_to(request.user)), MY_CHILDREN_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    rows = page.object_list
    episodes = allocation.allocated_to(request.user, start=rows[0], limit=len(rows)) if rows else []
    return TemplateResponse(
        request, "episodes/my_children.html", {"page": page, "episodes": episodes}
    )
