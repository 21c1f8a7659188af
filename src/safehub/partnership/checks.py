"""The scheduled timeliness check: each missed pathway target recorded once, and told once.

`record_breaches(now)` is idempotent however often and by however many workers it runs: the
breach row is unique per (referral, kind), so of two workers finding the same breach one
creates it and the other finds it made; only the one that created it tells anybody, and
`notify` is itself keyed per recipient.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import IntegrityError, transaction
from django.utils import timezone

from safehub.access.policy import SYSTEM
from safehub.audit import services as audit
from safehub.notifications.schedule import periodic
from safehub.notifications.services import notify
from safehub.partnership import alerts
from safehub.partnership.models import BreachKind, PathwayBreach, PathwayReferral, Status

F = TypeVar("F", bound=Callable[..., Any])
EVERY = dt.timedelta(minutes=15)

TITLES = {
    BreachKind.ACCEPT: "A pathway referral is overdue for acceptance",
    BreachKind.FIRST_CONTACT: "A pathway referral is overdue for first contact",
}


def _overdue(now: dt.datetime) -> list[tuple[PathwayReferral, str, dt.datetime]]:
    found: list[tuple[PathwayReferral, str, dt.datetime]] = []
    awaiting = PathwayReferral.objects.filter(
        status=Status.AWAITING, accept_due_at__lt=now
    ).exclude(breaches__kind=BreachKind.ACCEPT)
    found += [(r, BreachKind.ACCEPT, r.accept_due_at) for r in awaiting.select_related("service")]
    no_contact = PathwayReferral.objects.filter(
        status=Status.ACCEPTED, first_contact_at__isnull=True, first_contact_due_at__lt=now
    ).exclude(breaches__kind=BreachKind.FIRST_CONTACT)
    found += [
        (r, BreachKind.FIRST_CONTACT, r.first_contact_due_at)
        for r in no_contact.select_related("service")
        if r.first_contact_due_at is not None
    ]
    return found


def _record(referral: PathwayReferral, kind: str, due: dt.datetime, now: dt.datetime) -> bool:
    """Create the breach row; False when another worker already has (the unique constraint)."""
    try:
        with transaction.atomic():
            PathwayBreach.objects.create(referral=referral, kind=kind, due_at=due, recorded_at=now)
    except IntegrityError:
        return False
    return True


@transaction.atomic
def record_breaches(now: dt.datetime) -> list[PathwayBreach]:
    """Record every pathway target missed by `now` that is not yet recorded; tell the service's
    managers and the hub managers of each. Returns the breaches new this time."""
    new = []
    for referral, kind, due in _overdue(now):
        if not _record(referral, kind, due, now):
            continue
        breach = PathwayBreach.objects.get(referral=referral, kind=kind)
        audit.write(SYSTEM, "pathway:breach:recorded", breach, child_id=referral.child_id)
        recipients = {u.pk: u for u in alerts.service_managers(referral)}
        recipients.update({u.pk: u for u in alerts.hub_managers()})
        notify(
            recipients=recipients.values(),
            kind=f"pathway:{kind}:overdue",
            key=f"pathway-referral:{referral.pk}:{kind}-breach",
            title=TITLES[BreachKind(kind)],
            link=f"/pathway/{referral.pk}",
            reference=referral.reference,
        )
        new.append(breach)
    return new


@periodic("pathway-timeliness", every=EVERY)
def check_pathway_timeliness(now: dt.datetime | None = None) -> int:
    """The scheduled check: how many breaches were new."""
    return len(record_breaches(now or timezone.now()))
