"""Safehub's own periodic checks (features list theirs in SAFEHUB_CHECK_MODULES too)."""

from __future__ import annotations

import datetime as dt

from safehub.access.models import AgencyApiKey, Role, User
from safehub.notifications.schedule import periodic
from safehub.notifications.services import notify

KEY_WARNING = dt.timedelta(days=14)


@periodic("api-keys-expiring", every=dt.timedelta(hours=6))
def api_keys_expiring(now: dt.datetime) -> int:
    """Tell the administrators, once per key, that an agency's API key ends within two weeks,
    so a new one can be issued before the agency's system stops working."""
    admins = list(User.objects.filter(role=Role.ADMINISTRATOR, is_active=True))
    ending = AgencyApiKey.objects.filter(
        revoked_at__isnull=True, expires_at__gt=now, expires_at__lte=now + KEY_WARNING
    )
    return sum(
        notify(
            recipients=admins,
            kind="api_key:expiring",
            key=f"api-key:{key.pk}:expiring",
            title="An agency's API key expires within two weeks",
            link=f"/admin/access/agencyapikey/{key.pk}/change/",
            reference=f"KEY-{key.prefix}",
        )
        for key in ending
    )
