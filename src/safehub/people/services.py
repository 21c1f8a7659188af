"""Changes to a child's record. One function = one transaction, permission checked, audited.

Each save goes through django-simple-history, which records the acting user, the time and
the full row before and after; `_history_user` tells it who acted.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from safehub.access.models import User
from safehub.access.policy import Principal, require, user_or_none
from safehub.audit import services as audit
from safehub.geo import services as geo
from safehub.people.models import AddressPeriod, CarePeriod, CaseNote, Child, ChildAlias
from safehub.rules import codes, plausibility


def save_with_history(obj: models.Model, acting_user: Principal) -> None:
    """Validate and save, attributing the history row to the acting user.

    Every text field is checked for control characters here, so that no way in (form, API,
    import) can store a NUL (which PostgreSQL refuses with an error) or a hidden character.
    """
    refuse(
        [
            problem
            for field in obj._meta.concrete_fields  # noqa: SLF001
            if isinstance(value := getattr(obj, field.attname), str)
            for problem in plausibility.text(
                field.name, value, label=str(field.verbose_name).capitalize()
            )
        ]
    )
    obj.full_clean()
    obj._history_user = user_or_none(acting_user)  # type: ignore[attr-defined]  # noqa: SLF001
    obj.save()


def refuse(problems: plausibility.Problems) -> None:
    """Raise the rules' problems as a ValidationError naming each field, if there are any."""
    if not problems:
        return
    errors: dict[str, list[str]] = {}
    for field, message in problems:
        errors.setdefault(field, []).append(message)
    raise ValidationError(errors)


def birth_of(child: Child) -> plausibility.Birth:
    return plausibility.Birth(child.date_of_birth, approximate=child.dob_approximate)


@transaction.atomic
def register_child(
    *, acting_user: Principal, referred_on: dt.date | None = None, **identity: Any
) -> Child:
    """A new child. `identity` holds the Child fields (names, date of birth, sex …).

    The age must be plausible on `referred_on`: the day a new child is recorded, or the day
    of the referral recorded with them (perhaps years ago, in an import).
    """
    require(acting_user, "child:create")
    nhs = (identity.get("nhs_number") or "").replace(" ", "")
    if nhs and not codes.nhs_number_is_valid(nhs):
        raise ValidationError({"nhs_number": "Enter a valid NHS number (10 digits)"})
    identity["nhs_number"] = nhs
    child = Child(**identity, created_by=user_or_none(acting_user))
    child.full_clean()  # the rules read the values as dates, however they were given
    refuse(
        plausibility.child(
            birth_of(child),
            arrived_uk=child.arrived_uk,
            today=timezone.localdate(),
            referred_on=referred_on,
        )
    )
    save_with_history(child, acting_user)
    audit.write(acting_user, "child:created", child)
    return child


@transaction.atomic
def add_alias(
    child: Child, *, given_name: str, family_name: str, note: str, acting_user: Principal
) -> ChildAlias:
    require(acting_user, "child:update", child)
    alias = ChildAlias(child=child, given_name=given_name, family_name=family_name, note=note)
    save_with_history(alias, acting_user)
    audit.write(acting_user, "child:alias:added", child)
    return alias


@transaction.atomic
def record_address(  # noqa: PLR0913 - an address is several facts
    child: Child,
    *,
    valid_from: dt.date,
    acting_user: Principal,
    postcode: str = "",
    ward_code: str = "",
    address: str = "",
    valid_to: dt.date | None = None,
) -> AddressPeriod:
    """Record where the child lived from `valid_from`; the open period before it ends there.

    The ward is the one in force on `valid_from`: chosen by hand, else from the postcode.
    """
    require(acting_user, "child:update", child)
    resolution = geo.resolve_ward(
        on=valid_from,
        postcode=postcode or None,
        ward_code=ward_code or None,
        acting_user=acting_user,
    )
    if ward_code and resolution.ward is None:
        raise ValidationError({"ward_code": resolution.problem})
    overlapping = child.addresses.filter(valid_from__gte=valid_from)
    if overlapping.exists():
        raise ValidationError(
            {"valid_from": "An address already starts on or after this date; correct that one"}
        )
    for previous in child.addresses.filter(valid_to__isnull=True):
        previous.valid_to = valid_from
        save_with_history(previous, acting_user)
    period = AddressPeriod(
        child=child,
        valid_from=valid_from,
        valid_to=valid_to,
        postcode=postcode.upper().strip(),
        address=address,
        ward=resolution.ward,
        ward_method=str(resolution.method or ""),
    )
    save_with_history(period, acting_user)
    audit.write(acting_user, "child:address:recorded", child)
    return period


@transaction.atomic
def record_care_period(
    child: Child,
    *,
    kind: str,
    valid_from: dt.date,
    valid_to: dt.date | None = None,
    acting_user: Principal,
) -> CarePeriod:
    require(acting_user, "child:update", child)
    refuse(plausibility.after_birth("valid_from", valid_from, birth_of(child), label="Start date"))
    period = CarePeriod(child=child, kind=kind, valid_from=valid_from, valid_to=valid_to)
    save_with_history(period, acting_user)
    audit.write(acting_user, "child:care_status:recorded", child)
    return period


@transaction.atomic
def add_case_note(child: Child, *, text: str, acting_user: Principal) -> CaseNote:
    require(acting_user, "child:note:add", child)
    if not text.strip():
        raise ValidationError({"text": "Enter the note"})
    assert isinstance(acting_user, User)  # noqa: S101 - the policy admits only signed-in users
    note = CaseNote(child=child, text=text, author=acting_user, written_at=timezone.now())
    save_with_history(note, acting_user)
    audit.write(acting_user, "child:note:added", note)
    return note
