"""The committee report's view model: every figure for one area on one day, from a snapshot.

The committee asked for data sets it could compare and analyse (resolution 1), live cases now
against a year ago, Youth Service links (2), timely support for lower-risk cases (3) and a focus
on new emerging communities (4). Each section below answers one of those, computed from the
metric SQL files (whose definitions print in the appendix), so the words and the numbers come
from one place. Sections for records Safehub does not hold yet say "not recorded".
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from safehub.analytics import engines, metrics, revisions, snapshot
from safehub.reports.tables import NotRecorded, Table, apply_disclosure_control, publish_total
from safehub.rules import codes
from safehub.rules.disclosure import SUPPRESSED

UNKNOWN_WARD = "unknown"
EDITIONS = ("restricted", "public")
LEVELS = ("high", "medium", "low")
SEX_LABELS = {"F": "Female", "M": "Male"}


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
    revision_from: snapshot.Manifest | None = None

    @property
    def public(self) -> bool:
        return self.edition == "public"

    @property
    def title(self) -> str:
        place = f"{self.district} district" if self.area == self.district else f"{self.area} area"
        return f"Child exploitation: {place}"


def financial_year_label(start_year: int) -> str:
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def financial_year_of(day: dt.date) -> int:
    return day.year if day.month >= 4 else day.year - 1  # noqa: PLR2004


def _year_earlier(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def _in_area(area: str, district: str, row_area: str) -> bool:
    return area in {district, row_area}


def district_name(manifest: snapshot.Manifest) -> str:
    """The local authority the snapshot's wards belong to: loaded data, not code."""
    engine = engines.DuckDBEngine(manifest)
    try:
        rows = engine.con.execute(
            "SELECT DISTINCT local_authority FROM wards ORDER BY local_authority"
        ).fetchall()
    finally:
        engine.close()
    names = [str(r[0]) for r in rows if r[0]]
    if len(names) > 1:
        raise ReportError(
            f"the snapshot holds the wards of {len(names)} local authorities "
            f"({', '.join(names)}); one Safehub serves one council"
        )
    return names[0] if names else "The"


def areas(manifest: snapshot.Manifest) -> list[str]:
    """The district first, then its area committees (of any ward set loaded)."""
    engine = engines.DuckDBEngine(manifest)
    try:
        rows = engine.con.execute("SELECT DISTINCT area FROM wards ORDER BY area").fetchall()
    finally:
        engine.close()
    return [district_name(manifest), *(str(r[0]) for r in rows)]


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
    eng: engines.Engine = engine or engines.DuckDBEngine(manifest)
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
        report.revision = revisions.explain(
            compare_with, manifest, as_of=as_of, area=None if area == report.district else area
        )
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


def _build(  # noqa: PLR0913, PLR0915, C901, PLR0912 - one linear pass, section by section
    manifest: snapshot.Manifest,
    eng: engines.Engine,
    wards: list[dict[str, Any]],
    *,
    area: str,
    district: str,
    as_of: dt.date,
    edition: str,
) -> Report:
    open_now = [
        r
        for r in eng.run(metrics.get("open_children"), d=as_of).dicts()
        if _in_area(area, district, r["area"])
    ]
    a_year_ago = _year_earlier(as_of)
    open_then = [
        r
        for r in eng.run(metrics.get("open_children"), d=a_year_ago).dicts()
        if _in_area(area, district, r["area"])
    ]
    fy_now = financial_year_of(as_of)
    years = [fy_now - 2, fy_now - 1, fy_now]
    start, end = dt.date(years[0], 4, 1), as_of + dt.timedelta(days=1)
    referrals = [
        r
        for r in eng.run(metrics.get("referrals_by_financial_year"), start=start, end=end).dicts()
        if _in_area(area, district, r["area"])
    ]
    sources = [
        r
        for r in eng.run(metrics.get("referrals_by_source"), start=start, end=end).dicts()
        if _in_area(area, district, r["area"])
    ]
    timeliness = [
        r
        for r in eng.run(metrics.get("timeliness"), start=start, end=end).dicts()
        if _in_area(area, district, r["area"])
    ]
    youth = [
        r
        for r in eng.run(metrics.get("youth_service"), start=start, end=end).dicts()
        if _in_area(area, district, r["area"])
    ]
    activity = [
        r
        for r in eng.run(metrics.get("episode_activity"), start=start, end=end).dicts()
        if _in_area(area, district, r["area"])
    ]
    dates = metrics.month_ends(as_of, 36)
    monthly = [
        r
        for r in eng.run(metrics.get("monthly_open_children"), dates=dates).dicts()
        if _in_area(area, district, r["area"])
    ]

    tables: dict[str, Table] = {}
    area_wards = [w for w in wards if _in_area(area, district, w["area"])]
    by_ward: dict[str, Counter[str]] = defaultdict(Counter)
    for r in open_now:
        by_ward[r["ward_code"]][r["risk_level"]] += r["children"]
    ward_rows = sorted(
        area_wards, key=lambda w: (-sum(by_ward[w["ward_code"]].values()), w["ward_name"])
    )
    # One row for every child not in a ward in force on D: no address, or one placed on wards
    # that were not in force that day.
    in_force = {w["ward_code"] for w in area_wards}
    for code in [c for c in by_ward if c not in in_force]:
        by_ward[UNKNOWN_WARD] += by_ward.pop(code)
    extra = [UNKNOWN_WARD] if by_ward.get(UNKNOWN_WARD) else []
    unknown_label = (
        "Ward not known"
        if wards
        else f"Ward not known — the wards in force on {as_of:%-d %B %Y} are not loaded"
    )
    level_columns = list(LEVELS)
    if any(by_ward[c]["none"] for c in by_ward):
        level_columns.append("none")
    tables["by_ward"] = Table(
        key="by_ward",
        title=f"Children at risk on {as_of:%-d %B %Y} by ward and risk level",
        row_header="Ward",
        row_labels=[w["ward_name"] for w in ward_rows] + [unknown_label for _ in extra],
        row_keys=[w["ward_code"] for w in ward_rows] + extra,
        columns=[c.capitalize() if c != "none" else "Not graded" for c in level_columns],
        counts=[
            [by_ward[code][level] for level in level_columns]
            for code in [w["ward_code"] for w in ward_rows] + extra
        ],
        total_label="Children at risk",
        metrics=("open_children",),
    )

    age_sex: dict[str, Counter[str]] = defaultdict(Counter)
    for r in open_now:
        age_sex[r["age_band"]][SEX_LABELS.get(r["sex"], "Other or not known")] += r["children"]
    sexes = ["Female", "Male"] + (
        ["Other or not known"] if any(c["Other or not known"] for c in age_sex.values()) else []
    )
    bands = [b for b in (*codes.AGE_BANDS, "not known") if b in age_sex]
    tables["age_sex"] = Table(
        key="age_sex",
        title="Children at risk by age and sex",
        row_header="Age",
        row_labels=bands,
        columns=sexes,
        counts=[[age_sex[b][s] for s in sexes] for b in bands],
        metrics=("open_children",),
    )

    groups: Counter[str] = Counter()
    sources_rec: Counter[str] = Counter()
    for r in open_now:
        groups[r["ethnic_group"]] += r["children"]
        sources_rec[r["ethnicity_source"]] += r["children"]
    group_keys = [g for g in codes.EthnicGroup if groups[g.value]]
    tables["ethnicity"] = Table(
        key="ethnicity",
        title="Children at risk by ethnic group",
        row_header="Ethnic group",
        row_labels=[g.label for g in group_keys],
        columns=["Children"],
        counts=[[groups[g.value]] for g in group_keys],
        metrics=("open_children",),
    )
    source_keys = [s for s in codes.EthnicityRecordingSource if sources_rec[s.value]]
    tables["ethnicity_recording"] = Table(
        key="ethnicity_recording",
        title="How the ethnicity of children at risk was recorded",
        row_header="Recorded as",
        row_labels=[s.label for s in source_keys],
        columns=["Children"],
        counts=[[sources_rec[s.value]] for s in source_keys],
        metrics=("open_children",),
    )
    total_now = _sum(open_now)
    not_known = sum(groups[g] for g in ("not_known",))
    identified = sum(sources_rec[s] for s in ("self_identified", "parent_carer"))
    emerging = [
        (
            "Gypsy, Roma or Irish Traveller",
            [r for r in open_now if r["ethnicity"] in ("WROM", "WIRT")],
        ),
        ("Any other White background", [r for r in open_now if r["ethnicity"] == "WOTH"]),
        ("First language not English", [r for r in open_now if r["first_language"] == "other"]),
        (
            "Arrived in the UK in the last five years",
            [r for r in open_now if r["arrived_last_5_years"]],
        ),
    ]
    tables["emerging_communities"] = Table(
        key="emerging_communities",
        title="Emerging communities among children at risk",
        row_header="Children who are",
        row_labels=[label for label, _ in emerging],
        columns=["Children"],
        counts=[[_sum(rows)] for _, rows in emerging],
        shape="columns",
        total_row=False,
        note="A child may be counted in more than one row; rows do not add up.",
        metrics=("open_children",),
    )

    ref_by_year: dict[int, Counter[str]] = {y: Counter() for y in years}
    for r in referrals:
        for key in ("referrals", "children", "children_referred_more_than_once"):
            ref_by_year[r["financial_year"]][key] += r[key]
    tables["referrals_by_financial_year"] = Table(
        key="referrals_by_financial_year",
        title="Referrals by financial year",
        row_header="Financial year",
        row_labels=[
            financial_year_label(y) + (f" (to {as_of:%-d %B})" if y == fy_now else "")
            for y in years
        ],
        row_keys=[financial_year_label(y) for y in years],
        columns=["Referrals", "Individual children", "Children referred more than once"],
        counts=[
            [
                ref_by_year[y][k]
                for k in ("referrals", "children", "children_referred_more_than_once")
            ]
            for y in years
        ],
        shape="columns",
        total_row=False,
        metrics=("referrals_by_financial_year",),
    )

    src: Counter[str] = Counter()
    for r in sources:
        if r["dimension"] == "source" and r["financial_year"] == fy_now - 1:
            src[r["value"]] += r["referrals"]
    top = [s for s, _ in src.most_common()]
    tables["referrals_by_source"] = Table(
        key="referrals_by_source",
        title=f"Referrals in {financial_year_label(fy_now - 1)} by who referred",
        row_header="Source",
        row_labels=[codes.ReferralSource(s).label for s in top],
        columns=["Referrals"],
        counts=[[src[s]] for s in top],
        metrics=("referrals_by_source",),
    )

    time_rows: dict[str, Counter[str]] = defaultdict(Counter)
    for r in timeliness:
        if r["financial_year"] == fy_now:
            time_rows[r["measure"]]["within"] += r["within_target"]
            time_rows[r["measure"]]["late"] += r["completed"] - r["within_target"]
            time_rows[r["measure"]]["not_done"] += r["cases"] - r["completed"]
    tables["timeliness"] = Table(
        key="timeliness",
        title=f"Timeliness in {financial_year_label(fy_now)} to {as_of:%-d %B %Y}",
        row_header="What was due",
        row_labels=[
            "Decision on a referral (target: 1 working day)",
            "Return home interview (target: 72 hours)",
        ],
        columns=["Within target", "Later", "Not done"],
        counts=[
            [time_rows[m]["within"], time_rows[m]["late"], time_rows[m]["not_done"]]
            for m in ("decisions", "return_interviews")
        ],
        total_label="All",
        total_row=False,  # decisions and return home interviews do not add up
        metrics=("timeliness",),
    )

    yth: Counter[str] = Counter()
    for r in youth:
        if r["financial_year"] == fy_now:
            yth["from"] += r["referrals_from_youth_service"]
            yth["to"] += r["decisions_to_youth_service"]
    tables["youth_service"] = Table(
        key="youth_service",
        title=f"Youth Service involvement in {financial_year_label(fy_now)} to {as_of:%-d %B %Y}",
        row_header="Measure",
        row_labels=["Referrals made by the Youth Service", "Referrals routed to the Youth Service"],
        columns=["Referrals"],
        counts=[[yth["from"]], [yth["to"]]],
        shape="columns",
        total_row=False,  # referrals made and referrals received are not one thing
        metrics=("youth_service",),
    )

    act: Counter[str] = Counter()
    for r in activity:
        if r["financial_year"] == fy_now:
            act[r["event"]] += r["episodes"]
    events = ["opened", "closed", "escalated", "de-escalated"]
    tables["episode_activity"] = Table(
        key="episode_activity",
        title=f"Hub activity in {financial_year_label(fy_now)} to {as_of:%-d %B %Y}",
        row_header="Event",
        row_labels=[
            "Episodes opened",
            "Episodes closed",
            "Risk raised (escalated)",
            "Risk lowered (de-escalated)",
        ],
        columns=["Number"],
        counts=[[act[e]] for e in events],
        shape="columns",
        total_row=False,  # openings, closures and escalations do not add up
        metrics=("episode_activity",),
    )

    care = sum(r["children"] for r in open_now if r["known_to_social_care"])
    tables["social_care"] = Table(
        key="social_care",
        title="Children at risk also known to children's social care",
        row_header="Known to children's social care on the day",
        row_labels=["Yes (child in need, child protection plan or looked after)", "No"],
        columns=["Children"],
        counts=[[care], [total_now - care]],
        metrics=("open_children",),
    )

    level_now = Counter[str]()
    for r in open_now:
        level_now[r["risk_level"]] += r["children"]
    total_then = _sum(open_then)
    headline: dict[str, Any] = {
        "open_children": total_now,
        "open_children_year_earlier": total_then,
        "change": total_now - total_then,
        "year_earlier_date": a_year_ago,
        **{level: level_now[level] for level in LEVELS},
    }

    trend: dict[dt.date, Counter[str]] = {d: Counter() for d in dates}
    for r in monthly:
        trend[r["month_end"]][r["risk_level"]] += r["children"]
    trend_rows: list[dict[str, Any]] = [
        {"month_end": d, **{lvl: trend[d][lvl] for lvl in LEVELS}, "total": sum(trend[d].values())}
        for d in dates
    ]

    public = edition == "public"
    if public:
        apply_disclosure_control(list(tables.values()))
        headline = _public_headline(headline, tables["by_ward"])
        # Month totals only: by level, one small count would follow from the total and the rest.
        trend_rows = [
            {"month_end": row["month_end"], "total": publish_total(row["total"])}
            for row in trend_rows
        ]

    notes = {
        "ethnicity": (
            f"Ethnicity was not obtained or was refused for {not_known} of {total_now} children; "
            f"for {identified} it was given by the child or their family, and for the rest it "
            "was recorded from a professional's observation, which may not be how the child "
            "identifies."
            if not public  # the counts may be cells the ethnicity tables suppress
            else "Ethnicity is often not obtained, refused or recorded by observation rather than "
            "as the child identifies; treat this breakdown with care."
        ),
        "year_earlier": (
            f"On {a_year_ago:%-d %B %Y} the hub had {headline['open_children_year_earlier']} "
            "children at risk in the same area, counted the same way."
        ),
    }
    ward_values = {
        code: sum(by_ward[code].values()) for code in (w["ward_code"] for w in area_wards)
    }
    recorded_ids = set(manifest.data.get("not_recorded", []))
    not_recorded = [
        NotRecorded(
            "pathway_referrals",
            "Pathway referrals: accepted and first contact within target",
            "Safehub does not record pathway referrals' acceptance and first contact yet, so "
            "timeliness of support for lower-risk cases (resolution 3) cannot be reported.",
        ),
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
    not_recorded = [n for n in not_recorded if n.key in recorded_ids or not recorded_ids]
    definitions = {
        m.name: {"title": m.title, "definition": m.definition, "unit": m.unit}
        for m in metrics.all_metrics().values()
        if m.disclosure != "none"  # internal rows, never published
    }
    if not wards:
        notes["wards"] = (
            f"The wards in force on {as_of:%-d %B %Y} are not loaded in Safehub, so children are "
            "not shown by ward and there is no map. The figures for the district are complete. "
            "An administrator loads the new wards from the ONS boundary file with "
            "`safehub geo import-wards`."
        )
    return Report(
        area=area,
        district=district,
        as_of=as_of,
        edition=edition,
        manifest=manifest,
        headline=headline,
        tables=tables,
        trend=trend_rows,
        ward_values=ward_values,
        ward_boundaries=area_wards,
        notes=notes,
        not_recorded=not_recorded,
        definitions=definitions,
    )
