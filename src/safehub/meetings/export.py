"""Meeting minutes as a PDF (from HTML, through WeasyPrint, like the chronology), marked
RESTRICTED on every page and in the file name."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from safehub.meetings.queries import MeetingView

MARKING = "RESTRICTED — not for publication"
CONTENT_TYPE = "application/pdf"


def file_name(view: MeetingView) -> str:
    """The reference and date only: a file name travels further than the file."""
    held = timezone.localtime(view.meeting.held_at).date().isoformat()
    return f"RESTRICTED-not-for-publication-minutes-{view.meeting.reference}-{held}.pdf"


def to_html(view: MeetingView) -> str:
    return render_to_string(
        "meetings/minutes_pdf.html",
        {
            "view": view,
            "meeting": view.meeting,
            "marking": MARKING,
            "produced_at": timezone.localtime(),
        },
    )


def to_pdf(view: MeetingView) -> bytes:
    from weasyprint import HTML  # noqa: PLC0415 - heavy import, only when a PDF is asked for

    return bytes(HTML(string=to_html(view)).write_pdf(pdf_variant="pdf/ua-1"))
