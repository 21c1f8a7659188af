"""The hash chain over the audit trail.

Each event's `hash` is SHA-256 over the previous event's hash and a canonical encoding of the
event's own columns. Changing any column of any event, or deleting an event from the middle,
breaks the chain from that point; `verify()` walks the trail in order and names the first
event whose link does not hold. Deleting the newest events cannot be seen from the chain
alone; `head()` gives the current count and hash to record elsewhere (a report, a log) so a
later verify can compare.

Writers are serialised so two transactions never chain onto the same predecessor: PostgreSQL
takes a transaction-scoped advisory lock; SQLite's IMMEDIATE transactions already hold the
database's write lock.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connection

from safehub.audit.models import AuditEvent

GENESIS = "0" * 64
_LOCK_ID = 727_274_001  # an arbitrary constant naming "the audit chain" for advisory locks


def content(event: AuditEvent) -> str:
    """The event's columns in a fixed order and format: what its hash covers."""
    return json.dumps(
        [
            event.occurred_at.isoformat(timespec="microseconds"),
            event.actor_id,
            event.actor_role,
            event.actor_agency_id,
            event.channel,
            event.action,
            event.object_type,
            event.object_id,
            event.outcome,
            event.reason,
            event.request_id,
            event.ip_address,
        ],
        separators=(",", ":"),
        default=str,
    )


def digest(previous_hash: str, event: AuditEvent) -> str:
    return hashlib.sha256(f"{previous_hash}|{content(event)}".encode()).hexdigest()


def link(event: AuditEvent) -> None:
    """Fill in the new event's `previous_hash` and `hash`, holding the chain's lock."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_ID])
    last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
    event.previous_hash = last or GENESIS
    event.hash = digest(event.previous_hash, event)


def link_many(events: list[AuditEvent]) -> None:
    """Chain new events in list order after the newest, holding the chain's lock once.

    The caller inserts them in this order (one bulk insert), so their ids follow it too.
    """
    if not events:
        return
    link(events[0])
    for previous, event in itertools.pairwise(events):
        event.previous_hash = previous.hash
        event.hash = digest(event.previous_hash, event)


@dataclass(frozen=True)
class Break:
    event_id: int
    problem: str

    def __str__(self) -> str:
        return f"audit event {self.event_id}: {self.problem}"


@dataclass(frozen=True)
class Verification:
    events: int
    broken: Break | None

    @property
    def ok(self) -> bool:
        return self.broken is None


def _events() -> Iterator[AuditEvent]:
    return AuditEvent.objects.order_by("id").iterator(chunk_size=5000)


def verify() -> Verification:
    """Walk the whole trail; stop at the first event whose hash or link does not hold."""
    previous = GENESIS
    count = 0
    for event in _events():
        count += 1
        if event.previous_hash != previous:
            problem = "its link does not match the event before it (one was changed or deleted)"
            return Verification(count, Break(event.pk, problem))
        if digest(previous, event) != event.hash:
            problem = "its content does not match its hash (it was changed)"
            return Verification(count, Break(event.pk, problem))
        previous = event.hash
    return Verification(count, None)


def head() -> tuple[int, str]:
    """How many events there are and the newest hash: an anchor to record outside Safehub."""
    last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
    return AuditEvent.objects.count(), last or GENESIS
