"""The chronology as a file: PDF (from HTML, through WeasyPrint, like the committee report)
and CSV. Both are marked RESTRICTED, the PDF on every page, and both in the file name."""

from __future__ import annotations

import csv
import io

from django.template.loader import render_to_string
from django.utils import timezone

from safehub.casefile.chronology import Chronology, Row
from safehub.rules.spreadsheet import neutralise

MARKING = "RESTRICTED — not for publication"
CONTENT_TYPES = {"pdf": "application/pdf", "csv": "text/csv; charset=utf-8"}


def file_name(chronology: Chronology, fmt: str) -> str:
    """Ids and dates only: a file name travels further than the file (mail subjects, logs)."""
    return (
        f"RESTRICTED-not-for-publication-chronology-child-{chronology.child.pk}-"
        f"{chronology.on.isoformat()}.{fmt}"
    )


def _when(row: Row) -> tuple[str, str]:
    at = row.event.moment
    return at.date().isoformat(), (f"{at:%H:%M}" if row.event.has_time else "")


def to_csv(chronology: Chronology) -> bytes:
    """Every event, significant or not, with the marking as the first line."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([MARKING])
    writer.writerow(["date", "time", "source_agency", "event", "significant", "significance"])
    for row in chronology.rows:
        day, time = _when(row)
        writer.writerow(
            [
                day,
                time,
                neutralise(row.event.agency),
                neutralise(row.event.text),
                "yes" if row.significant else "no",
                neutralise(row.significance),
            ]
        )
    return out.getvalue().encode("utf-8")


def to_html(chronology: Chronology) -> str:
    return render_to_string(
        "casefile/chronology_pdf.html",
        {
            "chronology": chronology,
            "marking": MARKING,
            "rows": chronology.significant,
            "produced_at": timezone.localtime(),
        },
    )


def to_pdf(chronology: Chronology) -> bytes:
    """The significant events, oldest first, and the analysis note."""
    from weasyprint import HTML  # noqa: PLC0415 - heavy import, only when a PDF is asked for

    return bytes(HTML(string=to_html(chronology)).write_pdf(pdf_variant="pdf/ua-1"))
