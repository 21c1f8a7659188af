"""Telling people: in-app notifications and email through `safehub.notifications`, once per
recipient and key, with a reference and a link, never a name."""

from __future__ import annotations

from django.db.models import QuerySet

from safehub.access.models import Role, User
from safehub.notifications.services import notify
from safehub.partnership.models import PathwayReferral


def hub_managers() -> QuerySet[User]:
    return User.objects.filter(role=Role.HUB_MANAGER, is_active=True)


def service_managers(referral: PathwayReferral) -> QuerySet[User]:
    return referral.service.managers.filter(is_active=True)


def returned_to_hub(referral: PathwayReferral, *, what: str) -> int:
    """Tell the hub managers a referral was declined or handed back (no personal details)."""
    return notify(
        recipients=hub_managers(),
        kind=f"pathway:{what}",
        key=f"pathway-referral:{referral.pk}:{what}",
        title=f"A pathway referral was {what.replace('_', ' ')}",
        link=f"/pathway/{referral.pk}",
        reference=referral.reference,
    )
