"""The committee report in four formats from one view model: HTML, PDF (from the same HTML,
through WeasyPrint), XLSX (one sheet per table) and JSON (the contract other tools read)."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from typing import Any

from django.template.loader import render_to_string

from safehub.analytics import revisions
from safehub.reports import charts, pdf
from safehub.reports.committee import Report
from safehub.reports.sections.context import financial_year_label, financial_year_of
from safehub.reports.tables import Table, Value, publish_total
from safehub.rules.disclosure import SUPPRESSED

FORMATS = ("html", "pdf", "xlsx", "json")
# The tables the page template places with their own headings and words; a section added later
# is printed after them, under its own title, without touching the template.
PLACED_TABLES = frozenset(
    {
        "by_ward",
        "year_earlier_by_level",
        "year_earlier_by_ward",
        "exploitation_types",
        "referrals_by_financial_year",
        "referrals_by_source",
        "age_sex",
        "ethnicity",
        "ethnicity_recording",
        "emerging_communities",
        "pathway_timeliness",
        "pathway_outcomes",
        "pathway_by_community",
        "support_involvement",
        "ethnicity_recording_by_year",
        "ethnicity_recording_by_ward",
        "language_arrival_recording",
        "social_care",
        "timeliness",
        "youth_service",
        "episode_activity",
    }
)


def _provenance(report: Report) -> dict[str, Any]:
    data = report.manifest.data
    return {
        "id": report.manifest.id,
        "knowledge_time": data["knowledge_time"],
        "sha256": report.manifest.sha256,
        "code_version": data.get("code_version", ""),
        "schema_version": data.get("schema_version"),
    }


def to_json(report: Report) -> dict[str, Any]:
    ward_table = report.tables["by_ward"]
    shown_values = charts.ward_values_shown(report)
    levels = [c.lower() for c in ward_table.columns]
    map_numbers = charts.ward_numbers(report)
    by_ward = []
    for code, label, row in zip(
        ward_table.row_keys, ward_table.row_labels, ward_table.shown(), strict=True
    ):
        entry: dict[str, Value | str | None] = {
            "ward_code": code,
            "ward_name": label,
            "map_number": int(map_numbers[code]) if code in map_numbers else None,
            "open_children": shown_values.get(
                code, ward_table.shown_row_total(ward_table.row_keys.index(code))
            ),
        }
        if not ward_table.coarsened:
            entry |= {
                lvl: row[j] for j, lvl in enumerate(levels) if lvl in ("high", "medium", "low")
            }
        by_ward.append(entry)
    referrals = report.tables["referrals_by_financial_year"]
    return {
        "area": report.area,
        "as_of": report.as_of.isoformat(),
        "edition": report.edition,
        "title": report.title,
        "snapshot": _provenance(report),
        "headline": {
            k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in report.headline.items()
        },
        "by_ward": by_ward,
        "referrals_by_financial_year": [
            {
                "year": key,
                "referrals": row[0],
                "children": row[1],
                "children_referred_more_than_once": row[2],
            }
            for key, row in zip(referrals.row_keys, referrals.shown(), strict=True)
        ],
        "tables": {key: _table_json(t) for key, t in report.tables.items()},
        "trend": [
            {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in row.items()}
            for row in report.trend
        ],
        "notes": report.notes,
        "not_recorded": [
            {"section": n.key, "title": n.title, "reason": n.reason} for n in report.not_recorded
        ],
        "definitions": {name: d["definition"] for name, d in report.definitions.items()},
        "revision": _revision_json(report),
        "content": _plain(report.content),
    }


def _plain(value: Any) -> Any:
    """Section content for JSON: dates as ISO text, everything else as it is."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value.isoformat() if isinstance(value, dt.date) else value


MINUS = "\u2212"  # a true minus sign (U+2212), never a hyphen


def _count(report: Report, n: int) -> Value:
    """A revision count: the public edition prints 1 to 5 as "c", as for any count alone."""
    return publish_total(n) if report.public else n


def _signed(value: Value, sign: int) -> Value:
    """A count with the sign it moves the figure; "c" keeps no sign (the words say which way)."""
    return value if not isinstance(value, int) else sign * value


def _with_sign(value: Value, sign: int) -> str:
    mark = "+" if sign > 0 else MINUS
    return f"{mark}{value}"


def explanation(report: Report, r: revisions.Revision) -> str:
    """The causes in words, each signed: "+1 corrected in", a minus sign for "corrected out"."""
    words = [
        f"{_with_sign(_count(report, getattr(r, name)), sign)} {label}"
        for name, label, sign in revisions.PARTS
        if getattr(r, name)
    ]
    if r.regraded:
        words.append(f"{_count(report, r.regraded)} re-graded")
    return ", ".join(words) or "no change"


def _net(report: Report, value: int, *ends: Value) -> Value:
    """A signed difference, printed only when its ends are; in the public edition one of 1 to 5
    either way is "c" too, like every other number from 1 to 5 it prints."""
    if not all(isinstance(end, int) for end in ends):
        return SUPPRESSED
    size = _count(report, abs(value))
    return value if isinstance(size, int) else size


def _difference(report: Report, r: revisions.Revision) -> Value:
    """Now minus published."""
    return _net(report, r.difference, _count(report, r.published), _count(report, r.now))


def _change_text(difference: Value) -> str:
    """The difference as printed: "+2", "\u22121", "0" or "c"."""
    if not isinstance(difference, int) or difference == 0:
        return str(difference)
    return _with_sign(abs(difference), difference)


# The public edition's words when the causes are withheld (see `_lone_small_cause`).
WITHHELD = "the causes are not published when they are small numbers"


def _lone_small_cause(parts: dict[str, Value], *ends: Value) -> bool:
    """Whether one cause alone is "c" while both ends are printed: the causes add up to the
    change, so that one would be known exactly. Then all causes are withheld (secondary
    suppression: the zeros too, so nobody can tell which cause it was)."""
    hidden = [name for name, value in parts.items() if value == SUPPRESSED]
    return len(hidden) == 1 and all(isinstance(end, int) for end in ends)


def _revision_line(report: Report, r: revisions.Revision, kind: str) -> dict[str, Any]:
    parts: dict[str, Value] = {
        name: _signed(_count(report, getattr(r, name)), sign) for name, _, sign in revisions.PARTS
    }
    withheld = report.public and _lone_small_cause(
        parts, _count(report, r.published), _count(report, r.now)
    )
    if withheld:
        parts = dict.fromkeys(parts, SUPPRESSED)
    corrected = _net(report, r.corrected, parts["corrected_in"], parts["corrected_out"])
    gone = r.merged + r.removed
    return {
        "figure": r.label,
        "kind": kind,
        "published": _count(report, r.published),
        "now": _count(report, r.now),
        "difference": _difference(report, r),
        "change": _change_text(_difference(report, r)),
        **parts,
        "corrected": corrected,
        "regraded": _count(report, r.regraded),
        "merged_or_removed": SUPPRESSED if withheld else _signed(_count(report, gone), -1),
        "explanation": WITHHELD if withheld else explanation(report, r),
    }


def revision_rows(report: Report) -> list[dict[str, Any]]:
    """Every revised figure (headline, risk levels, wards), as the edition prints it."""
    revised = report.revised
    if revised is None:
        return []
    return [
        _revision_line(report, revised.headline, "headline"),
        *(_revision_line(report, r, "risk_level") for r in revised.by_level),
        *(
            {"ward_code": code, "ward_name": r.label} | _revision_line(report, r, "ward")
            for code, r in revised.by_ward
        ),
    ]


def _revision_json(report: Report) -> dict[str, Any] | None:
    if report.revised is None or report.revision_from is None:
        return None
    lines = revision_rows(report)
    headline = {k: v for k, v in lines[0].items() if k not in {"figure", "kind"}}
    return {
        "published_snapshot": report.revision_from.id,
        "published_knowledge_time": report.revision_from.data["knowledge_time"],
        **headline,
        "by_risk_level": [
            {"risk_level": line["figure"].split()[0].lower()}
            | {k: v for k, v in line.items() if k != "kind"}
            for line in lines
            if line["kind"] == "risk_level"
        ],
        "by_ward": [
            {k: v for k, v in line.items() if k != "kind"}
            for line in lines
            if line["kind"] == "ward"
        ],
    }


def _table_json(table: Table) -> dict[str, Any]:
    return {
        "title": table.title,
        "row_header": table.row_header,
        "columns": table.columns,
        "rows": [
            {
                "label": label,
                **({"mark": mark} if table.row_marks else {}),
                "values": cells,
                **({"total": total} if total is not None else {}),
            }
            for mark, label, cells, total in table.marked_body()
        ],
        **({"mark_header": table.mark_header} if table.row_marks else {}),
        **({"totals": table.total_row_cells()} if table.has_total_row else {}),
        "suppressed_cells": table.suppressed_cells,
        "note": table.note,
    }


def context(report: Report) -> dict[str, Any]:
    if not report.charts:
        charts.draw_all(report)
    return {
        "revision_rows": revision_rows(report),
        "report": report,
        "charts": report.charts,
        "provenance": _provenance(report),
        "tables": report.tables,
        "more_tables": [t for key, t in report.tables.items() if key not in PLACED_TABLES],
        "headline": report.headline,
        "fy_now": financial_year_label(financial_year_of(report.as_of)),
        "generated_at": dt.datetime.now(dt.UTC),
    }


def to_html(report: Report) -> str:
    return render_to_string("reports/committee.html", context(report))


def to_pdf(report: Report) -> bytes:
    """The page as a PDF, with the charts as PNG (the page's own are SVG); `report.charts` holds
    them as data URIs afterwards, as for the page."""
    images = charts.images(report, fmt="png")
    report.charts = charts.data_uris(images, "png")
    page = context(report) | {"charts": {name: pdf.chart_url(name) for name in images}}
    return pdf.write(render_to_string("reports/committee.html", page), images)


def file_name(area: str, as_of: dt.date, edition: str, fmt: str) -> str:
    """A download's name says which edition it is, so the two are never confused."""
    marking = "PUBLIC" if edition == "public" else "RESTRICTED-not-for-publication"
    slug = re.sub(r"[^a-z0-9]+", "-", area.lower()).strip("-")
    return f"committee-{slug}-{as_of.isoformat()}-{marking}.{fmt}"


_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def _append(sheet: Any, values: list[Any]) -> None:
    """Add a row in which no text becomes a formula.

    openpyxl stores a string that begins with `=` as a formula; labels come from reference data
    (ward and area names) that an administrator types, so every string is kept a string. In a
    workbook, unlike a CSV file, a string cell is never evaluated, so nothing else is needed.
    """
    sheet.append(values)
    for cell in sheet[sheet.max_row]:
        if cell.data_type == "f":
            cell.data_type = "s"


def to_xlsx(report: Report) -> bytes:  # noqa: C901 - one sheet after another
    from openpyxl import Workbook  # noqa: PLC0415
    from openpyxl.styles import Alignment, Font  # noqa: PLC0415

    book = Workbook()
    about = book.active
    about.title = "About"
    prov = _provenance(report)
    for row in (
        (report.title,),
        ("Edition", report.edition),
        ("Area", report.area),
        ("Reference date D", report.as_of.isoformat()),
        ("Snapshot", prov["id"]),
        ("Knowledge time T", prov["knowledge_time"]),
        ("Snapshot SHA-256", prov["sha256"]),
        ("Code version", prov["code_version"]),
        ("Children at risk on D", report.headline["open_children"]),
        ("A year earlier", report.headline["open_children_year_earlier"]),
        *(("Public edition: c", "1 to 5, or withheld so that a small count cannot be worked out"),)
        * report.public,
    ):
        _append(about, list(row))
    about["A1"].font = Font(bold=True, size=14)
    about.column_dimensions["A"].width = 28
    about.column_dimensions["B"].width = 70
    for table in report.tables.values():
        sheet = book.create_sheet(_SHEET_BAD.sub(" ", table.key)[:31])
        _append(sheet, [table.title])
        sheet["A1"].font = Font(bold=True, size=12)
        header = [table.row_header, *table.columns] + (
            [table.total_label] if table.has_row_total else []
        )
        _append(sheet, header)
        for cell in sheet[2]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True)
        for label, cells, total in table.body():
            _append(sheet, [label, *cells] + ([total] if total is not None else []))
        if table.has_total_row:
            _append(sheet, ["Total", *table.total_row_cells()])
            for cell in sheet[sheet.max_row]:
                cell.font = Font(bold=True)
        if table.note:
            _append(sheet, [])
            _append(sheet, [table.note])
        sheet.column_dimensions["A"].width = 48
    revised = revision_rows(report)
    if revised:
        sheet = book.create_sheet("revisions")
        _append(sheet, ["Figure", "First published", "Counted now", "Change", "Why"])
        for line in revised:
            figure = f"Ward: {line['figure']}" if line["kind"] == "ward" else line["figure"]
            _append(
                sheet,
                [figure, line["published"], line["now"], line["change"], line["explanation"]],
            )
        sheet.column_dimensions["A"].width = 40
        sheet.column_dimensions["E"].width = 80
    _scrutiny_sheet(book, report)
    trend = book.create_sheet("trend")
    columns = [k for k in ("month_end", "high", "medium", "low", "total") if k in report.trend[0]]
    _append(trend, [k.replace("_", " ").capitalize() for k in columns])
    for month in report.trend:
        _append(trend, [month[k] for k in columns])
    not_recorded = book.create_sheet("not_recorded")
    _append(not_recorded, ["Section", "Why it is not in this report"])
    for n in report.not_recorded:
        _append(not_recorded, [n.title, n.reason])
    definitions = book.create_sheet("definitions")
    _append(definitions, ["Figure", "Definition", "Unit"])
    for d in report.definitions.values():
        _append(definitions, [d["title"], d["definition"], d["unit"]])
    definitions.column_dimensions["A"].width = 40
    definitions.column_dimensions["B"].width = 100
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


SCRUTINY_HEADER = (
    "Meeting",
    "Held on",
    "Resolution",
    "Resolved",
    "Action",
    "Owner",
    "Due",
    "Status",
    "Overdue",
    "Progress reported on",
    "Progress",
    "Status then",
    "Evidence",
)


def scrutiny_rows(report: Report) -> list[list[Any]]:
    """Progress on previous resolutions as rows: one per progress update reported since the
    last meeting, or per action (or resolution) with none, as the page prints it. Words and
    dates, no counts: both editions print the same."""
    progress = report.content.get("scrutiny") or {}
    rows: list[list[Any]] = []
    for meeting in progress.get("meetings", []):
        held = [meeting["committee"], meeting["held_on"]]
        for resolution in meeting["resolutions"]:
            said = [*held, resolution["number"], resolution["text"]]
            if not resolution["actions"]:
                rows.append([*said, "No action recorded", *[""] * 8])
            for action in resolution["actions"]:
                done = [
                    *said,
                    action["text"],
                    action["owner"],
                    action["due_on"],
                    action["status"],
                    "Overdue" if action["overdue"] else "",
                ]
                updates = action["updates"] or [None]
                rows.extend(
                    [*done, "", "No progress reported since the last meeting", "", ""]
                    if u is None
                    else [*done, u["reported_on"], u["text"], u["status"], u.get("evidence") or ""]
                    for u in updates
                )
    return rows


def _scrutiny_sheet(book: Any, report: Report) -> None:
    if "scrutiny" not in report.content:
        return
    sheet = book.create_sheet("scrutiny")
    since = report.content["scrutiny"].get("since")
    _append(
        sheet,
        [
            "Progress on previous resolutions"
            + (f", reported since the meeting of {since:%-d %B %Y}" if since else "")
        ],
    )
    _append(sheet, list(SCRUTINY_HEADER))
    for row in scrutiny_rows(report):
        _append(sheet, row)
    if sheet.max_row == 2:  # noqa: PLR2004 - the title and the header only
        _append(sheet, ["No committee meeting of this area is recorded on or before D."])
    for column in ("A", "D", "E", "K"):
        sheet.column_dimensions[column].width = 48


def render(report: Report, fmt: str) -> bytes:
    if fmt == "json":
        return (json.dumps(to_json(report), indent=2, ensure_ascii=False) + "\n").encode()
    if fmt == "html":
        return to_html(report).encode()
    if fmt == "pdf":
        return to_pdf(report)
    if fmt == "xlsx":
        return to_xlsx(report)
    raise ValueError(f"format must be one of {', '.join(FORMATS)}")
