"""Sections about referrals to the hub: how many, of how many children, and from whom."""

from __future__ import annotations

from collections import Counter

from safehub.reports.sections.context import Context, Part, financial_year_label
from safehub.reports.tables import Table
from safehub.rules import codes

_COUNTS = ("referrals", "children", "children_referred_more_than_once")


def by_financial_year(ctx: Context) -> Part:
    """Three financial years side by side, so members can compare (resolution 1)."""
    by_year: dict[int, Counter[str]] = {y: Counter() for y in ctx.years}
    for r in ctx.rows_this_period("referrals_by_financial_year"):
        for key in _COUNTS:
            by_year[r["financial_year"]][key] += r[key]
    table = Table(
        key="referrals_by_financial_year",
        title="Referrals by financial year",
        row_header="Financial year",
        row_labels=[
            financial_year_label(y) + (f" (to {ctx.as_of:%-d %B})" if y == ctx.fy_now else "")
            for y in ctx.years
        ],
        row_keys=[financial_year_label(y) for y in ctx.years],
        columns=["Referrals", "Individual children", "Children referred more than once"],
        counts=[[by_year[y][k] for k in _COUNTS] for y in ctx.years],
        shape="columns",
        total_row=False,
        metrics=("referrals_by_financial_year",),
    )
    return Part([table])


def by_source(ctx: Context) -> Part:
    """Who referred, in the last whole financial year."""
    last_year = ctx.fy_now - 1
    counts: Counter[str] = Counter()
    for r in ctx.rows_this_period("referrals_by_source"):
        if r["dimension"] == "source" and r["financial_year"] == last_year:
            counts[r["value"]] += r["referrals"]
    top = [s for s, _ in counts.most_common()]
    table = Table(
        key="referrals_by_source",
        title=f"Referrals in {financial_year_label(last_year)} by who referred",
        row_header="Source",
        row_labels=[codes.ReferralSource(s).label for s in top],
        columns=["Referrals"],
        counts=[[counts[s]] for s in top],
        metrics=("referrals_by_source",),
    )
    return Part([table])
