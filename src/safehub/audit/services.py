"""Writing the audit trail. Every service calls `write` inside its own transaction."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from django.db import connection, transaction

from safehub.audit import chain, context
from safehub.audit.models import AuditEvent, Outcome

if TYPE_CHECKING:
    from django.db.models import Model


class Actor(Protocol):
    """A signed-in user, an anonymous visitor, or the operator at the server's command line."""

    @property
    def is_authenticated(self) -> bool: ...


ACTION_TAG = re.compile(r"^[a-z][a-z0-9_]*(:[a-z][a-z0-9_-]*)+$")


class NotInTransactionError(RuntimeError):
    """An audit event must commit or roll back with the action it records."""


def write(  # noqa: PLR0913 - every argument is a column of the event
    actor: Actor | None,
    action: str,
    obj: Model | None = None,
    *,
    outcome: str = Outcome.SUCCESS,
    object_type: str = "",
    object_id: str = "",
    reason: str = "",
    standalone: bool = False,
) -> AuditEvent:
    """Record `action` (a tag like "auth:login:failed") by `actor` on `obj`.

    `obj` gives the object type and id; pass `object_type`/`object_id` instead for things that
    are not rows. Text here must hold identifiers only, never names or narratives.
    `standalone=True` is for the one case where the action itself was rolled back (a denied
    request) and the denial must still be kept.
    """
    if not ACTION_TAG.match(action):
        raise ValueError(f"audit action tag {action!r} is not like 'noun:verb'")
    if not standalone and not connection.in_atomic_block:
        raise NotInTransactionError(f"audit {action!r} written outside a transaction")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower  # noqa: SLF001
        object_id = object_id or str(obj.pk)
    user = actor if actor is not None and actor.is_authenticated else None
    ctx = context.current()
    event = AuditEvent(
        actor_id=getattr(user, "pk", None),
        actor_role=getattr(user, "role", "") or "",
        actor_agency_id=getattr(user, "agency_id", None),
        channel=ctx.channel if ctx else "cli",
        action=action,
        object_type=object_type,
        object_id=object_id,
        outcome=outcome,
        reason=reason,
        request_id=ctx.request_id if ctx else "",
        ip_address=ctx.ip_address if ctx else None,
    )
    with transaction.atomic():
        chain.link(event)
        event.save()
    return event


BULK_BATCH = 5000


def write_many(actor: Actor | None, action: str, objects: Sequence[Model]) -> int:
    """Record `action` by `actor` on each of `objects`: one event each, as `write` would.

    For work done to many records at once (an import): the events are chained together and
    inserted in bulk, in the caller's transaction. Returns how many were written.
    """
    if not ACTION_TAG.match(action):
        raise ValueError(f"audit action tag {action!r} is not like 'noun:verb'")
    if not connection.in_atomic_block:
        raise NotInTransactionError(f"audit {action!r} written outside a transaction")
    user = actor if actor is not None and actor.is_authenticated else None
    ctx = context.current()
    events = [
        AuditEvent(
            actor_id=getattr(user, "pk", None),
            actor_role=getattr(user, "role", "") or "",
            actor_agency_id=getattr(user, "agency_id", None),
            channel=ctx.channel if ctx else "cli",
            action=action,
            object_type=obj._meta.label_lower,  # noqa: SLF001
            object_id=str(obj.pk),
            outcome=Outcome.SUCCESS,
            request_id=ctx.request_id if ctx else "",
            ip_address=ctx.ip_address if ctx else None,
        )
        for obj in objects
    ]
    with transaction.atomic():
        chain.link_many(events)
        _insert(events)
    return len(events)


def _insert(events: list[AuditEvent]) -> None:
    """Insert in list order, so ids follow the chain: PostgreSQL's COPY, else bulk_create.

    COPY skips Django's per-value preparation, which for an import's hundreds of thousands
    of events took longer than everything else the import writes.
    """
    if connection.vendor != "postgresql":
        AuditEvent.objects.bulk_create(events, batch_size=BULK_BATCH)
        return
    fields = [f for f in AuditEvent._meta.concrete_fields if not f.primary_key]  # noqa: SLF001
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    table = quote(AuditEvent._meta.db_table)  # noqa: SLF001
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for event in events:
            copy.write_row([getattr(event, f.attname) for f in fields])
