"""The committee report's view model: every figure for one area on one day, from a snapshot.

The committee asked for data sets it could compare and analyse (resolution 1), live cases now
against a year ago, Youth Service links (2), timely support for lower-risk cases (3) and a focus
on new emerging communities (4). Each section below answers one of those, computed from the
metric SQL files (whose definitions print in the appendix), so the words and the numbers come
from one place. Sections for records Safehub does not hold yet say "not recorded".
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from safehub.analytics import engines, metrics, revisions, snapshot
from safehub.reports import sections
from safehub.reports.sections import scrutiny
from safehub.reports.sections.children import LEVELS
from safehub.reports.sections.year_earlier import year_earlier
from safehub.reports.tables import (
    NotRecorded,
    Table,
    add_changes,
    apply_disclosure_control,
    publish_total,
)
from safehub.rules.disclosure import SUPPRESSED

EDITIONS = ("restricted", "public")


class ReportError(ValueError):
    """The report cannot be built as asked (unknown area, a date outside the snapshot)."""


@dataclass
class Report:
    area: str
    district: str
    as_of: dt.date
    edition: str
    manifest: snapshot.Manifest
    headline: dict[str, Any]
    tables: dict[str, Table]
    trend: list[dict[str, Any]]
    ward_values: dict[str, int]
    ward_boundaries: list[dict[str, Any]]
    notes: dict[str, str]
    not_recorded: list[NotRecorded]
    definitions: dict[str, dict[str, str]]
    charts: dict[str, str] = field(default_factory=dict)
    revision: revisions.Revision | None = None
    revised: revisions.Revisions | None = None
    revision_from: snapshot.Manifest | None = None
    content: dict[str, Any] = field(default_factory=dict)

    @property
    def public(self) -> bool:
        return self.edition == "public"

    @property
    def title(self) -> str:
        place = f"{self.district} district" if self.area == self.district else f"{self.area} area"
        return f"Child exploitation: {place}"


# The local authorities and areas of a snapshot's wards, by its folder and content hash: a
# snapshot never changes, and opening it to ask cost the report page most of its time.
_WARD_NAMES: dict[tuple[str, str], tuple[list[str], list[str]]] = {}
_WARD_NAMES_KEPT = 16


def _ward_names(manifest: snapshot.Manifest) -> tuple[list[str], list[str]]:
    key = (str(manifest.path), manifest.sha256)
    if key not in _WARD_NAMES:
        engine = engines.kept(manifest)
        try:
            authorities = engine.con.execute(
                "SELECT DISTINCT local_authority FROM wards ORDER BY local_authority"
            ).fetchall()
            areas = engine.con.execute("SELECT DISTINCT area FROM wards ORDER BY area").fetchall()
        finally:
            engine.close()
        if len(_WARD_NAMES) >= _WARD_NAMES_KEPT:
            _WARD_NAMES.clear()
        _WARD_NAMES[key] = (
            [str(r[0]) for r in authorities if r[0]],
            [str(r[0]) for r in areas],
        )
    return _WARD_NAMES[key]


def district_name(manifest: snapshot.Manifest) -> str:
    """The local authority the snapshot's wards belong to: loaded data, not code."""
    names = _ward_names(manifest)[0]
    if len(names) > 1:
        raise ReportError(
            f"the snapshot holds the wards of {len(names)} local authorities "
            f"({', '.join(names)}); one Safehub serves one council"
        )
    return names[0] if names else "The"


def areas(manifest: snapshot.Manifest) -> list[str]:
    """The district first, then its area committees (of any ward set loaded)."""
    return [district_name(manifest), *_ward_names(manifest)[1]]


def _sum(rows: Iterable[dict[str, Any]], key: str = "children") -> int:
    return sum(int(r[key]) for r in rows)


def build(  # noqa: PLR0913 - keyword-only options, each one the CLI exposes
    manifest: snapshot.Manifest,
    *,
    area: str,
    as_of: dt.date,
    edition: str = "restricted",
    engine: engines.Engine | None = None,
    compare_with: snapshot.Manifest | None = None,
) -> Report:
    """The report for `area` on `as_of`; with `compare_with` (the snapshot an earlier edition
    was published from) it also explains how the headline has been revised since."""
    if edition not in EDITIONS:
        raise ReportError(f"edition must be one of {', '.join(EDITIONS)}")
    known_on = manifest.knowledge_time.date()
    if as_of > known_on:
        raise ReportError(
            f"{as_of} is after the snapshot's knowledge time ({known_on}): nothing is known yet"
        )
    own = engine is None
    eng: engines.Engine = engine or engines.kept(manifest)
    try:
        district = district_name(manifest)
        wards = _wards(manifest, eng, as_of)
        if area != district and area not in {w["area"] for w in wards}:
            known = areas(manifest)
            if not wards and area in known:
                raise ReportError(
                    f"the wards in force on {as_of:%-d %B %Y} are not loaded, so there is no "
                    f"{area} report for that day: load them with `safehub geo import-wards FILE "
                    f"--set NAME --from DATE --areas CSV`, take a new snapshot, and ask again "
                    f"(the {district} district report works without them)"
                )
            raise ReportError(f"no area called {area!r}; try one of {', '.join(known)}")
        report = _build(
            manifest, eng, wards, area=area, district=district, as_of=as_of, edition=edition
        )
    finally:
        if own:
            eng.close()
    if compare_with is not None:
        report.revision_from = compare_with
        report.revised = revisions.explain_all(
            compare_with,
            manifest,
            as_of=as_of,
            area=None if area == report.district else area,
            levels=LEVELS,
        )
        report.revision = report.revised.headline
    return report


def _wards(
    manifest: snapshot.Manifest, eng: engines.Engine, as_of: dt.date
) -> list[dict[str, Any]]:
    """The wards in force on D (their boundaries draw the map)."""
    sql = metrics.Metric(
        name="wards_on",
        title="",
        definition="",
        unit="",
        disclosure="none",
        parameters=("d",),
        sql=(
            "SELECT ward_code, ward_name, area, boundary_geojson FROM wards "
            "WHERE set_valid_from <= {{d}} AND (set_valid_to IS NULL OR set_valid_to > {{d}}) "
            "ORDER BY ward_name"
        ),
    )
    return eng.run(sql, d=as_of).dicts()


def _public_headline(headline: dict[str, Any], by_ward: Table) -> dict[str, Any]:
    """The headline as the public edition prints it.

    Children at risk and the count by risk level are the ward table's grand total and column
    totals, so they are printed exactly as that table publishes them; a year earlier stands
    alone. The change is printed only when both of its ends are.
    """
    totals = by_ward.shown_column_totals()
    levels = {c.lower(): v for c, v in zip(by_ward.columns, totals, strict=True)}
    now = totals[0] if by_ward.coarsened else by_ward.shown_grand_total()
    then = publish_total(headline["open_children_year_earlier"])
    both = isinstance(now, int) and isinstance(then, int)
    return {
        **headline,
        "open_children": now,
        "open_children_year_earlier": then,
        "change": headline["change"] if both else None,
        **{level: levels.get(level, SUPPRESSED) for level in LEVELS},
    }


def _build(  # noqa: PLR0913 - the report's coordinates, each one needed
    manifest: snapshot.Manifest,
    eng: engines.Engine,
    wards: list[dict[str, Any]],
    *,
    area: str,
    district: str,
    as_of: dt.date,
    edition: str,
) -> Report:
    """Every section in order, then what the report adds around them: headline and trend."""
    public = edition == "public"
    ctx = sections.Context(eng, area, district, as_of, wards, public)
    tables: dict[str, Table] = {}
    notes: dict[str, str] = {}
    content: dict[str, Any] = {}
    for section in sections.SECTIONS:
        part = section(ctx)
        tables |= {t.key: t for t in part.tables}
        notes |= part.notes
        content |= part.content
    headline = _headline(ctx)
    trend_rows = _trend(ctx)
    if public:
        apply_disclosure_control(list(tables.values()))
    add_changes(list(tables.values()))
    if public:
        headline = _public_headline(headline, tables["by_ward"])
        # Month totals only: by level, one small count would follow from the total and the rest.
        trend_rows = [
            {"month_end": row["month_end"], "total": publish_total(row["total"])}
            for row in trend_rows
        ]
    notes["year_earlier"] = (
        f"On {headline['year_earlier_date']:%-d %B %Y} the hub had "
        f"{headline['open_children_year_earlier']} children at risk in the same area, counted "
        "the same way."
    )
    by_ward = tables["by_ward"]
    area_codes = {w["ward_code"] for w in ctx.area_wards}
    return Report(
        content=content,
        area=area,
        district=district,
        as_of=as_of,
        edition=edition,
        manifest=manifest,
        headline=headline,
        tables=tables,
        trend=trend_rows,
        ward_values={
            code: by_ward.row_total(i)
            for i, code in enumerate(by_ward.row_keys)
            if code in area_codes
        }
        | {code: 0 for code in area_codes if code not in by_ward.row_keys},
        ward_boundaries=ctx.area_wards,
        notes=notes,
        not_recorded=_not_recorded(manifest),
        definitions={
            m.name: {"title": m.title, "definition": m.definition, "unit": m.unit}
            for m in metrics.all_metrics().values()
            if m.disclosure != "none"  # internal rows, never published
        },
    )


def _headline(ctx: sections.Context) -> dict[str, Any]:
    """Children at risk on D and a year earlier (live cases now against a year ago)."""
    a_year_ago = year_earlier(ctx.as_of)
    then = _sum(ctx.rows("open_children", d=a_year_ago))
    levels = Counter[str]()
    for r in ctx.open_now:
        levels[r["risk_level"]] += r["children"]
    return {
        "open_children": ctx.total_now,
        "open_children_year_earlier": then,
        "change": ctx.total_now - then,
        "year_earlier_date": a_year_ago,
        **{level: levels[level] for level in LEVELS},
    }


def _trend(ctx: sections.Context) -> list[dict[str, Any]]:
    """Children at risk at each month end over three years, by risk level."""
    dates = metrics.month_ends(ctx.as_of, 36)
    trend: dict[dt.date, Counter[str]] = {d: Counter() for d in dates}
    for r in ctx.rows("monthly_open_children", dates=dates):
        trend[r["month_end"]][r["risk_level"]] += r["children"]
    return [
        {"month_end": d, **{lvl: trend[d][lvl] for lvl in LEVELS}, "total": sum(trend[d].values())}
        for d in dates
    ]


def _not_recorded(manifest: snapshot.Manifest) -> list[NotRecorded]:
    """Sections whose records Safehub does not hold yet, as the snapshot lists them."""
    # A section is not recorded when the snapshot says so, or lacks the tables it reads (a
    # snapshot older than the feature, or a synthetic one); a manifest without the list is
    # older than every such feature.
    listed = manifest.data.get("not_recorded")
    absent = {"scrutiny_actions"} if not scrutiny.recorded(manifest.data["tables"]) else set()
    not_recorded = [
        NotRecorded(
            "awareness_sessions",
            "Awareness and training coverage",
            "Awareness sessions (taxi, PTS and bus drivers; school plays) are not recorded in "
            "Safehub yet.",
        ),
        NotRecorded(
            "scrutiny_actions",
            "Progress on scrutiny actions",
            "The committee's resolutions are not yet tracked as actions in Safehub.",
        ),
    ]
    return [n for n in not_recorded if listed is None or n.key in {*listed, *absent}]
