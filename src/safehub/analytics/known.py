"""What the hub knew at a knowledge time T: which history rows count, and in what order.

Every history row carries two times (`safehub.audit.history`): `history_date`, when the hub
recorded the change (for a row imported from another system, that system's `recorded_at`, else
the extract's time), and `learned_at`, when Safehub itself wrote the row (its own clock; the
same as `history_date` for a change made in Safehub).

A history row counts at T when its `history_date` is at or before T **and** either its
`learned_at` is at or before T, or T is earlier than Safehub's first import from another
system (`LegacyIdentifier.imported_at`, the legacy era). So:

- from the first import on, a snapshot as known at T holds what Safehub itself held at T: taken
  again years later it gives the same rows as one taken at T, whatever was imported since;
- before it, when the hub's record was the old system, it holds what the old system had
  recorded by T, as far as every import since tells (the only account there is of that time).

A record's rows are taken in the order (history_date, learned_at, history_id), the latest
counted row winning. The importer never lets a correction's `history_date` fall before the
record's existing history (a backdated correction is recorded as learned now, keeping the old
system's time in its reason), so the order of record and the order of learning agree.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models
from django.db.models import Min, Q

from safehub.interchange.models import LegacyIdentifier


def legacy_era_until() -> dt.datetime | None:
    """When Safehub first imported another system's records; None if it never has."""
    first: dt.datetime | None = LegacyIdentifier.objects.aggregate(first=Min("imported_at"))[
        "first"
    ]
    return first


def counted_at(knowledge_time: dt.datetime, legacy_until: dt.datetime | None) -> Q:
    """The history rows known at `knowledge_time`, by the rule above."""
    recorded = Q(history_date__lte=knowledge_time)
    if legacy_until is not None and knowledge_time < legacy_until:
        return recorded
    return recorded & Q(learned_at__lte=knowledge_time)


def rows_as_of(
    model: type[models.Model],
    knowledge_time: dt.datetime,
    legacy_until: dt.datetime | None = None,
) -> list[dict[str, Any]]:
    """Each row of `model` as its history recorded it at `knowledge_time`.

    The latest counted history record per id wins; an id whose latest record is a deletion, or
    with no record counted at T, is absent. Plain and linear: one ordered scan.
    """
    history = model.history.model  # type: ignore[attr-defined]
    fields = [f.attname for f in model._meta.concrete_fields]  # noqa: SLF001
    own = {f.name for f in history._meta.concrete_fields}  # noqa: SLF001
    order: tuple[str, ...] = ("id", "history_date", "history_id")
    if "learned_at" in own:
        where = counted_at(knowledge_time, legacy_until)
        order = ("id", "history_date", "learned_at", "history_id")
    else:  # a model whose history does not keep Safehub's time: its record time alone
        where = Q(history_date__lte=knowledge_time)
    latest: dict[Any, dict[str, Any]] = {}
    query = history.objects.filter(where).order_by(*order).values(*fields, "history_type")
    for row in query.iterator(chunk_size=5000):
        latest[row["id"]] = row
    return [r for r in latest.values() if r["history_type"] != "-"]
