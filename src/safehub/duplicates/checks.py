"""The duplicate finder on a schedule: the review queue filled while the service runs."""

from __future__ import annotations

import datetime as dt

from safehub.access.policy import SYSTEM
from safehub.duplicates.services import offer_pairs
from safehub.matching import dedupe
from safehub.notifications.schedule import periodic


@periodic("duplicates-find", every=dt.timedelta(days=1))
def find_duplicates(now: dt.datetime) -> int:
    """Offer the hub managers every likely pair not already queued or decided (`safehub match
    dedupe` does the same on demand); returns how many new pairs."""
    return offer_pairs(dedupe.predict_pairs(), acting_user=SYSTEM)
