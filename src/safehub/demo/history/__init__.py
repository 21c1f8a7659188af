"""A synthetic, deterministic history of Bradford's child exploitation hub, 2013 onwards.

Plain data (frozen dataclasses), no Django and no database: `generate()` returns a
`History` that reproduces the district's published figures exactly, and a loader elsewhere
turns it into rows. Every name, date and place in it is made up; see `build` for how the
figures come out exact, `reference` for the vocabularies, `figures` for the definitions.
"""

from safehub.demo.history.build import generate
from safehub.demo.history.figures import (
    address_on,
    children_referred,
    is_open_on,
    level_on,
    open_on,
    referrals_by_financial_year,
)
from safehub.demo.history.model import (
    AddressPeriod,
    CarePeriod,
    History,
    RiskChange,
    SynthChild,
    SynthEpisode,
    SynthMissing,
    SynthReferral,
)
from safehub.demo.history.published import (
    DEFAULT_UNTIL,
    EARLIEST_UNTIL,
    HISTORY_START,
    PUBLISHED_CHILDREN_2015_16,
    PUBLISHED_REFERRALS,
    SNAPSHOTS,
    SOUTH_OCTOBER_2016,
    WEST_OCTOBER_2016,
    Snapshot,
)

__all__ = [
    "DEFAULT_UNTIL",
    "EARLIEST_UNTIL",
    "HISTORY_START",
    "PUBLISHED_CHILDREN_2015_16",
    "PUBLISHED_REFERRALS",
    "SNAPSHOTS",
    "SOUTH_OCTOBER_2016",
    "WEST_OCTOBER_2016",
    "AddressPeriod",
    "CarePeriod",
    "History",
    "RiskChange",
    "Snapshot",
    "SynthChild",
    "SynthEpisode",
    "SynthMissing",
    "SynthReferral",
    "address_on",
    "children_referred",
    "generate",
    "is_open_on",
    "level_on",
    "open_on",
    "referrals_by_financial_year",
]
