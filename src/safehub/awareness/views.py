"""The coverage page: reached against target by programme, ward and financial year."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET

from safehub.access.policy import require
from safehub.awareness import queries, wardmap


@require_GET
def coverage(request: HttpRequest) -> HttpResponse:
    """`?year=2016` picks the financial year 2016/17; `?programme=<code>` the map's programme."""
    require(request.user, "awareness:view")
    raw = request.GET.get("year", "")
    year = int(raw) if raw.isdecimal() and len(raw) == 4 else None  # noqa: PLR2004
    found = queries.coverage(request.user, year=year)
    chosen = next(
        (p for p in found.programmes if p.programme.code == request.GET.get("programme")),
        found.programmes[0] if found.programmes else None,
    )
    drawn = wardmap.draw(found.wards, chosen.wards) if chosen else None
    rows = [
        (
            ward,
            [
                (p.programme.name, p.programme.code, p.wards.get(ward.code, queries.Cell()))
                for p in found.programmes
            ],
        )
        for ward in found.wards
    ]
    return TemplateResponse(
        request,
        "awareness/coverage.html",
        {
            "found": found,
            "chosen": chosen,
            "map": drawn,
            "rows": rows,
            "year_choices": [(y, queries.year_label(y)) for y in found.years],
        },
    )
