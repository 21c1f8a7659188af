"""Sections about the hub's work this financial year: timeliness, the Youth Service, activity.

Each table here counts unlike things in its rows (decisions and return home interviews;
referrals made and received; openings and escalations), so none prints a total row.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from safehub.reports.sections.context import Context, Part
from safehub.reports.tables import Table


def timeliness(ctx: Context) -> Part:
    """Work done within its target this year; each row adds up, the columns do not."""
    rows: dict[str, Counter[str]] = defaultdict(Counter)
    for r in ctx.rows_this_period("timeliness"):
        if r["financial_year"] == ctx.fy_now:
            rows[r["measure"]]["within"] += r["within_target"]
            rows[r["measure"]]["late"] += r["completed"] - r["within_target"]
            rows[r["measure"]]["not_done"] += r["cases"] - r["completed"]
    table = Table(
        key="timeliness",
        title=f"Timeliness in {ctx.this_year}",
        row_header="What was due",
        row_labels=[
            "Decision on a referral (target: 1 working day)",
            "Return home interview (target: 72 hours)",
        ],
        columns=["Within target", "Later", "Not done"],
        counts=[
            [rows[m]["within"], rows[m]["late"], rows[m]["not_done"]]
            for m in ("decisions", "return_interviews")
        ],
        total_label="All",
        total_row=False,
        metrics=("timeliness",),
    )
    return Part([table])


def youth_service(ctx: Context) -> Part:
    """Resolution 2: links between the hub and the Youth Service, both ways."""
    counts: Counter[str] = Counter()
    for r in ctx.rows_this_period("youth_service"):
        if r["financial_year"] == ctx.fy_now:
            counts["from"] += r["referrals_from_youth_service"]
            counts["to"] += r["decisions_to_youth_service"]
    table = Table(
        key="youth_service",
        title=f"Youth Service involvement in {ctx.this_year}",
        row_header="Measure",
        row_labels=["Referrals made by the Youth Service", "Referrals routed to the Youth Service"],
        columns=["Referrals"],
        counts=[[counts["from"]], [counts["to"]]],
        shape="columns",
        total_row=False,
        metrics=("youth_service",),
    )
    return Part([table])


def episode_activity(ctx: Context) -> Part:
    counts: Counter[str] = Counter()
    for r in ctx.rows_this_period("episode_activity"):
        if r["financial_year"] == ctx.fy_now:
            counts[r["event"]] += r["episodes"]
    events = {
        "opened": "Episodes opened",
        "closed": "Episodes closed",
        "escalated": "Risk raised (escalated)",
        "de-escalated": "Risk lowered (de-escalated)",
    }
    table = Table(
        key="episode_activity",
        title=f"Hub activity in {ctx.this_year}",
        row_header="Event",
        row_labels=list(events.values()),
        columns=["Number"],
        counts=[[counts[e]] for e in events],
        shape="columns",
        total_row=False,
        metrics=("episode_activity",),
    )
    return Part([table])
