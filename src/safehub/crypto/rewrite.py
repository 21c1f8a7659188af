"""Rewrite encrypted columns in place, batch by batch: rotation and the encrypting migrations.

The stored value is read as it is in the column (cast to plain text, so the field does not
decrypt it) and written back as given (a plain-text `Value`, so the field does not encrypt it
again). That keeps this one function right for every direction: plaintext to token in a
migration, token to newer token in `keys rotate`, token back to plaintext when a migration is
reversed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import models
from django.db.models.functions import Cast

BATCH_SIZE = 500


def rewrite_columns(
    model: type[models.Model],
    field_names: Sequence[str],
    transform: Callable[[str, str], str],
    *,
    using: str = "default",
    batch_size: int = BATCH_SIZE,
) -> int:
    """Apply `transform(stored, where)` to every non-null value; returns the values changed."""
    manager: models.Manager[Any] = model._base_manager.db_manager(using)  # noqa: SLF001
    raw = {f"raw_{name}": Cast(name, output_field=models.TextField()) for name in field_names}
    label = model._meta.label  # noqa: SLF001
    changed = 0
    last_pk: Any = None
    while True:
        batch = manager.order_by("pk")
        if last_pk is not None:
            batch = batch.filter(pk__gt=last_pk)
        rows = list(batch.annotate(**raw).values_list("pk", *raw)[:batch_size])
        if not rows:
            return changed
        last_pk = rows[-1][0]
        for position, name in enumerate(field_names, start=1):
            where = f"{label}.{name}"
            values = {
                row[0]: transform(row[position], where) for row in rows if row[position] is not None
            }
            if not values:
                continue
            text: models.Field[Any, Any] = models.TextField()
            whens = [
                models.When(pk=pk, then=models.Value(v, output_field=text))
                for pk, v in values.items()
            ]
            manager.filter(pk__in=list(values)).update(
                **{name: models.Case(*whens, output_field=text)}
            )
            changed += len(values)
