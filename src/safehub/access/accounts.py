"""Changes to accounts: administrators administer, they do not read.

An administrator cannot change their own role or agency. A change that would give an account
case access (a case role, switched on, or a case role moved to another agency) is not applied:
it waits as an `AccountChange` until a second administrator approves it, and the hub managers
are alerted. Every change is audited with what it was before and after; the audit holds codes
and ids only, so a change of a name or email address is recorded by the field's name.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from safehub.access.models import AccountChange, AccountChangeStatus, User
from safehub.access.policy import CASE_ROLES, Principal, require, user_or_none
from safehub.audit import services as audit

alerts = logging.getLogger("safehub.alerts")

# What decides what an account may read; the other fields are recorded by name only.
ACCESS_FIELDS = ("role", "agency", "is_active")


@dataclass(frozen=True)
class AccessState:
    role: str
    agency_id: int | None
    is_active: bool

    @classmethod
    def of(cls, user: User) -> AccessState:
        return cls(role=user.role, agency_id=user.agency_id, is_active=user.is_active)

    @property
    def reads_cases(self) -> bool:
        return self.is_active and self.role in CASE_ROLES


NO_ACCESS = AccessState(role="", agency_id=None, is_active=False)


def gives_case_access(before: AccessState, after: AccessState) -> bool:
    """Whether going from `before` to `after` lets the account read records it could not."""
    if not after.reads_cases:
        return False
    return not before.reads_cases or (before.role, before.agency_id) != (
        after.role,
        after.agency_id,
    )


def describe(before: AccessState, after: AccessState, other_fields: Iterable[str] = ()) -> str:
    """Before and after, for the audit trail: "role: analyst -> hub_manager; agency: 3 -> 4"."""

    def yes_no(value: bool) -> str:  # noqa: FBT001
        return "yes" if value else "no"

    parts = []
    if before.role != after.role:
        parts.append(f"role: {before.role or '-'} -> {after.role}")
    if before.agency_id != after.agency_id:
        parts.append(f"agency: {before.agency_id or '-'} -> {after.agency_id}")
    if before.is_active != after.is_active:
        parts.append(f"active: {yes_no(before.is_active)} -> {yes_no(after.is_active)}")
    parts.extend(f"{name}: changed" for name in sorted(set(other_fields) - set(ACCESS_FIELDS)))
    return "; ".join(parts)


def _refuse_own_access_change(user: User, after: AccessState, acting_user: Principal) -> None:
    acting = user_or_none(acting_user)
    if acting is None or acting.pk != user.pk:
        return
    if (after.role, after.agency_id) != (user.role, user.agency_id):
        raise ValidationError({"role": "You cannot change your own role or agency"})


def _request(
    user: User, before: AccessState, after: AccessState, acting_user: Principal
) -> AccountChange:
    requester = user_or_none(acting_user)
    if requester is None or after.agency_id is None:
        raise ValidationError("A change that gives case access is asked for by an administrator")
    change = AccountChange.objects.create(
        user=user,
        role=after.role,
        agency_id=after.agency_id,
        is_active=after.is_active,
        role_before=before.role,
        agency_before_id=before.agency_id,
        is_active_before=before.is_active,
        requested_by=requester,
        requested_at=timezone.now(),
    )
    audit.write(acting_user, "user:change:requested", user, reason=describe(before, after))
    transaction.on_commit(
        lambda: alerts.warning(
            "account change %s would give user %s case access: waiting for a second "
            "administrator's approval",
            change.pk,
            user.pk,
        )
    )
    return change


@transaction.atomic
def save_account(
    account: User, *, changed_fields: Iterable[str], created: bool, acting_user: Principal
) -> AccountChange | None:
    """Save an account edited in `/admin/` (its fields already set from the form).

    The access fields are held back when the change would give case access: the account is
    saved with its old role, agency and active flag (a new account: switched off), and the
    change waits for a second administrator.
    """
    require(acting_user, "users:manage")
    changed = set(changed_fields)
    after = AccessState.of(account)
    if created:
        before = NO_ACCESS
    else:
        stored = User.objects.select_for_update().get(pk=account.pk)
        before = AccessState.of(stored)
        _refuse_own_access_change(stored, after, acting_user)
    pending = gives_case_access(before, after)
    if pending:
        # Held back: the old values (a new account is kept switched off until approved).
        account.is_active = before.is_active
        if not created and before.agency_id is not None:
            account.role, account.agency_id = before.role, before.agency_id
    account.save()
    saved = AccessState.of(account)
    if created:
        audit.write(acting_user, "user:created", account, reason=describe(NO_ACCESS, saved))
    elif before != saved or changed - set(ACCESS_FIELDS):
        audit.write(acting_user, "user:changed", account, reason=describe(before, saved, changed))
    return _request(account, saved, after, acting_user) if pending else None


def _pending(change: AccountChange) -> AccountChange:
    locked = AccountChange.objects.select_for_update().get(pk=change.pk)
    if locked.status != AccountChangeStatus.PENDING:
        raise ValidationError("This change has already been decided")
    return locked


@transaction.atomic
def approve_change(change: AccountChange, *, acting_user: Principal) -> User:
    """A second administrator approves: the account gets the role, agency and flag asked for."""
    require(acting_user, "users:manage")
    change = _pending(change)
    approver = user_or_none(acting_user)
    if approver is None or approver.pk in (change.requested_by_id, change.user_id):
        raise ValidationError(
            "A second administrator must approve this: not the one who asked for it, "
            "nor the person it is about"
        )
    user = User.objects.select_for_update().get(pk=change.user_id)
    before = AccessState.of(user)
    user.role, user.agency_id, user.is_active = change.role, change.agency_id, change.is_active
    user.save(update_fields=["role", "agency", "is_active", "is_staff", "is_superuser"])
    change.status = AccountChangeStatus.APPROVED
    change.decided_by = approver
    change.decided_at = timezone.now()
    change.save(update_fields=["status", "decided_by", "decided_at"])
    audit.write(
        acting_user, "user:change:approved", user, reason=describe(before, AccessState.of(user))
    )
    transaction.on_commit(
        lambda: alerts.warning(
            "account change %s approved: user %s now has case access", change.pk, user.pk
        )
    )
    return user


@transaction.atomic
def refuse_change(change: AccountChange, *, acting_user: Principal) -> AccountChange:
    """Any administrator may refuse a waiting change (the one who asked may withdraw it)."""
    require(acting_user, "users:manage")
    change = _pending(change)
    change.status = AccountChangeStatus.REFUSED
    change.decided_by = user_or_none(acting_user)
    change.decided_at = timezone.now()
    change.save(update_fields=["status", "decided_by", "decided_at"])
    requested = AccessState(change.role, change.agency_id, change.is_active)
    audit.write(
        acting_user,
        "user:change:refused",
        change.user,
        reason=describe(AccessState.of(change.user), requested),
    )
    return change


@transaction.atomic
def record_password_set(user: User, *, acting_user: Principal) -> None:
    """Audit a password set by an administrator (the form has saved it in this transaction)."""
    require(acting_user, "users:manage")
    audit.write(acting_user, "user:password:set", user, reason="password: changed")
