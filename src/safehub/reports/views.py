"""The committee report page: analysts and hub managers see both editions, members the public.

The page builds the report from the latest snapshot, exactly as `safehub report committee`
does, and offers the same file formats for download.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse

from safehub.access.policy import AccessDeniedError, can
from safehub.access.sessions import reauthentication_needed
from safehub.analytics import snapshot
from safehub.reports import committee, render, services
from safehub.reports.forms import CommitteeReportForm
from safehub.rules.disclosure import DisclosureError

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "html": "text/html; charset=utf-8",
}


def committee_report(request: HttpRequest) -> HttpResponse:
    editions = [
        e for e in ("public", "restricted") if can(request.user, services.permission_for(e))
    ]
    if not editions:
        raise AccessDeniedError("report:view:public")
    latest = snapshot.latest()
    areas = committee.areas(latest) if latest else []
    earlier = [m.id for m in snapshot.list_all() if latest is not None and m.id != latest.id]
    form = CommitteeReportForm(
        request.GET or None, areas=areas, editions=editions, snapshots=earlier[::-1]
    )
    context: dict[str, object] = {"form": form, "report": None, "formats": render.FORMATS}
    if latest is None:
        context["error"] = (
            "There is no snapshot yet. An analyst creates one with `safehub snapshot create`."
        )
    elif form.is_bound and form.is_valid():
        data = form.cleaned_data
        fmt = request.GET.get("format", "")
        try:
            if fmt in CONTENT_TYPES:
                # A download leaves Safehub: the person must have signed in within 5 minutes.
                confirm = reauthentication_needed(request)
                if confirm:
                    return HttpResponseRedirect(confirm)
                content = services.committee_report(
                    area=data["area"],
                    as_of=data["as_of"],
                    edition=data["edition"],
                    fmt=fmt,
                    snapshot_id=latest.id,
                    compare_with=data["compare_with"] or None,
                    acting_user=request.user,
                )
                response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
                name = render.file_name(data["area"], data["as_of"], data["edition"], fmt)
                response["Content-Disposition"] = f'attachment; filename="{name}"'
                return response
            report = services.committee_view(
                area=data["area"],
                as_of=data["as_of"],
                edition=data["edition"],
                snapshot_id=latest.id,
                compare_with=data["compare_with"] or None,
                acting_user=request.user,
            )
        except (committee.ReportError, snapshot.SnapshotError, DisclosureError) as error:
            context["error"] = str(error)
        else:
            context |= render.context(report)
            context["query"] = urlencode(
                {
                    "area": data["area"],
                    "as_of": data["as_of"].isoformat(),
                    "edition": data["edition"],
                }
                | ({"compare_with": data["compare_with"]} if data["compare_with"] else {})
            )
    return TemplateResponse(request, "reports/page.html", context)
