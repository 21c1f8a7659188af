"""Sections about the children at risk on D: where they live, who they are, who else knows them.

All read the `open_children` metric, so every table here has the same grand total: the children
at risk that the headline prints (the disclosure rules keep that total the same in each).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from safehub.reports.sections.context import Context, Part
from safehub.reports.tables import Table
from safehub.rules import codes

LEVELS = ("high", "medium", "low")
SEX_LABELS = {"F": "Female", "M": "Male"}
UNKNOWN_WARD = "unknown"


def level_label(level: str) -> str:
    """A risk level as a column or row heading: "High"; "Not graded" for none."""
    return "Not graded" if level == "none" else level.capitalize()


def by_ward(ctx: Context) -> Part:
    """Children at risk by ward and risk level (resolution 1), the map's figures too.

    A child whose address is in no ward in force on D (no address, or one placed on wards that
    were not in force that day) is counted in one "ward not known" row.
    """
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for r in ctx.open_now:
        counts[r["ward_code"]][r["risk_level"]] += r["children"]
    wards = ctx.area_wards
    in_force = {w["ward_code"] for w in wards}
    for code in [c for c in counts if c not in in_force]:
        counts[UNKNOWN_WARD] += counts.pop(code)
    rows = sorted(wards, key=lambda w: (-sum(counts[w["ward_code"]].values()), w["ward_name"]))
    keys = [w["ward_code"] for w in rows]
    labels = [w["ward_name"] for w in rows]
    # Each ward's number on the map, in the table's order, so a reader finds it in both.
    marks = [str(n) for n in range(1, len(rows) + 1)]
    if counts.get(UNKNOWN_WARD):
        keys.append(UNKNOWN_WARD)
        marks.append("")
        labels.append(
            "Ward not known"
            if ctx.wards
            else f"Ward not known — the wards in force on {ctx.as_of:%-d %B %Y} are not loaded"
        )
    levels = list(LEVELS) + (["none"] if any(c["none"] for c in counts.values()) else [])
    table = Table(
        key="by_ward",
        title=f"Children at risk on {ctx.as_of:%-d %B %Y} by ward and risk level",
        row_header="Ward",
        row_labels=labels,
        row_keys=keys,
        row_marks=marks if rows else [],
        mark_header="Map",
        columns=[level_label(c) for c in levels],
        counts=[[counts[code][level] for level in levels] for code in keys],
        total_label="Children at risk",
        metrics=("open_children",),
    )
    notes = {}
    if not ctx.wards:
        notes["wards"] = (
            f"The wards in force on {ctx.as_of:%-d %B %Y} are not loaded in Safehub, so children "
            "are not shown by ward and there is no map. The figures for the district are "
            "complete. An administrator loads the new wards from the ONS boundary file with "
            "`safehub geo import-wards`."
        )
    return Part([table], notes)


def age_and_sex(ctx: Context) -> Part:
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for r in ctx.open_now:
        counts[r["age_band"]][SEX_LABELS.get(r["sex"], "Other or not known")] += r["children"]
    other = any(c["Other or not known"] for c in counts.values())
    sexes = ["Female", "Male"] + (["Other or not known"] if other else [])
    bands = [b for b in (*codes.AGE_BANDS, "not known") if b in counts]
    table = Table(
        key="age_sex",
        title="Children at risk by age and sex",
        row_header="Age",
        row_labels=bands,
        columns=sexes,
        counts=[[counts[b][s] for s in sexes] for b in bands],
        metrics=("open_children",),
    )
    return Part([table])


def ethnicity(ctx: Context) -> Part:
    """Ethnic group and how it was recorded: members asked how reliable the breakdown is."""
    groups: Counter[str] = Counter()
    sources: Counter[str] = Counter()
    for r in ctx.open_now:
        groups[r["ethnic_group"]] += r["children"]
        sources[r["ethnicity_source"]] += r["children"]
    group_keys = [g for g in codes.EthnicGroup if groups[g.value]]
    source_keys = [s for s in codes.EthnicityRecordingSource if sources[s.value]]
    tables = [
        Table(
            key="ethnicity",
            title="Children at risk by ethnic group",
            row_header="Ethnic group",
            row_labels=[g.label for g in group_keys],
            columns=["Children"],
            counts=[[groups[g.value]] for g in group_keys],
            metrics=("open_children",),
        ),
        Table(
            key="ethnicity_recording",
            title="How the ethnicity of children at risk was recorded",
            row_header="Recorded as",
            row_labels=[s.label for s in source_keys],
            columns=["Children"],
            counts=[[sources[s.value]] for s in source_keys],
            metrics=("open_children",),
        ),
    ]
    not_known = groups["not_known"]
    identified = sources["self_identified"] + sources["parent_carer"]
    note = (
        # The public edition gives no counts here: they may be cells the tables suppress.
        "Ethnicity is often not obtained, refused or recorded by observation rather than as "
        "the child identifies; treat this breakdown with care."
        if ctx.public
        else f"Ethnicity was not obtained or was refused for {not_known} of {ctx.total_now} "
        f"children; for {identified} it was given by the child or their family, and for the "
        "rest it was recorded from a professional's observation, which may not be how the "
        "child identifies."
    )
    return Part(tables, {"ethnicity": note})


def _count(rows: list[dict[str, Any]]) -> int:
    return sum(int(r["children"]) for r in rows)


def emerging_communities(ctx: Context) -> Part:
    """Resolution 4: a greater focus on new emerging communities."""
    now = ctx.open_now
    rows = [
        (c.label, [r for r in now if codes.community_group(r["ethnicity"]) == c.value])
        for c in codes.Community
    ] + [
        ("First language not English", [r for r in now if r["first_language"] == "other"]),
        ("Arrived in the UK in the last five years", [r for r in now if r["arrived_last_5_years"]]),
    ]
    table = Table(
        key="emerging_communities",
        title="Emerging communities among children at risk",
        row_header="Children who are",
        row_labels=[label for label, _ in rows],
        columns=["Children"],
        counts=[[_count(found)] for _, found in rows],
        shape="columns",
        total_row=False,
        note="A child may be counted in more than one row; rows do not add up.",
        metrics=("open_children",),
    )
    return Part([table])


def social_care(ctx: Context) -> Part:
    care = sum(r["children"] for r in ctx.open_now if r["known_to_social_care"])
    table = Table(
        key="social_care",
        title="Children at risk also known to children's social care",
        row_header="Known to children's social care on the day",
        row_labels=["Yes (child in need, child protection plan or looked after)", "No"],
        columns=["Children"],
        counts=[[care], [ctx.total_now - care]],
        metrics=("open_children",),
    )
    return Part([table])


def by_exploitation_type(ctx: Context) -> Part:
    """Open children by the exploitation types their referrals name (members asked for it).

    A child's referrals may name more than one type, so rows overlap: no total is printed.
    """
    counts: Counter[str] = Counter()
    for r in ctx.rows("open_children_by_exploitation_type", d=ctx.as_of):
        counts[r["exploitation_type"]] += r["children"]
    types = [*((t.value, t.label) for t in codes.ExploitationType), ("none named", "None named")]
    table = Table(
        key="exploitation_types",
        title=f"Children at risk on {ctx.as_of:%-d %B %Y} by exploitation type",
        row_header="Exploitation named on the child's referrals",
        row_labels=[label for _, label in types],
        row_keys=[key for key, _ in types],
        columns=["Children"],
        counts=[[counts[key]] for key, _ in types],
        shape="columns",
        total_row=False,
        audit_total=True,
        note=(
            "A child whose referrals name more than one type is counted under each, so the rows "
            "add up to more than the children at risk and have no total."
        ),
        metrics=("open_children_by_exploitation_type",),
    )
    return Part([table])
