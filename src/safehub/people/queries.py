"""Scoped, audited reads of children's records.

Every read of case data starts here: `children_for(user)` is the caller's scope, and the
functions that show a child write the audit event in the same transaction as the read.
Issue 4 widens the scope with recorded sharing; callers do not change.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from safehub.access.policy import HUB_ROLES, OutOfScopeError, Principal, can, user_or_none
from safehub.audit import services as audit
from safehub.people.models import AddressPeriod, BreakGlass, Child, Share, ShareSection

SEARCH_LIMIT = 50


ALL_SECTIONS = frozenset(ShareSection.values)


def children_for(user: Principal) -> QuerySet[Child]:
    """The children this user may see at all.

    Hub roles: every child the hub holds. Partner workers: the children shared with their
    agency by a share that is neither revoked nor expired, and any child they opened by
    break-glass within the last hour. Everyone else: none.
    """
    if not can(user, "child:view"):
        return Child.objects.none()
    if getattr(user, "role", None) in HUB_ROLES:
        return Child.objects.all()
    account = user_or_none(user)
    if account is None:
        return Child.objects.none()
    shared = Share.objects.filter(
        agency_id=account.agency_id,
        revoked_at__isnull=True,
        expires_on__gte=timezone.localdate(),
    ).values("child_id")
    glass = BreakGlass.objects.filter(user=account, expires_at__gt=timezone.now())
    return Child.objects.filter(Q(pk__in=shared) | Q(pk__in=glass.values("child_id")))


def visible_sections(user: Principal, child: Child) -> frozenset[str]:
    """Which sections of the child's record this user may see (identity is always shown)."""
    if getattr(user, "role", None) in HUB_ROLES:
        return ALL_SECTIONS
    account = user_or_none(user)
    if account is None:
        return frozenset()
    glass = BreakGlass.objects.filter(user=account, child=child, expires_at__gt=timezone.now())
    if glass.exists():
        return ALL_SECTIONS
    sections: set[str] = set()
    for share in Share.objects.filter(
        child=child,
        agency_id=account.agency_id,
        revoked_at__isnull=True,
        expires_on__gte=timezone.localdate(),
    ):
        sections.update(share.sections)
    return frozenset(sections)


def get_child(user: Principal, child_id: int, *, purpose: str = "viewed") -> Child:
    """One child, or 404 when it does not exist or is outside the caller's scope."""
    child = children_for(user).filter(pk=child_id).first()
    if child is None:
        # Audited as access:denied by the middleware, after this request's rollback.
        raise OutOfScopeError("people.child", str(child_id))
    audit.write(user, f"child:{purpose}", child)
    return child


def get_address(user: Principal, address_id: int) -> AddressPeriod:
    """One address period, or 404 unless its child and the address section are visible."""
    address = (
        AddressPeriod.objects.filter(pk=address_id, child__in=children_for(user))
        .select_related("child", "ward")
        .first()
    )
    if address is None or "address" not in visible_sections(user, address.child):
        raise OutOfScopeError("people.addressperiod", str(address_id))
    audit.write(user, "child:address:viewed", address.child)
    return address


def addresses_of(child: Child) -> list[AddressPeriod]:
    """The child's address history, newest first, withdrawn ones included (and marked).

    The caller has already read the child through `get_child` (scoped and audited).
    """
    return list(child.addresses.select_related("ward").order_by("-valid_from", "-pk"))


def search_children(
    user: Principal,
    *,
    name: str = "",
    date_of_birth: dt.date | None = None,
    nhs_number: str = "",
) -> list[Child]:
    """Find a child by name (any part, aliases too), date of birth or NHS number."""
    if not can(user, "child:search"):
        return []
    scope = children_for(user)
    query = Q()
    for part in name.split():
        query &= (
            Q(given_name__icontains=part)
            | Q(family_name__icontains=part)
            | Q(aliases__given_name__icontains=part)
            | Q(aliases__family_name__icontains=part)
        )
    if date_of_birth:
        query &= Q(date_of_birth=date_of_birth)
    if nhs_number:
        query &= Q(nhs_number=nhs_number.replace(" ", ""))
    if not query:
        return []
    results = list(
        scope.filter(query).distinct().order_by("family_name", "given_name")[:SEARCH_LIMIT]
    )
    audit.write(
        user,
        "child:searched",
        object_type="people.child",
        object_id=",".join(str(c.pk) for c in results[:8]),
    )
    return results
