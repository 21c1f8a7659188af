"""Recording intelligence: locations and persons of concern, their links, disruption activity.

One function = one transaction: permission first, then validation, then the save (with its
history row) and the audit event. Anything that touches a person of concern needs
`person_of_concern:record`, whichever other permission brought the caller here: a disruption
that names a person is a record about that person.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from safehub.access.policy import Principal, require, user_or_none
from safehub.audit import services as audit
from safehub.geo import services as geo
from safehub.intelligence.models import (
    Disruption,
    LocationLink,
    LocationOfConcern,
    PersonLink,
    PersonLocationLink,
    PersonOfConcern,
)
from safehub.people.models import Child
from safehub.people.services import save_with_history
from safehub.rules.geography import normalise_postcode


def _not_future(field: str, on: dt.date | None, what: str) -> None:
    """Intelligence records what has happened; a future date is a typing mistake."""
    if on is not None and on > timezone.localdate():
        raise ValidationError({field: f"{what} must be today or in the past"})


def _required(field: str, value: str, message: str) -> None:
    if not value.strip():
        raise ValidationError({field: message})


# --- locations of concern --------------------------------------------------------------------


@transaction.atomic
def record_location(  # noqa: PLR0913 - a location is several facts
    *,
    name: str,
    kind: str,
    first_noted: dt.date,
    acting_user: Principal,
    description: str = "",
    postcode: str = "",
    ward_code: str = "",
) -> LocationOfConcern:
    """A new location of concern, placed in the ward in force when it was first noted.

    As for a child's address, a ward chosen by hand wins over the postcode; a postcode not in
    the directory is kept without a ward rather than refused, since the place still matters.
    """
    require(acting_user, "location:record")
    _required("name", name, "Enter a name for the location")
    _not_future("first_noted", first_noted, "The date first noted")
    normalised = ""
    if postcode.strip():
        normalised = normalise_postcode(postcode) or ""
        if not normalised:
            raise ValidationError({"postcode": "Enter a real postcode, like BD5 0AA"})
    ward, method = None, ""
    if normalised or ward_code:
        resolution = geo.resolve_ward(
            on=first_noted,
            postcode=normalised or None,
            ward_code=ward_code or None,
            acting_user=acting_user,
        )
        if ward_code and resolution.ward is None:
            raise ValidationError({"ward_code": resolution.problem})
        ward, method = resolution.ward, str(resolution.method or "")
    location = LocationOfConcern(
        name=name.strip(),
        kind=kind,
        description=description,
        postcode=normalised,
        ward=ward,
        ward_method=method,
        first_noted=first_noted,
        recorded_by=user_or_none(acting_user),
    )
    save_with_history(location, acting_user)
    audit.write(acting_user, "location:recorded", location)
    return location


@transaction.atomic
def link_child_to_location(
    location: LocationOfConcern,
    child: Child,
    *,
    noted_on: dt.date,
    acting_user: Principal,
    note: str = "",
) -> LocationLink:
    require(acting_user, "location:record", location)
    _not_future("noted_on", noted_on, "The date noted")
    if LocationLink.objects.filter(location=location, child=child).exists():
        raise ValidationError("This child is already linked to this location")
    link = LocationLink(location=location, child=child, noted_on=noted_on, note=note)
    save_with_history(link, acting_user)
    audit.write(acting_user, "location:child:linked", link)
    return link


@transaction.atomic
def unlink_child_from_location(link: LocationLink, *, acting_user: Principal) -> None:
    """Remove a link made in error or no longer relevant; its history keeps who, when, what."""
    require(acting_user, "location:record", link.location)
    audit.write(acting_user, "location:child:unlinked", link)
    _delete_with_history(link, acting_user)


# --- persons of concern (restricted) ----------------------------------------------------------


@transaction.atomic
def record_person(
    *,
    name: str,
    acting_user: Principal,
    description: str = "",
    date_of_birth: dt.date | None = None,
) -> PersonOfConcern:
    require(acting_user, "person_of_concern:record")
    _required("name", name, "Enter the person's name or the alias they are known by")
    _not_future("date_of_birth", date_of_birth, "Date of birth")
    person = PersonOfConcern(
        name=name.strip(),
        description=description,
        date_of_birth=date_of_birth,
        recorded_by=user_or_none(acting_user),
    )
    save_with_history(person, acting_user)
    audit.write(acting_user, "person_of_concern:recorded", person)
    return person


@transaction.atomic
def link_child_to_person(  # noqa: PLR0913 - a link is several facts
    person: PersonOfConcern,
    child: Child,
    *,
    noted_on: dt.date,
    acting_user: Principal,
    relationship: str = "",
    note: str = "",
) -> PersonLink:
    require(acting_user, "person_of_concern:record", person)
    _not_future("noted_on", noted_on, "The date noted")
    if PersonLink.objects.filter(person=person, child=child).exists():
        raise ValidationError("This child is already linked to this person")
    link = PersonLink(
        person=person, child=child, noted_on=noted_on, relationship=relationship, note=note
    )
    save_with_history(link, acting_user)
    audit.write(acting_user, "person_of_concern:child:linked", link)
    return link


@transaction.atomic
def unlink_child_from_person(link: PersonLink, *, acting_user: Principal) -> None:
    require(acting_user, "person_of_concern:record", link.person)
    audit.write(acting_user, "person_of_concern:child:unlinked", link)
    _delete_with_history(link, acting_user)


@transaction.atomic
def link_person_to_location(
    person: PersonOfConcern,
    location: LocationOfConcern,
    *,
    noted_on: dt.date,
    acting_user: Principal,
    note: str = "",
) -> PersonLocationLink:
    require(acting_user, "person_of_concern:record", person)
    _not_future("noted_on", noted_on, "The date noted")
    if PersonLocationLink.objects.filter(person=person, location=location).exists():
        raise ValidationError({"location": "This person is already linked to this location"})
    link = PersonLocationLink(person=person, location=location, noted_on=noted_on, note=note)
    save_with_history(link, acting_user)
    audit.write(acting_user, "person_of_concern:location:linked", link)
    return link


@transaction.atomic
def unlink_person_from_location(link: PersonLocationLink, *, acting_user: Principal) -> None:
    require(acting_user, "person_of_concern:record", link.person)
    audit.write(acting_user, "person_of_concern:location:unlinked", link)
    _delete_with_history(link, acting_user)


# --- disruption activity ----------------------------------------------------------------------


@transaction.atomic
def record_disruption(  # noqa: PLR0913 - a disruption is several facts
    *,
    kind: str,
    occurred_on: dt.date,
    acting_user: Principal,
    description: str = "",
    police_reference: str = "",
    person: PersonOfConcern | None = None,
    location: LocationOfConcern | None = None,
    child: Child | None = None,
) -> Disruption:
    """Record a warning notice, arrest, charge, conviction or action against premises.

    Naming a person needs `person_of_concern:record` as well: otherwise a practitioner could
    attach a disruption to a person they are not allowed to know exists.
    """
    require(acting_user, "disruption:record")
    if person is not None:
        require(acting_user, "person_of_concern:record", person)
    _not_future("occurred_on", occurred_on, "The date")
    disruption = Disruption(
        kind=kind,
        occurred_on=occurred_on,
        description=description,
        police_reference=police_reference.strip(),
        person=person,
        location=location,
        child=child,
        recorded_by=user_or_none(acting_user),
    )
    save_with_history(disruption, acting_user)
    audit.write(acting_user, "disruption:recorded", disruption)
    return disruption


def _delete_with_history(
    link: LocationLink | PersonLink | PersonLocationLink, acting_user: Principal
) -> None:
    """Delete, attributing the history row (type "-", the row as it was) to the acting user."""
    link._history_user = user_or_none(acting_user)  # type: ignore[union-attr]  # noqa: SLF001
    link.delete()
