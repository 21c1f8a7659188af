"""Resolution 4, a focus on new emerging communities: is their recording getting better?

`children.emerging_communities` counts the groups among children at risk; these tables say how
far those counts can be trusted, year on year and ward by ward: for the children referred in
each financial year, how their ethnicity stands recorded (not obtained, refused, recorded by a
professional's observation, or given by the child or family), whether their first language is
recorded and, where it is not English, whether their date of arrival in the UK is. Counts of
children, so the public edition's disclosure control applies as to any table; the shares and
the trend are written out in the restricted edition only (from a suppressed count a share could
give the count back).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from safehub.reports.sections.context import Context, Part, financial_year_label
from safehub.reports.tables import Table

RECORDING = (
    ("identified", "Given by the child or family"),
    ("observed", "Recorded by observation"),
    ("refused", "Refused"),
    ("not_obtained", "Not obtained"),
)
POOR = ("observed", "refused", "not_obtained")


def _share(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "none"


def ethnicity_recording_quality(ctx: Context) -> Part:
    rows = ctx.rows_this_period("ethnicity_recording_quality")
    by_year: dict[int, Counter[str]] = {y: Counter() for y in ctx.years}
    by_ward: dict[str, Counter[str]] = {}
    names: dict[str, str] = {w["ward_code"]: w["ward_name"] for w in ctx.area_wards}
    for r in rows:
        year = int(r["financial_year"])
        if year in by_year:
            by_year[year][r["recording"]] += int(r["children"])
        if year == ctx.fy_now:
            names.setdefault(r["ward_code"], r["ward_name"])
            by_ward.setdefault(r["ward_code"], Counter())[r["recording"]] += int(r["children"])
    wards = sorted(names, key=lambda code: (code == "unknown", names[code]))
    columns = [label for _, label in RECORDING]
    tables = [
        Table(
            key="ethnicity_recording_by_year",
            title="How the ethnicity of children referred was recorded, by year",
            row_header="Financial year",
            row_labels=[financial_year_label(y) for y in ctx.years],
            row_keys=[financial_year_label(y) for y in ctx.years],
            columns=columns,
            counts=[[by_year[y][k] for k, _ in RECORDING] for y in ctx.years],
            total_label="Children referred",
            total_row=False,
            note=f"{financial_year_label(ctx.fy_now)} is the year to date ({ctx.this_year}).",
            metrics=("ethnicity_recording_quality",),
        ),
        Table(
            key="ethnicity_recording_by_ward",
            title=f"How the ethnicity of children referred in {ctx.this_year} was recorded, "
            "by ward",
            row_header="Ward",
            row_labels=[names[c] for c in wards],
            row_keys=wards,
            columns=columns,
            counts=[[by_ward.get(c, Counter())[k] for k, _ in RECORDING] for c in wards],
            total_label="Children referred",
            # Each column's total is this year's row of the table by year.
            repeats={
                "column_totals": (
                    "ethnicity_recording_by_year",
                    financial_year_label(ctx.fy_now),
                )
            },
            metrics=("ethnicity_recording_quality",),
        ),
    ]
    return Part(tables, {"ethnicity_recording_trend": _trend_note(ctx, by_year)})


def _trend_note(ctx: Context, by_year: dict[int, Counter[str]]) -> str:
    if ctx.public:
        return (
            "The committee asked whether the recording of ethnicity improves: the tables show "
            "each year's children referred by how their ethnicity was recorded."
        )
    parts = []
    for year in ctx.years:
        counts = by_year[year]
        whole = sum(counts.values())
        parts.append(
            f"{financial_year_label(year)}: not obtained {_share(counts['not_obtained'], whole)}, "
            f"refused {_share(counts['refused'], whole)}, by observation "
            f"{_share(counts['observed'], whole)} of {whole} children"
        )
    first, last = by_year[ctx.years[0]], by_year[ctx.years[-1]]

    def poor(c: Counter[str]) -> float:
        whole = sum(c.values())
        return sum(c[k] for k in POOR) / whole if whole else 0.0

    if not sum(first.values()) or not sum(last.values()):
        direction = "There are too few years with referrals to show a trend."
    elif poor(last) < poor(first):
        direction = "Recording has improved: a smaller share is not given by the child or family."
    elif poor(last) > poor(first):
        direction = (
            "Recording has not improved: a larger share is not given by the child or family."
        )
    else:
        direction = "Recording is unchanged."
    return f"{'; '.join(parts)}. {direction}"


def language_arrival_recording(ctx: Context) -> Part:
    rows = ctx.rows_this_period("language_arrival_recording")
    counts: dict[int, Counter[str]] = {y: Counter() for y in ctx.years}
    for r in rows:
        year = int(r["financial_year"])
        if year not in counts:
            continue
        n = int(r["children"])
        counts[year]["children"] += n
        counts[year][r["first_language"]] += n
        if r["first_language"] == "other" and not r["arrival_recorded"]:
            counts[year]["other_no_arrival"] += n
    keys: list[tuple[str, str]] = [
        ("children", "Children referred"),
        ("not_recorded", "First language not recorded"),
        ("other", "First language not English"),
        ("other_no_arrival", "First language not English, date of arrival not recorded"),
    ]
    table = Table(
        key="language_arrival_recording",
        title="First language and date of arrival of children referred, by year",
        row_header="Financial year",
        row_labels=[financial_year_label(y) for y in ctx.years],
        columns=[label for _, label in keys],
        counts=[[counts[y][k] for k, _ in keys] for y in ctx.years],
        shape="columns",
        total_row=False,
        note="Each column is a separate count of the same children; columns do not add up.",
        metrics=("language_arrival_recording",),
    )
    notes: dict[str, Any] = {}
    if not ctx.public:
        notes["language_arrival_trend"] = "; ".join(
            f"{financial_year_label(y)}: first language not recorded for "
            f"{_share(counts[y]['not_recorded'], counts[y]['children'])}, date of arrival not "
            f"recorded for {_share(counts[y]['other_no_arrival'], counts[y]['other'])} of those "
            "whose first language is not English"
            for y in ctx.years
        )
    return Part([table], notes)
