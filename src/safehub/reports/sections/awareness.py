"""Prevention and awareness: people reached by each programme against its target population.

A snapshot written before awareness sessions were recorded has no awareness tables; its
manifest still lists them as not recorded, so this section adds nothing and the report says
"not recorded" as it did.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from safehub.reports.sections.context import Context, Part, financial_year_label
from safehub.reports.tables import Table
from safehub.rules import codes, disclosure

TABLES = ("awareness_programmes", "awareness_targets", "awareness_sessions")
# The snapshot format from which a session carries the community it was aimed at.
COMMUNITY_SCHEMA = 6
EVERYONE = "everyone"


def _recorded(ctx: Context) -> bool:
    manifest = getattr(ctx.engine, "manifest", None)
    return manifest is not None and all(t in manifest.data.get("tables", {}) for t in TABLES)


def _target(rows: list[dict[str, Any]], year: int, *, district: bool) -> int | None:
    """The target for one programme in one year, from its target rows in this area.

    A year's own target replaces the every-year one for the same place. For the district its
    own target counts if set, else the sum of its wards'; for an area, the sum of its wards'.
    """
    by_place: dict[str | None, int] = {}
    for r in rows:
        if r["population"] is None or r["financial_year"] not in {year, None}:
            continue
        place = r["ward_code"]
        if r["financial_year"] == year or place not in by_place:
            by_place[place] = r["population"]
    if district and None in by_place:
        return by_place[None]
    wards = [v for k, v in by_place.items() if k is not None]
    return sum(wards) if wards else None


def coverage(ctx: Context) -> Part:
    """People reached this year by programme, with the target population and coverage."""
    if not _recorded(ctx):
        return Part()
    district = ctx.area == ctx.district
    every = ctx.every_row("awareness_targets")
    programmes: dict[str, str] = {}
    for r in sorted(every, key=lambda r: (r["sort_order"], r["programme"])):
        programmes.setdefault(r["programme"], r["programme_name"])
    targets = [r for r in every if district or r["area"] == ctx.area]
    reached: Counter[tuple[str, int]] = Counter()
    sessions: Counter[str] = Counter()
    for r in ctx.rows_this_period("awareness_reached"):
        reached[(r["programme"], r["financial_year"])] += r["reached"]
        if r["financial_year"] == ctx.fy_now:
            sessions[r["programme"]] += r["sessions"]
    codes = list(programmes)
    goal = {
        code: _target([r for r in targets if r["programme"] == code], ctx.fy_now, district=district)
        for code in codes
    }
    shares = []
    for code in codes:
        number, target = reached[(code, ctx.fy_now)], goal[code]
        if not target:
            shares.append(f"{programmes[code]}: no target set")
        elif ctx.public and disclosure.publish_count(number) != number:
            shares.append(f"{programmes[code]}: c (a small number)")
        else:
            shares.append(f"{programmes[code]}: {round(100 * number / target)}%")
    this_year = Table(
        key="awareness_coverage",
        title=f"Awareness and training coverage in {ctx.this_year}",
        row_header="Programme",
        row_labels=[programmes[c] for c in codes],
        row_keys=codes,
        columns=["Sessions", "People reached", "Target population"],
        counts=[[sessions[c], reached[(c, ctx.fy_now)], goal[c] or 0] for c in codes],
        total_column=False,
        total_row=False,
        note=(
            "Coverage (people reached as a share of the target population; someone who "
            "attends twice counts twice; a target of 0 means none is set): "
            + "; ".join(shares)
            + "."
        ),
        metrics=("awareness_reached", "awareness_targets"),
    )
    trend = Table(
        key="awareness_trend",
        title="People reached by awareness and training, by financial year",
        row_header="Programme",
        row_labels=[programmes[c] for c in codes],
        columns=[financial_year_label(y) for y in ctx.years],
        counts=[[reached[(c, y)] for y in ctx.years] for c in codes],
        total_column=False,
        total_row=False,
        note=f"{financial_year_label(ctx.fy_now)} is the year so far.",
        metrics=("awareness_reached",),
    )
    return Part([this_year, trend])


def by_community(ctx: Context) -> Part:
    """Resolution 4: people reached this year by programme and the community aimed at.

    Sessions reach audiences, not children, so the group is the one the deliverer recorded the
    session as aimed at (`rules.codes.Community`, the list children are counted under); a
    session open to everyone is counted apart. Each row's total is the coverage table's people
    reached (and the trend table's this year), so it is declared a repeat of it: shown where
    the coverage table shows it, hidden where that hides it, never hidden here alone. No column
    total or grand total is printed, because the coverage table prints none and one here would
    give a suppressed count of it away.
    """
    if not (_recorded(ctx) and ctx.schema_at_least(COMMUNITY_SCHEMA)):
        return Part()
    programmes: dict[str, str] = {}
    every = ctx.every_row("awareness_targets")
    for r in sorted(every, key=lambda r: (r["sort_order"], r["programme"])):
        programmes.setdefault(r["programme"], r["programme_name"])
    reached: Counter[tuple[str, str]] = Counter()
    for r in ctx.rows_this_period("awareness_by_community"):
        if r["financial_year"] == ctx.fy_now:
            reached[(r["programme"], r["community"])] += r["reached"]
    groups = [c.value for c in codes.Community] + [EVERYONE]
    keys = list(programmes)
    table = Table(
        key="awareness_by_community",
        title=f"People reached by awareness and training in {ctx.this_year}, by the community "
        "the session was aimed at",
        row_header="Programme",
        row_labels=[programmes[c] for c in keys],
        row_keys=keys,
        columns=[c.label for c in codes.Community] + ["Open to everyone"],
        counts=[[reached[(c, g)] for g in groups] for c in keys],
        total_label="People reached",
        total_row=False,
        repeats={"row_totals": ("awareness_coverage", "People reached")},
        note="As the deliverer recorded it: a session aimed at a community was delivered in its "
        "language, in its venues or with its organisations. Someone who attends twice is "
        "counted twice.",
        metrics=("awareness_by_community",),
    )
    return Part([table])
