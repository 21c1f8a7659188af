"""Scoped, audited reads of children's records.

Every read of case data starts here: `children_for(user)` is the caller's scope (hub roles:
every child; a partner worker: the children shared with their agency, or opened by
break-glass), `children_with_section(user, section)` the scope of each part of a record, and
the functions that show a child write the audit event in the same transaction as the read:
one event per child, lists included.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.utils import timezone

from safehub.access.api_keys import AgencyPrincipal
from safehub.access.models import User
from safehub.access.policy import (
    HUB_ROLES,
    OutOfScopeError,
    Principal,
    can,
    require,
    user_or_none,
)
from safehub.audit import services as audit
from safehub.audit.models import AuditEvent
from safehub.people import name_search
from safehub.people.models import (
    AddressPeriod,
    BreakGlass,
    Child,
    Share,
    ShareSection,
)

SEARCH_LIMIT = name_search.SEARCH_LIMIT  # the search pages say how many they show

ALL_SECTIONS = frozenset(ShareSection.values)


def children_for(user: Principal, *, include_merged: bool = False) -> QuerySet[Child]:
    """The children this user may see at all.

    Hub roles: every child the hub holds. Partner workers: the children shared with their
    agency by a share that is neither revoked nor expired, and any child they opened by
    break-glass within the last hour. Everyone else: none. A record merged into another
    (a tombstone, `Child.merged_into`) is left out unless `include_merged`: only the
    duplicates queue, which must show it to undo the merge, asks for it.
    """
    if not can(user, "child:view"):
        return Child.objects.none()
    held = Child.objects.all() if include_merged else Child.objects.filter(merged_into=None)
    if getattr(user, "role", None) in HUB_ROLES:
        return held
    account = _partner(user)
    if account is None:
        return Child.objects.none()
    shared = _active_shares(account).values("child_id")
    glass = _glass(account)
    return held.filter(Q(pk__in=shared) | Q(pk__in=glass.values("child_id")))


def _partner(user: Principal) -> User | AgencyPrincipal | None:
    """A partner worker's account, or an agency's API key acting as that agency's partner."""
    if isinstance(user, AgencyPrincipal):
        return user
    return user_or_none(user)


def _glass(account: User | AgencyPrincipal) -> QuerySet[BreakGlass]:
    """The account's break-glass grants still running; an API key can never break glass."""
    if not isinstance(account, User):
        return BreakGlass.objects.none()
    return BreakGlass.objects.filter(user=account, expires_at__gt=timezone.now())


def sees_every_child(user: Principal) -> bool:
    """Whether `children_for(user)` is every child (the hub's own roles), so a query over a
    large table can skip joining to it: the same rule, without the join."""
    return can(user, "child:view") and getattr(user, "role", None) in HUB_ROLES


def _active_shares(account: User | AgencyPrincipal) -> QuerySet[Share]:
    return Share.objects.filter(
        agency_id=account.agency_id,
        revoked_at__isnull=True,
        expires_on__gte=timezone.localdate(),
    )


def visible_sections(user: Principal, child: Child) -> frozenset[str]:
    """Which sections of the child's record this user may see (name, age, sex always)."""
    if getattr(user, "role", None) in HUB_ROLES:
        return ALL_SECTIONS
    account = _partner(user)
    if account is None or not can(user, "child:view"):
        return frozenset()
    if _glass(account).filter(child=child).exists():
        return ALL_SECTIONS
    sections: set[str] = set()
    for shared in _active_shares(account).filter(child=child).values_list("sections", flat=True):
        sections.update(shared)
    return frozenset(sections)


def children_with_section(user: Principal, section: str) -> QuerySet[Child]:
    """The children whose `section` this user may see: the scope of anything filed under it.

    Every read of an object that belongs to a child (an episode and its risk history and
    reviews under "risk"; a missing episode under "missing"; notes, referrals,
    addresses …) filters by this, so a share that leaves a section out leaves out every page,
    API answer and list that shows it. Hub roles: every child; break-glass: the whole record.
    """
    if section not in ALL_SECTIONS:
        raise KeyError(f"unknown share section {section!r}")
    scope = children_for(user)
    if getattr(user, "role", None) in HUB_ROLES:
        return scope
    account = _partner(user)
    if account is None:
        return Child.objects.none()
    # Sections are a JSON list, which SQLite cannot search inside: the agency's active shares
    # are few, so they are read and filtered here.
    shared = {
        child_id
        for child_id, sections in _active_shares(account).values_list("child_id", "sections")
        if section in sections
    }
    glass = _glass(account)
    return scope.filter(Q(pk__in=shared) | Q(pk__in=glass.values("child_id")))


SHARED_LIMIT = 200


@dataclass(frozen=True)
class SharedChild:
    """A row of a partner's list: the child and what their agency was given, until when, by whom."""

    child: Child
    sections: list[str]
    expires_on: dt.date
    shared_by: str
    shared_by_agency: str


def shared_with_me(
    user: Principal, *, page: int | str | None = 1, size: int = SHARED_LIMIT
) -> tuple[list[SharedChild], Page[Child]]:
    """The children shared with the caller's agency today, each with what was shared, by
    name, a page of `size` of them (a page number past the last, or not a number, gives the
    last or the first, as Django's paginator does): one audited row per child listed. Two live
    shares of one child show together (the sections of both, the later expiry, the newer
    sharer). The database pages the children; only the page's shares are read."""
    require(user, "child:shared:list")
    account = _partner(user)
    active = _active_shares(account) if account is not None else Share.objects.none()
    children = Child.objects.filter(pk__in=active.values("child_id")).order_by(
        "family_name", "given_name", "pk"
    )
    shown = Paginator(children, size).get_page(page)
    by_child: dict[int, list[Share]] = {child.pk: [] for child in shown.object_list}
    shares = active.filter(child_id__in=by_child).select_related("shared_by__agency")
    for share in shares.order_by("-shared_at", "-pk"):
        by_child[share.child_id].append(share)
    rows = []
    for child in shown.object_list:
        child_shares = by_child[child.pk]
        codes = {code for share in child_shares for code in share.sections}
        by = child_shares[0].shared_by
        rows.append(
            SharedChild(
                child=child,
                sections=[label for code, label in ShareSection.choices if code in codes],
                expires_on=max(share.expires_on for share in child_shares),
                shared_by=(by.get_full_name() or by.username) if by else "",
                shared_by_agency=str(by.agency) if by else "",
            )
        )
    audit.write_each(user, "child:listed", [r.child for r in rows], context="listed: shared")
    return rows, shown


REVIEWED_LIMIT = 50


def break_glass_queue(user: Principal) -> tuple[list[BreakGlass], list[BreakGlass]]:
    """Break-glass uses waiting for review, and the latest reviewed: every child named in
    either list is audited as listed."""
    require(user, "break_glass:review")
    grants = BreakGlass.objects.select_related("user", "user__agency", "child")
    waiting = list(grants.filter(reviewed_at__isnull=True))
    reviewed = list(grants.filter(reviewed_at__isnull=False)[:REVIEWED_LIMIT])
    audit.write_each(
        user,
        "child:listed",
        [g.child for g in waiting + reviewed],
        context="listed: break-glass review",
    )
    return waiting, reviewed


def get_break_glass(user: Principal, grant_id: int) -> BreakGlass:
    """One break-glass use, for a manager's review: audited against the child it opened."""
    require(user, "break_glass:review")
    grant = BreakGlass.objects.select_related("user", "user__agency", "child").filter(pk=grant_id)
    found = grant.first()
    if found is None:
        raise OutOfScopeError("people.breakglass", str(grant_id))
    audit.write(user, "child:break_glass:viewed", found)
    return found


def get_child(user: Principal, child_id: int, *, purpose: str = "viewed") -> Child:
    """One child, or 404 when it does not exist or is outside the caller's scope."""
    child = children_for(user).filter(pk=child_id).first()
    if child is None:
        # Audited as access:denied by the middleware, after this request's rollback.
        raise OutOfScopeError("people.child", str(child_id))
    audit.write(user, f"child:{purpose}", child)
    return child


def kept_record_of(user: Principal, child_id: int) -> int | None:
    """The record a merged one was folded into, when the caller may see it; else None.

    A link to a merged record (a bookmark, an old note) then leads to the child's record as
    it is now, rather than to "page not found". Followed through merges of merges; audited
    against the merged record.
    """
    seen: set[int] = set()
    current = child_id
    while current not in seen:
        seen.add(current)
        into = Child.objects.filter(pk=current).values_list("merged_into_id", flat=True).first()
        if into is None:
            break
        current = into
    if current == child_id or not children_for(user).filter(pk=current).exists():
        return None
    audit.write(
        user,
        "child:merged:followed",
        object_type="people.child",
        object_id=str(child_id),
        child_id=child_id,
        reason=str(current),
    )
    return current


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
    """Find a child by name (any part, aliases too), date of birth or NHS number.

    Each word of `name` must be part of the child's given or family name or of one of their
    aliases' (case aside). At most `SEARCH_LIMIT` children, by family name, given name and id;
    every child listed is audited. Raises `name_search.SearchTooBroadError` when the names cannot
    be searched in time (words common one by one, rare together).
    """
    if not can(user, "child:search"):
        return []
    query = Q()
    if date_of_birth:
        query &= Q(date_of_birth=date_of_birth)
    if nhs_number:
        query &= Q(nhs_number=nhs_number.replace(" ", ""))
    if not query and not name.split():
        return []
    results = name_search.find_by_name(children_for(user), name, query)
    audit.write_each(user, "child:listed", results, context="listed: search")
    return results


ACCESS_LOG_LIMIT = 500


def access_log(user: Principal, child: Child) -> QuerySet[AuditEvent]:
    """Every audited read, change and denial about this child, newest first.

    Events carry the child they are about (`child_id`: set for the child, their episodes,
    missing episodes, referrals, notes, shares and links, and for every list they appeared
    in); events written before that column existed are found by the child's own id. A
    record merged into this one (a duplicate) brings its own log: its rows are this child's now.
    """
    require(user, "child:access_log:view", child)
    ids = [child.pk, *Child.objects.filter(merged_into=child).values_list("pk", flat=True)]
    about = Q(child_id__in=ids) | Q(
        object_type="people.child", object_id__in=[str(pk) for pk in ids]
    )
    return (
        AuditEvent.objects.filter(about)
        .select_related("actor", "actor_agency")
        .order_by("-occurred_at", "-id")[:ACCESS_LOG_LIMIT]
    )


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
