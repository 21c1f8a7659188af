"""The committee report's sections: each a small unit with its metric, its table and its words.

A section is a function from a `Context` (one area on one day, read from one snapshot) to a
`Part`: the tables it publishes and the notes that explain them. A new section (partnership,
prevention, scrutiny) is one such function, added to `SECTIONS` where it should appear; the
public edition's disclosure control, the four formats and the definitions appendix pick its
tables up unchanged, and no other section needs reading.
"""

from __future__ import annotations

from collections.abc import Callable

from safehub.reports.sections import (
    activity,
    awareness,
    children,
    partnership,
    recording,
    referrals,
    scrutiny,
    year_earlier,
)
from safehub.reports.sections.context import Context, Part

Section = Callable[[Context], Part]

SECTIONS: tuple[Section, ...] = (
    children.by_ward,
    year_earlier.by_risk_level,
    year_earlier.by_ward,
    children.age_and_sex,
    children.ethnicity,
    children.emerging_communities,
    children.by_exploitation_type,
    recording.ethnicity_recording_quality,
    recording.language_arrival_recording,
    referrals.by_financial_year,
    referrals.by_source,
    activity.timeliness,
    partnership.pathway_timeliness,
    partnership.pathway_outcomes,
    partnership.pathway_by_community,
    activity.youth_service,
    partnership.support_involvement,
    activity.episode_activity,
    children.social_care,
    awareness.coverage,
    awareness.by_community,
    scrutiny.progress,
)

__all__ = ["SECTIONS", "Context", "Part", "Section"]
