"""Progress on previous resolutions: what the committee resolved and what has been done since.

Read from the snapshot's scrutiny tables, so a report rebuilt from the same snapshot prints the
same words. The report goes to the area's next meeting: it prints the resolutions of every
meeting of the area (and of committees of the whole district) held on or before D, each with
its actions, their status on D (that of the latest progress update on or before D) and the
progress reported since the previous meeting (the latest held on or before D). No counts: the
public edition prints the same.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from safehub.analytics import metrics
from safehub.reports.sections.context import Context, Part

TABLES = ("scrutiny_meetings", "scrutiny_resolutions", "scrutiny_actions", "scrutiny_updates")
STATUS_LABELS = {
    "not_started": "Not started",
    "in_progress": "In progress",
    "complete": "Complete",
    "closed": "Closed without completion",
}


def recorded(tables: dict[str, Any]) -> bool:
    """Whether a snapshot holds the scrutiny tables (an older or synthetic one may not)."""
    return all(t in tables for t in TABLES)


def progress(ctx: Context) -> Part:
    """Resolutions, their actions and progress since the previous meeting (all four resolutions)."""
    manifest = getattr(ctx.engine, "manifest", None)
    if manifest is None or not recorded(manifest.data["tables"]):
        return Part()
    mine = [
        r
        for r in ctx.engine.run(metrics.get("scrutiny_actions")).dicts()
        if r["held_on"] <= ctx.as_of and (not r["area"] or ctx.in_area(r["area"]))
    ]
    if not mine:
        return Part(content={"scrutiny": {"meetings": [], "since": None}})
    updates: dict[str, list[dict[str, Any]]] = {}
    for u in ctx.engine.run(metrics.get("scrutiny_updates")).dicts():
        if u["reported_on"] <= ctx.as_of:
            updates.setdefault(u["action"], []).append(u)
    since: dt.date = max(r["held_on"] for r in mine)
    meetings: dict[str, dict[str, Any]] = {}
    for row in mine:
        meeting = meetings.setdefault(
            row["meeting"],
            {"committee": row["committee"], "held_on": row["held_on"], "resolutions": {}},
        )
        resolution = meeting["resolutions"].setdefault(
            # A label, not a count: the public edition's checks look for small counts.
            row["number"],
            {"number": str(row["number"]), "text": row["resolution_text"], "actions": []},
        )
        if row["action"] is None:
            continue
        done = updates.get(row["action"], [])
        status = done[-1]["status"] if done else "not_started"
        overdue = row["due_on"] < ctx.as_of and status not in {"complete", "closed"}
        resolution["actions"].append(
            {
                "text": row["action_text"],
                "owner": row["owner_title"],
                "due_on": row["due_on"],
                "status": STATUS_LABELS.get(status, status),
                "overdue": overdue,
                "updates": [
                    {**u, "status": STATUS_LABELS.get(u["status"], u["status"])}
                    for u in done
                    if u["reported_on"] > since or row["held_on"] == since
                ],
            }
        )
    listed = [{**m, "resolutions": list(m["resolutions"].values())} for m in meetings.values()]
    return Part(content={"scrutiny": {"meetings": listed, "since": since}})
