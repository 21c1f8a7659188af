"""Creating many records with their history rows, the history copied by the database itself.

django-simple-history's `bulk_create_with_history` builds a Python history instance for each
record and inserts it: for an import of 100,000 referrals that doubles the work for values
the database already holds. Here the records are inserted (`bulk_create`), then each batch's
history rows are made by one `INSERT … SELECT` from the rows just written, with the same
columns, the history type "+" (created), the user and the time: the same rows the library
writes, without a Python object per row. When each record needs a history time of its own
(the history import keeps the source system's record times), PostgreSQL takes the times as
an array joined to the ids; SQLite falls back to the library.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, TypeVar

from django.db import connection, models
from django.db.models import F
from django.dispatch import Signal
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

M = TypeVar("M", bound=models.Model)
BATCH = 5000
# Sent after a bulk insert, which skips `post_save`: (sender=model, objects=[...]); derived
# data kept in step with records (the triage queue's due rows) listens.
bulk_created = Signal()
_HISTORY_OWN = (
    "history_id",
    "history_date",
    "history_change_reason",
    "history_type",
    "history_user",
    "learned_at",
    "source_recorded_at",
)


def create_with_history(
    objects: Sequence[M],
    *,
    user: Any,
    reason: str | None = None,
    dates: Sequence[dt.datetime] | None = None,
    from_source: bool = False,
) -> None:
    """Insert `objects` (of one model) and one "created" history row each, as the library does.

    `dates`, one per object, are the history rows' times; without them, now. `from_source`:
    the dates are another system's record times, kept also as each row's `source_recorded_at`.
    """
    if not objects:
        return
    model = type(objects[0])
    history = model.history.model  # type: ignore[attr-defined]
    if dates is not None and connection.vendor != "postgresql":
        bulk_create_with_history(
            list(objects), model, batch_size=BATCH, default_user=user, default_change_reason=reason
        )
        if from_source:
            ids = [obj.pk for obj in objects]
            for start in range(0, len(ids), 500):  # SQLite's parameter limit
                history.objects.filter(id__in=ids[start : start + 500]).update(
                    source_recorded_at=F("history_date")
                )
        bulk_created.send(sender=model, objects=objects)
        return
    model._default_manager.bulk_create(objects, batch_size=BATCH)  # noqa: SLF001
    fields = [f for f in history._meta.concrete_fields if f.name not in _HISTORY_OWN]  # noqa: SLF001
    quote = connection.ops.quote_name
    target = ", ".join(quote(f.column) for f in fields)
    source = ", ".join(f"r.{quote(model._meta.get_field(f.name).column)}" for f in fields)  # type: ignore[union-attr, arg-type]  # noqa: SLF001 - concrete fields
    table, history_table = quote(model._meta.db_table), quote(history._meta.db_table)  # noqa: SLF001
    pk = quote(model._meta.pk.column)  # noqa: SLF001
    user_id = getattr(user, "pk", None)
    # Safehub's own record time (`safehub.audit.history`): now, beside a source system's time.
    learned = any(f.name == "learned_at" for f in history._meta.concrete_fields)  # noqa: SLF001
    source = source + (", d.at" if from_source and dates is not None else "")
    target = target + (", source_recorded_at" if from_source and dates is not None else "")
    insert = (
        f"INSERT INTO {history_table} ({target}, history_date, "
        f"{'learned_at, ' if learned else ''}history_change_reason, history_type, history_user_id) "
    )
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    learned_at = [now] if learned else []
    learned_mark = "%s, " if learned else ""
    ids = [obj.pk for obj in objects]
    step = BATCH if connection.vendor == "postgresql" else 500  # SQLite's parameter limit
    with connection.cursor() as cursor:
        for start in range(0, len(ids), step):
            chunk = ids[start : start + step]
            if dates is not None:
                cursor.execute(
                    f"{insert} SELECT {source}, d.at, {learned_mark}%s, '+', %s FROM {table} r "  # noqa: S608
                    f"JOIN unnest(%s::bigint[], %s::timestamptz[]) AS d(id, at) ON r.{pk} = d.id",
                    [*learned_at, reason, user_id, chunk, list(dates[start : start + step])],
                )
            else:
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(
                    f"{insert} SELECT {source}, %s, {learned_mark}%s, '+', %s FROM {table} r "  # noqa: S608
                    f"WHERE r.{pk} IN ({marks})",
                    [now, *learned_at, reason, user_id, *chunk],
                )
    bulk_created.send(sender=model, objects=objects)
