"""Scoped, audited reads of children's records.

Every read of case data starts here: `children_for(user)` is the caller's scope, and the
functions that show a child write the audit event in the same transaction as the read.
Issue 4 widens the scope with recorded sharing; callers do not change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from safehub.access.policy import HUB_ROLES, OutOfScopeError, Principal, can, user_or_none
from safehub.audit import services as audit
from safehub.people.models import BreakGlass, Child, Share, ShareSection

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


@dataclass(frozen=True)
class EmergencyAccessNotice:
    """One line of the emergency-access banner: access that lasts, or that has just ended."""

    child_id: int
    child_name: str
    at: dt.datetime  # when it ends, or when it ended
    ended: bool
    ended_by_manager: bool


# The grants the banner last showed as lasting, so the next page can say which have ended.
_SHOWN_KEY = "safehub_emergency_access_shown"


def emergency_access_notices(
    user: Principal, session: MutableMapping[str, Any]
) -> list[EmergencyAccessNotice]:
    """What the emergency-access banner tells a partner worker on this page.

    Every grant that lasts, with when it ends; and once, each grant shown as lasting on an
    earlier page that has since ended (its hour was up or a manager ended it). The banner
    shows only the name the worker typed to open the record, so it is not audited as a view.
    """
    if not can(user, "break_glass:use"):
        return []
    account = user_or_none(user)
    if account is None:
        return []
    now = timezone.now()
    lasting = list(
        BreakGlass.objects.filter(user=account, expires_at__gt=now)
        .select_related("child")
        .order_by("expires_at")
    )
    shown = {int(pk) for pk in session.get(_SHOWN_KEY, [])}
    lasting_ids = {grant.pk for grant in lasting}
    gone = shown - lasting_ids
    ended = (
        list(BreakGlass.objects.filter(user=account, pk__in=gone).select_related("child"))
        if gone
        else []
    )
    if shown != lasting_ids:
        session[_SHOWN_KEY] = sorted(lasting_ids)
    return [
        EmergencyAccessNotice(
            child_id=grant.child_id,
            child_name=grant.child.full_name,
            at=grant.ended_at or grant.expires_at,
            ended=grant in ended,
            ended_by_manager=grant.ended_at is not None,
        )
        for grant in [*ended, *lasting]
    ]
