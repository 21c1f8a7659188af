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
from safehub.people import corrections
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
    upn = (identity.get("upn") or "").replace(" ", "").upper()
    if upn and not codes.upn_is_valid(upn):
        raise ValidationError({"upn": "Enter a valid Unique Pupil Number"})
    identity["upn"] = upn
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
    require_ward: bool = False,
) -> AddressPeriod:
    """Record where the child lived from `valid_from`; the open period before it ends there.

    The ward is the one in force on `valid_from`: chosen by hand, else from the postcode.
    With `require_ward` (a person at a form) a postcode the directory does not know is
    refused until a ward is chosen or saving without one is confirmed; imports keep the
    address and leave the ward unknown.
    """
    require(acting_user, "child:update", child)
    resolution = _ward(
        valid_from, postcode, ward_code, require_ward=require_ward, acting_user=acting_user
    )
    overlapping = child.addresses.filter(valid_from__gte=valid_from, withdrawn_at__isnull=True)
    if overlapping.exists():
        raise ValidationError(
            {
                "valid_from": "An address already starts on or after this date: correct that "
                "address instead (listed below)"
            }
        )
    for previous in child.addresses.filter(valid_to__isnull=True, withdrawn_at__isnull=True):
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


NOT_IN_DIRECTORY = (
    "{problem} Choose the ward, or confirm that the address is saved without a ward: the child "
    "will then count as \u201cward not known\u201d in every figure until a ward is recorded"
)
ADDRESS_LABELS = {
    "valid_from": "Lived here from",
    "postcode": "Postcode",
    "address": "Address",
    "ward": "Ward",
}


def _ward(
    on: dt.date, postcode: str, ward_code: str, *, require_ward: bool, acting_user: Principal
) -> geo.WardResolution:
    resolution = geo.resolve_ward(
        on=on, postcode=postcode or None, ward_code=ward_code or None, acting_user=acting_user
    )
    if ward_code and resolution.ward is None:
        raise ValidationError({"ward_code": resolution.problem})
    if require_ward and postcode and resolution.ward is None:
        raise ValidationError({"ward_code": NOT_IN_DIRECTORY.format(problem=resolution.problem)})
    return resolution


@transaction.atomic
def correct_address(  # noqa: PLR0913 - the corrected facts, the reason and the version seen
    period: AddressPeriod,
    *,
    valid_from: dt.date,
    postcode: str,
    ward_code: str,
    address: str,
    reason: str,
    acting_user: Principal,
    require_ward: bool = False,
    expected_version: int | None = None,
) -> AddressPeriod:
    """Put right an address entered wrongly (a mistyped postcode, the wrong date moved in).

    The history keeps the values before, with the reason, so the record as known before the
    correction still reads as it did. A changed start date moves the end of the period before.
    """
    require(acting_user, "child:update", period.child)
    period = corrections.lock(AddressPeriod, period.pk)
    corrections.check_version(period, expected_version, labels=ADDRESS_LABELS)
    if period.withdrawn:
        raise ValidationError("This address was removed as entered in error")
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the address is being corrected"})
    siblings = AddressPeriod.objects.filter(child_id=period.child_id, withdrawn_at__isnull=True)
    before = siblings.filter(valid_to=period.valid_from).exclude(pk=period.pk).first()
    if (period.valid_to and valid_from >= period.valid_to) or (
        before and valid_from <= before.valid_from
    ):
        raise ValidationError(
            {"valid_from": "The date must fall between the addresses before and after this one"}
        )
    resolution = _ward(
        valid_from, postcode, ward_code, require_ward=require_ward, acting_user=acting_user
    )
    if before is not None and valid_from != period.valid_from:
        before.valid_to = valid_from
        _save_corrected(before, reason, acting_user)
    period.valid_from = valid_from
    period.postcode = postcode.upper().strip()
    period.address = address
    period.ward = resolution.ward
    period.ward_method = str(resolution.method or "")
    _save_corrected(period, reason, acting_user)
    audit.write(acting_user, "child:address:corrected", period.child)
    return period


@transaction.atomic
def withdraw_address(
    period: AddressPeriod,
    *,
    reason: str,
    acting_user: Principal,
    expected_version: int | None = None,
) -> AddressPeriod:
    """Remove an address entered in error; the address before it runs on in its place."""
    require(acting_user, "child:update", period.child)
    period = corrections.lock(AddressPeriod, period.pk)
    corrections.check_version(period, expected_version, labels=ADDRESS_LABELS)
    corrections.mark_withdrawn(period, reason=reason, acting_user=acting_user)
    before = (
        AddressPeriod.objects.filter(
            child_id=period.child_id, withdrawn_at__isnull=True, valid_to=period.valid_from
        )
        .exclude(pk=period.pk)
        .first()
    )
    _save_corrected(period, reason, acting_user)
    if before is not None:
        before.valid_to = period.valid_to
        _save_corrected(before, reason, acting_user)
    audit.write(acting_user, "child:address:withdrawn", period.child)
    return period


def _save_corrected(row: models.Model, reason: str, acting_user: Principal) -> None:
    """Save with history, the history row carrying why (django-simple-history's change reason)."""
    row._change_reason = reason.strip()  # type: ignore[attr-defined]  # noqa: SLF001
    save_with_history(row, acting_user)
