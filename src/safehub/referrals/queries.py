"""Scoped, audited reads of referrals.

A referral is part of a child's record, so the referrals a user may see are those of the
children whose "referrals" section is in their scope (`people.queries.children_with_section`),
and only for a role that may view referrals at all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.db.models import QuerySet

from safehub.access.models import Agency
from safehub.access.policy import OutOfScopeError, Principal, can, require
from safehub.audit import services as audit
from safehub.people.queries import children_with_section
from safehub.referrals.models import Referral

# The most referrals one page of a listing shows.
LIST_LIMIT = 50
_BATCH = 500


def referrals_for(user: Principal) -> QuerySet[Referral]:
    """The referrals this user may see at all, newest first. Reading it writes no audit."""
    if not can(user, "referral:view"):
        return Referral.objects.none()
    scope = children_with_section(user, "referrals")
    return Referral.objects.filter(child__in=scope).order_by("-received_at", "-pk")


def get_referral(user: Principal, referral_id: int, *, purpose: str = "viewed") -> Referral:
    """One referral, or 404 when it does not exist or is outside the caller's scope.

    404 rather than 403 (as for a child), so a guessed id does not reveal that it exists.
    """
    referral = (
        referrals_for(user)
        .select_related("child", "referring_agency", "decision", "decision__pathway_agency")
        .filter(pk=referral_id)
        .first()
    )
    if referral is None:
        # Audited as access:denied by the middleware, after this request's rollback.
        owner = Referral.objects.filter(pk=referral_id).values_list("child_id", flat=True).first()
        raise OutOfScopeError("referrals.referral", str(referral_id), child_id=owner)
    audit.write(user, f"referral:{purpose}", referral)
    return referral


def find_referrals(
    user: Principal,
    *,
    received_from: dt.date | None = None,
    received_to: dt.date | None = None,
    child_id: int | None = None,
) -> QuerySet[Referral]:
    """The referrals in scope received between two days (inclusive, UK time), newest first.

    A role that may not view referrals at all is refused (403, audited) rather than shown an
    empty list, so a misconfigured client learns the difference. Nothing is audited here:
    the caller shows a page of the result and records it with `record_listed`.
    """
    require(user, "referral:view")
    found = referrals_for(user).select_related("decision")
    if received_from is not None:
        found = found.filter(received_at__date__gte=received_from)
    if received_to is not None:
        found = found.filter(received_at__date__lte=received_to)
    if child_id is not None:
        found = found.filter(child_id=child_id)
    return found


def record_listed(user: Principal, referrals: Sequence[Referral], *, context: str) -> None:
    """Audit one listing: one event per referral shown, each against its child, so the
    child's access log shows who saw their referral in which list."""
    if len(referrals) > LIST_LIMIT:
        raise ValueError(f"a listing shows at most {LIST_LIMIT} referrals")
    audit.write_each(user, "referral:listed", referrals, context=context)


def existing_external_references(user: Principal, references: Iterable[str]) -> set[str]:
    """Which of these external references already belong to referrals in the caller's scope.

    Imports use it to skip rows already imported, so importing a file twice adds nothing.
    """
    wanted = sorted(set(references))
    found: set[str] = set()
    scope = referrals_for(user)
    # In batches: SQLite caps the number of parameters in one query.
    for start in range(0, len(wanted), _BATCH):
        batch = wanted[start : start + _BATCH]
        refs = scope.filter(external_reference__in=batch).values_list(
            "external_reference", flat=True
        )
        found.update(ref for ref in refs if ref)
    return found


def agency_named(name: str) -> Agency | None:
    """The agency with exactly this name (agencies are reference data, not case data)."""
    return Agency.objects.filter(name=name.strip()).first()
