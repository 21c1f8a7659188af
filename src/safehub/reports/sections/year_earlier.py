"""Children at risk on D beside a year earlier, by risk level and by ward (resolution 1: live
cases now against a year ago).

Each table has two counts per row, a year earlier and on D, and the change between them. The
"on D" column repeats figures the ward table already publishes (its column totals by risk
level, its row totals by ward), so it is linked to that table: the public edition prints them
exactly as the ward table does, never suppressed a second, different way. The year-earlier
column is published on its own, with its total (the headline's "a year earlier"). A change is
worked out from the two printed figures, so it tells nothing they do not ("c" when either is).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from safehub.reports.sections import children
from safehub.reports.sections.context import Context, Part
from safehub.reports.tables import Table


def year_earlier(day: dt.date) -> dt.date:
    """The same day a year before; 29 February goes back to 28 February."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def _columns(ctx: Context) -> list[str]:
    return [f"{year_earlier(ctx.as_of):%-d %b %Y}", f"{ctx.as_of:%-d %b %Y}"]


def by_risk_level(ctx: Context) -> Part:
    then: Counter[str] = Counter()
    for r in ctx.rows("open_children", d=year_earlier(ctx.as_of)):
        then[r["risk_level"]] += r["children"]
    now: Counter[str] = Counter()
    for r in ctx.open_now:
        now[r["risk_level"]] += r["children"]
    levels = list(children.LEVELS) + (["none"] if now["none"] or then["none"] else [])
    labels = [children.level_label(level) for level in levels]
    table = Table(
        key="year_earlier_by_level",
        title=f"Children at risk by risk level, a year earlier and on {ctx.as_of:%-d %B %Y}",
        row_header="Risk level",
        row_labels=labels,
        row_keys=labels,  # the ward table's column labels, which the "on D" column repeats
        columns=_columns(ctx),
        counts=[[then[level], now[level]] for level in levels],
        shape="columns",
        links={1: ("by_ward", "column_totals")},
        change=True,
        note="A year earlier, each child is counted at the risk level in force on that day.",
        metrics=("open_children",),
    )
    return Part([table])


def by_ward(ctx: Context) -> Part:
    """The ward table's rows, order and map numbers, a year earlier beside D.

    A child a year earlier is placed in the ward of their address on that day, among the wards
    in force on D; one whose ward then is not among them (no address, or wards since redrawn) is
    counted in "Ward not known".
    """
    if not ctx.area_wards:
        return Part()
    wards = children.by_ward(ctx).tables[0]
    keys, labels, marks = list(wards.row_keys), list(wards.row_labels), list(wards.row_marks)
    then: Counter[str] = Counter()
    for r in ctx.rows("open_children", d=year_earlier(ctx.as_of)):
        then[r["ward_code"] if r["ward_code"] in keys else children.UNKNOWN_WARD] += r["children"]
    now = {code: wards.row_total(i) for i, code in enumerate(keys)}
    if then[children.UNKNOWN_WARD] and children.UNKNOWN_WARD not in keys:
        keys.append(children.UNKNOWN_WARD)
        labels.append("Ward not known")
        marks.append("")
    table = Table(
        key="year_earlier_by_ward",
        title=f"Children at risk by ward, a year earlier and on {ctx.as_of:%-d %B %Y}",
        row_header="Ward",
        row_labels=labels,
        row_keys=keys,
        row_marks=marks,
        mark_header="Map",
        columns=_columns(ctx),
        counts=[[then[code], now.get(code, 0)] for code in keys],
        shape="columns",
        links={1: ("by_ward", "row_totals")},
        change=True,
        note=(
            "A year earlier, each child is counted in the ward of their address on that day, "
            "among the wards shown; the order and map numbers are those of the ward table."
        ),
        metrics=("open_children",),
    )
    return Part([table])
