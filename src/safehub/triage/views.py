from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from safehub.triage.forms import TriageFilterForm
from safehub.triage.queries import due_items


def queue(request: HttpRequest) -> HttpResponse:
    form = TriageFilterForm(request.GET or None)
    kinds = rags = None
    if form.is_bound and form.is_valid():
        kinds = form.cleaned_data["kind"] or None
        rags = form.cleaned_data["rag"] or None
    items = due_items(request.user, kinds=kinds, rags=rags)
    counts = {rag: sum(1 for i in items if i.rag == rag) for rag in ("red", "amber", "green")}
    return TemplateResponse(
        request, "triage/queue.html", {"form": form, "items": items, "counts": counts}
    )
