"""Which Safehub row each record of another system became.

Kept here rather than as a column on each case table: one table answers "where did this come
from" for every kind, and the case tables stay as the services write them.
"""

from __future__ import annotations

from django.db import models


class LegacyIdentifier(models.Model):
    """Record `legacy_id` of kind `kind` in `source_system` is Safehub's row `object_id`.

    `kind` names a file of the history format (children, addresses, …), which fixes the
    model, so a plain integer id is enough and no generic relation is needed.
    """

    source_system = models.CharField(max_length=60)
    kind = models.CharField(max_length=30)
    legacy_id = models.CharField(max_length=100)
    object_id = models.BigIntegerField()
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=("source_system", "kind", "legacy_id"),
                name="interchange_legacy_id_unique",
            ),
        )
        indexes = (models.Index(fields=("kind", "object_id")),)

    def __str__(self) -> str:
        return f"{self.source_system} {self.kind} {self.legacy_id}"
