"""Raising, signing off, correcting, ending and withdrawing warning flags.

One function = one transaction: permission checked, the row locked where its state changes,
history kept (django-simple-history) and the audit event written alongside.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from safehub.access.models import User
from safehub.access.policy import HUB_ROLES, Principal, require, user_or_none
from safehub.audit import services as audit
from safehub.flags.models import FlagKind, FlagStatus, WarningFlag
from safehub.people.corrections import check_version, lock, mark_withdrawn
from safehub.people.models import Child
from safehub.people.services import refuse, save_with_history
from safehub.rules import plausibility

LABELS = {
    "kind": "Kind",
    "text": "Warning",
    "owner": "Owner",
    "review_on": "Review date",
    "approved": "Sign-off",
}


def _check(kind: str, text: str, owner: User, review_on: dt.date) -> None:
    problems: plausibility.Problems = []
    if kind not in FlagKind.values:
        problems.append(("kind", "Choose the kind of warning"))
    if not text.strip():
        problems.append(("text", "Enter what a reader must know or do"))
    if owner.role not in HUB_ROLES or not owner.is_active:
        problems.append(("owner", "Choose a hub worker as the owner"))
    problems += plausibility.flag_review(review_on, today=timezone.localdate())
    refuse(problems)


@transaction.atomic
def raise_flag(  # noqa: PLR0913 - each is a field of the flag
    child: Child,
    *,
    kind: str,
    text: str,
    owner: User,
    review_on: dt.date,
    acting_user: Principal,
) -> WarningFlag:
    """A new flag, pending until a hub manager signs it off."""
    require(acting_user, "flag:raise", child)
    _check(kind, text, owner, review_on)
    flag = WarningFlag(
        child=child,
        kind=kind,
        text=text.strip(),
        owner=owner,
        review_on=review_on,
        raised_by=user_or_none(acting_user),
        raised_at=timezone.now(),
    )
    save_with_history(flag, acting_user)
    audit.write(acting_user, "flag:raised", flag)
    return flag


@transaction.atomic
def sign_off(
    flag: WarningFlag, *, approve: bool, note: str = "", acting_user: Principal
) -> WarningFlag:
    """A hub manager approves the flag (it takes effect) or declines it, saying why."""
    require(acting_user, "flag:sign_off", flag)
    flag = lock(WarningFlag, flag.pk)
    if flag.status != FlagStatus.PENDING:
        raise ValidationError({"decision": "This flag is not waiting for sign-off"})
    if not approve and not note.strip():
        raise ValidationError({"note": "Enter why the flag is not approved"})
    if flag.raised_by_id is not None and flag.raised_by_id == getattr(acting_user, "pk", None):
        raise ValidationError({"decision": "Another hub manager must sign off a flag you raised"})
    flag.approved = approve
    flag.signed_off_by = user_or_none(acting_user)
    flag.signed_off_at = timezone.now()
    flag.sign_off_note = note.strip()
    save_with_history(flag, acting_user)
    audit.write(acting_user, "flag:approved" if approve else "flag:declined", flag)
    return flag


@transaction.atomic
def correct_flag(  # noqa: PLR0913 - each is a field of the flag, and the version it replaces
    flag: WarningFlag,
    *,
    kind: str,
    text: str,
    owner: User,
    review_on: dt.date,
    acting_user: Principal,
    expected_version: int | None = None,
) -> WarningFlag:
    """Review or correct an open flag. A new kind or wording needs a new sign-off; a new owner
    or review date (the usual outcome of a review) does not."""
    require(acting_user, "flag:raise", flag)
    flag = lock(WarningFlag, flag.pk)
    check_version(flag, expected_version, labels=LABELS)
    if not flag.is_open:
        raise ValidationError({"__all__": "Only a pending or active flag can be changed"})
    _check(kind, text, owner, review_on)
    reworded = kind != flag.kind or text.strip() != flag.text
    flag.kind, flag.text, flag.owner, flag.review_on = kind, text.strip(), owner, review_on
    if reworded and flag.approved is not None:
        flag.approved = None
        flag.signed_off_by = None
        flag.signed_off_at = None
        flag.sign_off_note = ""
    save_with_history(flag, acting_user)
    audit.write(acting_user, "flag:corrected", flag, reason="reworded" if reworded else "")
    return flag


@transaction.atomic
def end_flag(
    flag: WarningFlag,
    *,
    reason: str,
    acting_user: Principal,
    expected_version: int | None = None,
) -> WarningFlag:
    """The warning no longer applies: it leaves the banner and the queue, kept in history."""
    require(acting_user, "flag:raise", flag)
    flag = lock(WarningFlag, flag.pk)
    check_version(flag, expected_version, labels=LABELS)
    if not flag.is_open:
        raise ValidationError({"reason": "This flag has already ended"})
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the flag no longer applies"})
    flag.ended_at = timezone.now()
    flag.ended_by = user_or_none(acting_user)
    flag.end_reason = reason.strip()
    save_with_history(flag, acting_user)
    audit.write(acting_user, "flag:ended", flag)
    return flag


@transaction.atomic
def withdraw_flag(
    flag: WarningFlag,
    *,
    reason: str,
    acting_user: Principal,
    expected_version: int | None = None,
) -> WarningFlag:
    """Withdraw a flag raised in error (the wrong child, a duplicate)."""
    require(acting_user, "flag:raise", flag)
    flag = lock(WarningFlag, flag.pk)
    check_version(flag, expected_version, labels=LABELS)
    mark_withdrawn(flag, reason=reason, acting_user=acting_user)
    save_with_history(flag, acting_user)
    audit.write(acting_user, "flag:withdrawn", flag)
    return flag
