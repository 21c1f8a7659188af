"""Scoped reads of warning flags.

Flags belong to the child's `risk` section: a partner worker sees them only when the risk
section is shared with their agency (or by break-glass), and then only approved, current ones.
Hub roles see every flag, pending, ended and withdrawn ones included, on the flag's page.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from safehub.access.policy import HUB_ROLES, OutOfScopeError, Principal, can
from safehub.audit import services as audit
from safehub.flags.models import WarningFlag
from safehub.people.models import Child
from safehub.people.queries import children_with_section, visible_sections

SECTION = "risk"
# What the banner shows of a flag (and the child's, which its reverse relation sets).
BANNER_FIELDS = ("child_id", "kind", "text", "approved", "raised_at")


def _current() -> QuerySet[WarningFlag]:
    return WarningFlag.objects.filter(
        approved=True, ended_at__isnull=True, withdrawn_at__isnull=True
    )


def _scope(user: Principal) -> QuerySet[WarningFlag]:
    if not can(user, "flag:view"):
        return WarningFlag.objects.none()
    flags = WarningFlag.objects.filter(child__in=children_with_section(user, SECTION))
    if getattr(user, "role", None) not in HUB_ROLES:
        flags = flags.filter(approved=True, ended_at__isnull=True, withdrawn_at__isnull=True)
    return flags


def get_flag(user: Principal, flag_id: int) -> WarningFlag:
    """One flag, or 404 when its child or the risk section is outside the caller's scope."""
    flag = _scope(user).filter(pk=flag_id).select_related("child", "owner", "raised_by").first()
    if flag is None:
        owner = WarningFlag.objects.filter(pk=flag_id).values_list("child_id", flat=True).first()
        raise OutOfScopeError("flags.warningflag", str(flag_id), child_id=owner)
    audit.write(user, "flag:viewed", flag)
    return flag


def banner_for(
    user: Principal,
    child: Child,
    *,
    sections: frozenset[str] | None = None,
    every: list[WarningFlag] | None = None,
) -> list[WarningFlag]:
    """What the banner on every page about the child shows: approved, current flags, and
    (to hub roles) the pending ones, marked. The page showing it has audited its own read.

    A page that knows already the sections `user` sees (`sections`), or has read every flag
    of the child (`every`, from `flags_of`), passes them: the banner then asks nothing again.
    """
    if not can(user, "flag:view"):
        return []
    if SECTION not in (visible_sections(user, child) if sections is None else sections):
        return []
    hub = getattr(user, "role", None) in HUB_ROLES
    if every is not None:
        shown = [
            f
            for f in every
            if f.ended_at is None
            and f.withdrawn_at is None
            and (f.approved is not False if hub else f.approved is True)
        ]
        return sorted(shown, key=lambda f: f.raised_at)
    # One child: its shares are asked about directly, not by listing every child whose risk
    # section the agency holds (`_scope`), which on a partner's page cost more than the flags.
    flags = child.flags.filter(ended_at__isnull=True, withdrawn_at__isnull=True)
    # Hub roles: pending ones too, marked.
    flags = flags.exclude(approved=False) if hub else flags.filter(approved=True)
    return list(flags.only(*BANNER_FIELDS).order_by("raised_at"))


def flags_of(child: Child) -> list[WarningFlag]:
    """Every flag of the child, newest first, for the hub's list on the child page.

    The caller has read the child through `people.queries.get_child` as a hub role.
    """
    flags = child.flags.select_related("owner").only(
        *BANNER_FIELDS,
        "review_on",
        "ended_at",
        "withdrawn_at",
        "owner__first_name",
        "owner__last_name",
        "owner__username",
    )
    return list(flags.order_by("-raised_at", "-id"))


def current_by_child(user: Principal, children: Iterable[Child]) -> dict[int, list[WarningFlag]]:
    """Approved, current flags of each child in a list (search results): one query."""
    ids = [c.pk for c in children]
    found: dict[int, list[WarningFlag]] = {}
    if not ids or not can(user, "flag:view"):
        return found
    flags = _scope(user).filter(
        child_id__in=ids, approved=True, ended_at__isnull=True, withdrawn_at__isnull=True
    )
    for flag in flags.order_by("raised_at"):
        found.setdefault(flag.child_id, []).append(flag)
    return found


def current(children: QuerySet[Child]) -> QuerySet[WarningFlag]:
    """Approved flags in force on these children: each owes its review by its review date
    (the triage queue's source)."""
    return _current().filter(child__in=children)


def waiting_for_sign_off(children: QuerySet[Child]) -> list[WarningFlag]:
    """Flags raised and not yet signed off, in scope."""
    return list(
        WarningFlag.objects.filter(
            child__in=children,
            approved__isnull=True,
            ended_at__isnull=True,
            withdrawn_at__isnull=True,
        ).select_related("child")
    )
