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
)


def create_with_history(
    objects: Sequence[M],
    *,
    user: Any,
    reason: str | None = None,
    dates: Sequence[dt.datetime] | None = None,
) -> None:
    """Insert `objects` (of one model) and one "created" history row each, as the library does.

    `dates`, one per object, are the history rows' times; without them, now.
    """
    if not objects:
        return
    model = type(objects[0])
    if dates is not None and connection.vendor != "postgresql":
        bulk_create_with_history(
            list(objects), model, batch_size=BATCH, default_user=user, default_change_reason=reason
        )
        bulk_created.send(sender=model, objects=objects)
        return
    model._default_manager.bulk_create(objects, batch_size=BATCH)  # noqa: SLF001
    history = model.history.model  # type: ignore[attr-defined]
    fields = [f for f in history._meta.concrete_fields if f.name not in _HISTORY_OWN]  # noqa: SLF001
    quote = connection.ops.quote_name
    target = ", ".join(quote(f.column) for f in fields)
    source = ", ".join(f"r.{quote(model._meta.get_field(f.name).column)}" for f in fields)  # type: ignore[union-attr, arg-type]  # noqa: SLF001 - concrete fields
    table, history_table = quote(model._meta.db_table), quote(history._meta.db_table)  # noqa: SLF001
    pk = quote(model._meta.pk.column)  # noqa: SLF001
    user_id = getattr(user, "pk", None)
    insert = (
        f"INSERT INTO {history_table} ({target}, history_date, history_change_reason, "
        "history_type, history_user_id) "
    )
    ids = [obj.pk for obj in objects]
    step = BATCH if connection.vendor == "postgresql" else 500  # SQLite's parameter limit
    with connection.cursor() as cursor:
        for start in range(0, len(ids), step):
            chunk = ids[start : start + step]
            if dates is not None:
                cursor.execute(
                    f"{insert} SELECT {source}, d.at, %s, '+', %s FROM {table} r "  # noqa: S608
                    f"JOIN unnest(%s::bigint[], %s::timestamptz[]) AS d(id, at) ON r.{pk} = d.id",
                    [reason, user_id, chunk, list(dates[start : start + step])],
                )
            else:
                now = connection.ops.adapt_datetimefield_value(timezone.now())
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(
                    f"{insert} SELECT {source}, %s, %s, '+', %s FROM {table} r "  # noqa: S608
                    f"WHERE r.{pk} IN ({marks})",
                    [now, reason, user_id, *chunk],
                )
    bulk_created.send(sender=model, objects=objects)
