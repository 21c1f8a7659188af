"""Telling people: in-app notifications and email through `safehub.notifications`.

The notifications app is built alongside this one against a fixed contract
(`notify(recipients=, kind=, key=, title=, link=, reference=, email=)`); until it is installed,
telling people is skipped and counted as nobody told, so the rest can be used and tested.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import QuerySet

from safehub.access.models import Role, User
from safehub.partnership.models import PathwayReferral


def _contract(module: str, name: str) -> Callable[..., Any] | None:
    try:
        return getattr(importlib.import_module(module), name)  # type: ignore[no-any-return]
    except ImportError:
        return None


def notify(  # noqa: PLR0913 - the contract's arguments
    *,
    recipients: Iterable[User],
    kind: str,
    key: str,
    title: str,
    link: str,
    reference: str,
    email: bool = True,
) -> int:
    """The contract's `notify`, or 0 (nobody told) while the notifications app is absent."""
    send = _contract("safehub.notifications.services", "notify")
    if send is None:
        return 0
    return int(
        send(
            recipients=list(recipients),
            kind=kind,
            key=key,
            title=title,
            link=link,
            reference=reference,
            email=email,
        )
    )


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
