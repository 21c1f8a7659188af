"""Writing the audit trail. Every service calls `write` inside its own transaction.

The event is inserted bare, in the caller's transaction; it is linked into the keyed chain by
`chain.seal` after the commit (see `safehub.audit.chain`), so no lock is held meanwhile.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, Protocol

from django.db import connection

from safehub.audit import bulk, chain, context
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


def _child_of(obj: Model | None) -> int | None:
    """The child an object belongs to: the child itself, or the owner named by `child_id`
    (directly, or through the episode a risk change, review or discussion belongs to)."""
    if obj is None:
        return None
    if obj._meta.label_lower == "people.child":  # noqa: SLF001
        return int(obj.pk)
    child_id = getattr(obj, "child_id", None)
    if child_id is None and getattr(obj, "episode_id", None) is not None:
        child_id = getattr(obj.episode, "child_id", None)  # type: ignore[attr-defined]
    return None if child_id is None else int(child_id)


def _event(  # noqa: PLR0913 - every argument is a column of the event
    actor: Actor | None,
    action: str,
    obj: Model | None,
    *,
    outcome: str,
    object_type: str,
    object_id: str,
    reason: str,
    child_id: int | None,
) -> AuditEvent:
    if not ACTION_TAG.match(action):
        raise ValueError(f"audit action tag {action!r} is not like 'noun:verb'")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower  # noqa: SLF001
        object_id = object_id or str(obj.pk)
    user = actor if actor is not None and actor.is_authenticated else None
    ctx = context.current()
    return AuditEvent(
        actor_id=getattr(user, "pk", None),
        # An agency's API key is recorded as which key it was, under the agency's id.
        actor_role=(
            getattr(user, "description", "")
            if getattr(user, "is_api_key", False)
            else getattr(user, "role", "")
        )
        or "",
        actor_agency_id=getattr(user, "agency_id", None),
        channel=ctx.channel if ctx else "cli",
        action=action,
        object_type=object_type,
        object_id=object_id,
        outcome=outcome,
        reason=reason,
        child_id=child_id if child_id is not None else _child_of(obj),
        request_id=ctx.request_id if ctx else "",
        ip_address=ctx.ip_address if ctx else None,
    )


def write(  # noqa: PLR0913 - every argument is a column of the event
    actor: Actor | None,
    action: str,
    obj: Model | None = None,
    *,
    outcome: str = Outcome.SUCCESS,
    object_type: str = "",
    object_id: str = "",
    reason: str = "",
    child_id: int | None = None,
    standalone: bool = False,
) -> AuditEvent:
    """Record `action` (a tag like "auth:login:failed") by `actor` on `obj`.

    `obj` gives the object type and id, and the child it belongs to (for the child's access
    log); pass `object_type`/`object_id`/`child_id` instead for things that are not rows.
    Text here must hold identifiers only, never names or narratives.
    `standalone=True` is for the one case where the action itself was rolled back (a denied
    request) and the denial must still be kept.
    """
    event = _event(
        actor,
        action,
        obj,
        outcome=outcome,
        object_type=object_type,
        object_id=object_id,
        reason=reason,
        child_id=child_id,
    )
    if not standalone and not connection.in_atomic_block:
        raise NotInTransactionError(f"audit {action!r} written outside a transaction")
    event.save()
    chain.seal_on_commit()
    return event


def write_each(
    actor: Actor | None, action: str, objects: Iterable[Model], *, context: str = ""
) -> int:
    """Record `action` once per object (a list of children shown, the rows an import wrote).

    One event per object, so each child's access log shows that they were listed, and who
    saw them; `context` says which list (for example "listed: search"). The rows go in with
    one statement, in the caller's transaction, sealed into the chain after the commit like
    any other event; how many were written.
    """
    varying = [(o._meta.label_lower, str(o.pk), _child_of(o)) for o in objects]  # noqa: SLF001
    if not varying:
        return 0
    prototype = _event(
        actor,
        action,
        None,
        outcome=Outcome.SUCCESS,
        object_type="",
        object_id="",
        reason=context,
        child_id=None,
    )
    if not connection.in_atomic_block:
        raise NotInTransactionError(f"audit {action!r} written outside a transaction")
    _insert(prototype, varying)
    chain.seal_on_commit()
    return len(varying)


# The columns that differ between the events of one `write_each`: the rest are the same.
_VARYING = ("object_type", "object_id", "child_id")


def _insert(prototype: AuditEvent, varying: list[tuple[str, str, int | None]]) -> None:
    """Insert one event per row of `varying`, the other columns as in `prototype`, each value
    prepared for the database once (`bulk.insert_rows`)."""
    fields = [f for f in AuditEvent._meta.concrete_fields if not f.primary_key]  # noqa: SLF001
    template = [f.get_db_prep_save(getattr(prototype, f.attname), connection) for f in fields]
    names = [f.attname for f in fields]
    at = [names.index(name) for name in _VARYING]

    def rows() -> Iterator[list[Any]]:
        for values in varying:
            row = list(template)
            for index, value in zip(at, values, strict=True):
                row[index] = value
            yield row

    bulk.insert_rows(AuditEvent._meta.db_table, [f.column for f in fields], rows())  # noqa: SLF001
