"""A periodic check for the tests only (listed in SAFEHUB_CHECK_MODULES by the tests that use
it): every hub manager is told once about each share that ends within a week."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from safehub.access.models import Role, User
from safehub.notifications.schedule import periodic
from safehub.notifications.services import notify
from safehub.people.models import Share

NAME = "test-shares-ending"
# A test may set this to hold each run at a point (two workers meeting at a barrier).
BEFORE_NOTIFYING: list[Callable[[], object]] = []


@periodic(NAME, every=dt.timedelta(hours=1))
def shares_ending(now: dt.datetime) -> int:
    managers = list(User.objects.filter(role=Role.HUB_MANAGER, is_active=True))
    ending = Share.objects.filter(
        revoked_at__isnull=True, expires_on__lte=now.date() + dt.timedelta(days=7)
    )
    for hook in BEFORE_NOTIFYING:
        hook()
    created = 0
    for share in ending:
        created += notify(
            recipients=managers,
            kind="share:ending",
            key=f"share:{share.pk}:ending",
            title="A share with a partner agency ends within a week",
            link=f"/children/{share.child_id}#shares",
            reference=f"SH-{share.pk:06d}",
        )
    return created
