"""Resolutions 2 and 3: support for lower-risk children through partner agencies, in time.

Pathway referrals (`safehub.partnership`) as the snapshot holds them: how many each service
accepted and first met within its targets, which lower-risk children have support, and how the
work ended; and, for resolution 4, the same referrals split by the child's emerging community.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from safehub.partnership.models import Outcome
from safehub.reports.sections.context import Context, Part
from safehub.reports.tables import Table
from safehub.rules import codes

# The snapshot format from which children carry their emerging-community group.
COMMUNITY_SCHEMA = 6

AGENCY_LABELS = {
    "youth_service": "Youth Service",
    "early_help": "Early help",
    "voluntary_sector": "Voluntary sector",
    "health": "Health",
    "education": "Education",
}
OUTCOME_LABELS = {**dict(Outcome.choices), "handed_back": "Handed back to the hub"}


def pathway_timeliness(ctx: Context) -> Part:
    """Resolution 3: each service's referrals this year, accepted and first met in time."""
    rows: dict[str, Counter[str]] = defaultdict(Counter)
    for r in ctx.rows_this_period("pathway_timeliness"):
        if r["financial_year"] == ctx.fy_now:
            for column in (
                "referrals",
                "accepted_within_target",
                "accepted",
                "first_contact_within_target",
            ):
                rows[r["service"]][column] += r[column]
    services = sorted(rows)
    table = Table(
        key="pathway_timeliness",
        title=f"Pathway referrals to support services in {ctx.this_year}",
        row_header="Service",
        row_labels=services,
        row_keys=services,
        columns=[
            "Referrals",
            "Accepted within target",
            "Accepted",
            "First contact within target",
        ],
        counts=[
            [
                rows[s]["referrals"],
                rows[s]["accepted_within_target"],
                rows[s]["accepted"],
                rows[s]["first_contact_within_target"],
            ]
            for s in services
        ],
        total_column=False,
        note="Targets: accepted within 2 working days of the referral, first contact within 5 "
        "working days of acceptance (unless a service has its own).",
        metrics=("pathway_timeliness",),
    )
    return Part([table])


def pathway_outcomes(ctx: Context) -> Part:
    """Resolution 3: how pathway referrals closed this year, by the kind of agency."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for r in ctx.rows_this_period("pathway_outcomes"):
        if r["financial_year"] == ctx.fy_now:
            counts[r["outcome"]][r["agency_type"]] += r["referrals"]
    agencies = sorted({a for c in counts.values() for a in c}) or ["youth_service"]
    outcomes = [o for o in OUTCOME_LABELS if o in counts]
    table = Table(
        key="pathway_outcomes",
        title=f"Outcomes of pathway referrals closed in {ctx.this_year}",
        row_header="Outcome",
        row_labels=[OUTCOME_LABELS[o] for o in outcomes],
        row_keys=outcomes,
        columns=[AGENCY_LABELS.get(a, a) for a in agencies],
        counts=[[counts[o][a] for a in agencies] for o in outcomes],
        metrics=("pathway_outcomes",),
    )
    return Part([table])


def support_involvement(ctx: Context) -> Part:
    """Resolution 2: lower-risk children open on D with the Youth Service or other support."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for r in ctx.rows("support_involvement", d=ctx.as_of):
        for column in ("children", "with_youth_service", "with_any_support"):
            counts[r["risk_level"]][column] += r[column]
    levels = ["low", "medium"]
    table = Table(
        key="support_involvement",
        title=f"Lower-risk children with support on {ctx.as_of:%-d %B %Y}",
        row_header="Risk level",
        row_labels=["Low risk", "Medium risk"],
        row_keys=levels,
        columns=["Children at risk", "With the Youth Service", "With any support service"],
        counts=[
            [
                counts[lvl]["children"],
                counts[lvl]["with_youth_service"],
                counts[lvl]["with_any_support"],
            ]
            for lvl in levels
        ],
        total_column=False,
        metrics=("support_involvement",),
    )
    return Part([table])


COMMUNITY_COLUMNS = (
    ("referrals", "Referrals"),
    ("accepted", "Accepted"),
    ("accepted_within_target", "Accepted within target"),
    ("first_contact_within_target", "First contact within target"),
    ("engaged", "Engaged at closure"),
)


def pathway_by_community(ctx: Context) -> Part:
    """Resolutions 3 and 4: this year's pathway referrals by the child's emerging community.

    The groups are those of `rules.codes.community_group`, the children's emerging-communities
    table's too; every referral falls in exactly one, so each column adds up to the same total
    as the service table's, declared a repeat of it so that the two print each total the same
    way. Small groups are the public edition's disclosure control's to hide.
    """
    if not ctx.schema_at_least(COMMUNITY_SCHEMA):
        return Part()
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for r in ctx.rows_this_period("pathway_by_community"):
        if r["financial_year"] == ctx.fy_now:
            for column, _ in COMMUNITY_COLUMNS:
                counts[r["community"]][column] += r[column]
    groups = list(codes.COMMUNITY_GROUPS)
    table = Table(
        key="pathway_by_community",
        title=f"Pathway referrals made in {ctx.this_year}, by emerging community",
        row_header="Children who are",
        row_labels=[codes.COMMUNITY_GROUPS[g] for g in groups],
        row_keys=groups,
        columns=[label for _, label in COMMUNITY_COLUMNS],
        counts=[[counts[g][column] for column, _ in COMMUNITY_COLUMNS] for g in groups],
        total_column=False,
        repeats={"column_totals": ("pathway_timeliness", "column_totals")},
        note="Each child is counted under one group, by the ethnicity recorded: Gypsy/Roma and "
        "Traveller of Irish heritage, then any other White background, then every other "
        "ethnicity; refused or not obtained is not recorded. Engaged at closure: of these "
        "referrals, those closed by the reference date with the young person engaged.",
        metrics=("pathway_by_community",),
    )
    return Part([table])
