"""Demo intelligence: a few made-up locations and persons of concern, with disruption activity.

Generic descriptions only ("Takeaway on a high street"); persons are known by obvious aliases.
Deterministic from a seed, like the rest of the demo history.
"""

# ruff: noqa: S311 - random here makes synthetic demo data, not anything secret

from __future__ import annotations

import datetime as dt
import random

from simple_history.utils import bulk_create_with_history

from safehub.episodes.models import Episode
from safehub.geo.models import Ward
from safehub.intelligence.models import (
    Disruption,
    DisruptionKind,
    LocationKind,
    LocationLink,
    LocationOfConcern,
    PersonLink,
    PersonLocationLink,
    PersonOfConcern,
)

PLACES = (
    ("Takeaway on a high street", LocationKind.BUSINESS, "E05001370"),
    ("Car park behind a retail park", LocationKind.PUBLIC_SPACE, "E05001365"),
    ("Flat above a shop", LocationKind.ADDRESS, "E05001369"),
    ("Taxi rank near the interchange", LocationKind.PUBLIC_SPACE, "E05001350"),
    ("Park with a skate area", LocationKind.PUBLIC_SPACE, "E05001363"),
    ("House known for parties", LocationKind.ADDRESS, "E05001357"),
    ("Budget hotel by the ring road", LocationKind.BUSINESS, "E05001344"),
    ("Group chat on a messaging app", LocationKind.ONLINE, ""),
)
ALIASES = (
    "Known as 'Dee'",
    "Known as 'Blue'",
    "Known as 'Mack'",
    "Known as 'Ren'",
    "Known as 'Kay'",
)
RELATIONSHIPS = ("older boyfriend", "gives lifts", "supplies phones", "runs a drug line")


def load(*, seed: int = 2016) -> dict[str, int]:
    """Link a handful of children with high or medium risk episodes to places and people."""
    rng = random.Random(seed)
    wards = {w.code: w for w in Ward.objects.all()}
    episodes = list(
        Episode.objects.filter(risk_changes__level__in=("high", "medium"))
        .distinct()
        .order_by("opened_on", "pk")
        .values_list("child_id", "opened_on")
    )
    locations = [
        LocationOfConcern(
            name=name,
            kind=kind,
            ward=wards.get(code),
            ward_method="manual" if code else "",
            first_noted=dt.date(2014 + i, 1 + i, 10),
            description="Made-up demonstration location.",
        )
        for i, (name, kind, code) in enumerate(PLACES)
    ]
    bulk_create_with_history(locations, LocationOfConcern)
    persons = [
        PersonOfConcern(name=alias, description="Made-up demonstration person.")
        for alias in ALIASES
    ]
    bulk_create_with_history(persons, PersonOfConcern)
    location_links = [
        LocationLink(location=location, child_id=child_id, noted_on=opened)
        for location in locations
        for child_id, opened in rng.sample(episodes, 6)
    ]
    person_links = [
        PersonLink(
            person=person,
            child_id=child_id,
            noted_on=opened,
            relationship=rng.choice(RELATIONSHIPS),
        )
        for person in persons
        for child_id, opened in rng.sample(episodes, 3)
    ]
    person_locations = [
        PersonLocationLink(person=p, location=rng.choice(locations), noted_on=dt.date(2016, 6, 1))
        for p in persons
    ]
    kinds = list(DisruptionKind)
    disruptions = [
        Disruption(
            kind=rng.choice(kinds),
            occurred_on=dt.date(year, rng.randint(1, 12), rng.randint(1, 28)),
            location=rng.choice(locations),
            person=rng.choice((*persons, None)),
            description="Made-up demonstration activity.",
        )
        for year in range(2014, 2026)
        for _ in range(3)
    ]
    bulk_create_with_history(location_links, LocationLink)
    bulk_create_with_history(person_links, PersonLink)
    bulk_create_with_history(person_locations, PersonLocationLink)
    bulk_create_with_history(disruptions, Disruption)
    return {"locations": len(locations), "persons": len(persons), "disruptions": len(disruptions)}
