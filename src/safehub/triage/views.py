from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from safehub.triage.forms import TriageFilterForm
from safehub.triage.queries import Filters, queue_page


def queue(request: HttpRequest) -> HttpResponse:
    form = TriageFilterForm(request.GET or None)
    filters, sort, page = Filters(), "due", 1
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = Filters(
            kinds=frozenset(data["kind"]),
            rags=frozenset(data["rag"]),
            risks=frozenset(data["risk"]),
            scope=data["scope"] or "all",
        )
        sort, page = data["sort"] or "due", data["page"] or 1
    found = queue_page(request.user, filters=filters, sort=sort, page=page)
    query = [(k, v) for k, values in request.GET.lists() for v in values if k != "page"]

    def link(number: int) -> str:
        return "?" + urlencode([*query, ("page", str(number))])

    return TemplateResponse(
        request,
        "triage/queue.html",
        {
            "form": form,
            "page": found,
            "items": found.items,
            "counts": found.counts,
            "previous": link(found.number - 1) if found.number > 1 else "",
            "next": link(found.number + 1) if found.number < found.pages else "",
        },
    )
