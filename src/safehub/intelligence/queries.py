"""Scoped, audited reads of intelligence.

Locations and disruption activity are visible to the hub's roles (`location:view`,
`disruption:view`). Persons of concern are visible only to roles holding
`person_of_concern:view`: for anyone else a person's page does not exist (404), lists leave
persons out, and a disruption's person is never loaded at all. Disruptions reach templates as
`DisruptionEntry` values rather than model instances, so a template cannot follow
`disruption.person` to a name the reader may not see.

Every function that shows something writes its audit event in the caller's transaction: one
event for a page, one `…:listed` event naming every id shown for a list.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Model, QuerySet

from safehub.access.policy import OutOfScopeError, Principal, can, require
from safehub.audit import services as audit
from safehub.intelligence.models import (
    Disruption,
    LocationLink,
    LocationOfConcern,
    PersonLink,
    PersonLocationLink,
    PersonOfConcern,
)
from safehub.people.models import Child
from safehub.people.queries import children_for

# A list shows at most this many rows (newest first); pages say when there are more.
LIST_LIMIT = 50
# How many locations a "choose a location" menu offers (the most recently noted).
CHOICE_LIMIT = 300
# An audit event names at most this many ids: `reason` holds 500 characters.
_IDS_PER_EVENT = 50


def can_see_persons(user: Principal) -> bool:
    return can(user, "person_of_concern:view")


# --- scopes: what the user may see at all. Reading one writes no audit. ----------------------


def locations_for(user: Principal) -> QuerySet[LocationOfConcern]:
    if not can(user, "location:view"):
        return LocationOfConcern.objects.none()
    return LocationOfConcern.objects.select_related("ward").order_by("-first_noted", "-pk")


def persons_for(user: Principal) -> QuerySet[PersonOfConcern]:
    if not can_see_persons(user):
        return PersonOfConcern.objects.none()
    return PersonOfConcern.objects.order_by("name", "pk")


def disruptions_for(user: Principal) -> QuerySet[Disruption]:
    if not can(user, "disruption:view"):
        return Disruption.objects.none()
    return Disruption.objects.order_by("-occurred_on", "-pk")


# --- one thing ---------------------------------------------------------------------------------


def get_location(
    user: Principal, location_id: int, *, purpose: str = "viewed"
) -> LocationOfConcern:
    """One location, or 404 when it does not exist or the caller may not see locations."""
    location = locations_for(user).filter(pk=location_id).first()
    if location is None:
        # Audited as access:denied by the middleware, after this request's rollback.
        raise OutOfScopeError("intelligence.locationofconcern", str(location_id))
    audit.write(user, f"location:{purpose}", location)
    return location


def get_person(user: Principal, person_id: int, *, purpose: str = "viewed") -> PersonOfConcern:
    """One person of concern, or 404 — the same answer whether or not the person exists."""
    person = persons_for(user).filter(pk=person_id).first()
    if person is None:
        raise OutOfScopeError("intelligence.personofconcern", str(person_id))
    audit.write(user, f"person_of_concern:{purpose}", person)
    return person


def get_location_link(user: Principal, location_id: int, child_id: int) -> LocationLink:
    link = (
        LocationLink.objects.filter(
            location__in=locations_for(user),
            location_id=location_id,
            child__in=children_for(user),
            child_id=child_id,
        )
        .select_related("location", "child")
        .first()
    )
    if link is None:
        raise OutOfScopeError("intelligence.locationlink", f"{location_id}/{child_id}")
    audit.write(user, "location:link:viewed", link)
    return link


def get_person_link(user: Principal, person_id: int, child_id: int) -> PersonLink:
    link = (
        PersonLink.objects.filter(
            person__in=persons_for(user),
            person_id=person_id,
            child__in=children_for(user),
            child_id=child_id,
        )
        .select_related("person", "child")
        .first()
    )
    if link is None:
        raise OutOfScopeError("intelligence.personlink", f"{person_id}/{child_id}")
    audit.write(user, "person_of_concern:link:viewed", link)
    return link


def get_person_location_link(
    user: Principal, person_id: int, location_id: int
) -> PersonLocationLink:
    link = (
        PersonLocationLink.objects.filter(
            person__in=persons_for(user),
            person_id=person_id,
            location__in=locations_for(user),
            location_id=location_id,
        )
        .select_related("person", "location")
        .first()
    )
    if link is None:
        raise OutOfScopeError("intelligence.personlocationlink", f"{person_id}/{location_id}")
    audit.write(user, "person_of_concern:link:viewed", link)
    return link


# --- lists -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DisruptionEntry:
    """A disruption as this reader may see it.

    `person` is the named person for a reader who may see persons of concern, else None with
    `person_restricted` set — for every disruption, named or not, so that the page does not
    reveal which disruptions name someone.
    """

    pk: int
    kind: str
    occurred_on: dt.date
    description: str
    police_reference: str
    location: LocationOfConcern | None
    child: Child | None
    person: PersonOfConcern | None
    person_restricted: bool


def _entries(user: Principal, disruptions: QuerySet[Disruption]) -> list[DisruptionEntry]:
    restricted = not can_see_persons(user)
    related = ["location", "child"] if restricted else ["location", "child", "person"]
    rows = list(disruptions.select_related(*related)[:LIST_LIMIT])
    named = {d.child_id for d in rows if d.child_id is not None}
    visible_children = set(children_for(user).filter(pk__in=named).values_list("pk", flat=True))
    return [
        DisruptionEntry(
            pk=d.pk,
            kind=d.get_kind_display(),
            occurred_on=d.occurred_on,
            description=d.description,
            police_reference=d.police_reference,
            location=d.location,
            child=d.child if d.child_id in visible_children else None,
            person=None if restricted else d.person,
            person_restricted=restricted,
        )
        for d in rows
    ]


def list_locations(user: Principal) -> list[LocationOfConcern]:
    """The most recently noted locations, for the intelligence page."""
    require(user, "location:view")
    shown = list(locations_for(user)[:LIST_LIMIT])
    if shown:
        record_listed(user, "location:listed", LocationOfConcern, shown)
    return shown


def list_persons(user: Principal) -> list[PersonOfConcern]:
    """Persons of concern by name; empty (and unaudited) for a reader who may not see them."""
    if not can_see_persons(user):
        return []
    shown = list(persons_for(user)[:LIST_LIMIT])
    if shown:
        record_listed(user, "person_of_concern:listed", PersonOfConcern, shown)
    return shown


def list_disruptions(
    user: Principal,
    *,
    location: LocationOfConcern | None = None,
    person: PersonOfConcern | None = None,
) -> list[DisruptionEntry]:
    """The most recent disruption activity, optionally at one location or against one person.

    Filtering by person is for readers who may see persons; `get_person` has already refused
    anyone else, so the filter cannot be used to probe which disruptions name someone.
    """
    require(user, "disruption:view")
    found = disruptions_for(user)
    if location is not None:
        found = found.filter(location=location)
    if person is not None:
        require(user, "person_of_concern:view", person)
        found = found.filter(person=person)
    entries = _entries(user, found)
    if entries:
        record_listed(user, "disruption:listed", Disruption, entries)
    return entries


def location_links(user: Principal, location: LocationOfConcern) -> list[LocationLink]:
    """The children linked to a location (those in the caller's scope), newest link first."""
    links = list(
        LocationLink.objects.filter(location=location, child__in=children_for(user))
        .select_related("child")
        .order_by("-noted_on", "-pk")[:LIST_LIMIT]
    )
    audit.write_each(
        user, "child:listed", [link.child for link in links], context="listed: location"
    )
    return links


def person_links(user: Principal, person: PersonOfConcern) -> list[PersonLink]:
    """The children linked to a person of concern; the caller already holds the person."""
    require(user, "person_of_concern:view", person)
    links = list(
        PersonLink.objects.filter(person=person, child__in=children_for(user))
        .select_related("child")
        .order_by("-noted_on", "-pk")[:LIST_LIMIT]
    )
    audit.write_each(
        user, "child:listed", [link.child for link in links], context="listed: person of concern"
    )
    return links


def persons_at_location(user: Principal, location: LocationOfConcern) -> list[PersonLocationLink]:
    """The persons linked to a location, for readers who may see persons; else nothing."""
    if not can_see_persons(user):
        return []
    links = list(
        PersonLocationLink.objects.filter(location=location, person__in=persons_for(user))
        .select_related("person")
        .order_by("-noted_on", "-pk")[:LIST_LIMIT]
    )
    if links:
        record_listed(
            user, "person_of_concern:listed", PersonOfConcern, [link.person for link in links]
        )
    return links


def locations_of_person(user: Principal, person: PersonOfConcern) -> list[PersonLocationLink]:
    require(user, "person_of_concern:view", person)
    links = list(
        PersonLocationLink.objects.filter(person=person, location__in=locations_for(user))
        .select_related("location")
        .order_by("-noted_on", "-pk")[:LIST_LIMIT]
    )
    if links:
        record_listed(user, "location:listed", LocationOfConcern, [link.location for link in links])
    return links


def locations_of_child(
    user: Principal, child: Child, *, on: dt.date | None = None
) -> list[LocationLink] | None:
    """The locations of concern linked to a child (noted by `on`, when given), for the child page.

    None for a reader who may not see locations. The caller has already read the child
    through `people.queries.get_child`.
    """
    if not can(user, "location:view"):
        return None
    links = LocationLink.objects.filter(child=child, location__in=locations_for(user))
    if on is not None:
        links = links.filter(noted_on__lte=on)
    # The page names each location: its description (decrypted on reading) is not read.
    links = links.select_related("location").defer("location__description")
    shown = list(links.order_by("-noted_on", "-pk")[:LIST_LIMIT])
    if shown:
        record_listed(user, "location:listed", LocationOfConcern, [x.location for x in shown])
    return shown


def persons_of_child(
    user: Principal, child: Child, *, on: dt.date | None = None
) -> list[PersonLink] | None:
    """The persons of concern linked to a child; None for a reader who may not see persons.

    None rather than an empty list, so the child page leaves the section out entirely instead
    of saying "none linked" to someone who could not be told otherwise.
    """
    if not can_see_persons(user):
        return None
    links = PersonLink.objects.filter(child=child, person__in=persons_for(user))
    if on is not None:
        links = links.filter(noted_on__lte=on)
    links = links.select_related("person").defer("person__description")  # as locations'
    shown = list(links.order_by("-noted_on", "-pk")[:LIST_LIMIT])
    if shown:
        record_listed(user, "person_of_concern:listed", PersonOfConcern, [x.person for x in shown])
    return shown


def location_choices(user: Principal) -> list[LocationOfConcern]:
    """Locations to offer in a menu, by name: the most recently noted, bounded.

    There is deliberately no menu of persons of concern: a person is named on a form only
    by starting from that person's own page, whose every view is audited.
    """
    shown = sorted(locations_for(user)[:CHOICE_LIMIT], key=lambda x: (x.name.lower(), x.pk))
    if shown:
        record_listed(user, "location:listed", LocationOfConcern, shown)
    return shown


def record_listed(
    user: Principal,
    action: str,
    model: type[Model],
    shown: Sequence[Model | DisruptionEntry],
) -> None:
    """Audit one listing, naming every row shown (ids only, never names).

    The ids go in `reason` because `object_id` holds only 64 characters; a long listing (a
    menu) is written as several events of at most 50 ids each, so every id shown is kept.
    """
    ids = [str(row.pk) for row in shown]
    for start in range(0, len(ids), _IDS_PER_EVENT):
        batch = ids[start : start + _IDS_PER_EVENT]
        audit.write(
            user,
            action,
            object_type=model._meta.label_lower,  # noqa: SLF001
            object_id=str(len(batch)),
            reason="ids " + ",".join(batch),
        )
