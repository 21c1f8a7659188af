"""Due rows: the triage queue's items, kept in step with the record they are computed from.

A row is derived data, never edited by hand: `safehub.triage.store` rebuilds a child's rows from
the record (through the sources in `safehub.triage.sources`) whenever anything they are computed
from is saved, in the same transaction. Keeping them as rows lets the database filter, count,
sort and page 100,000 items; colour (red, amber, green) depends on the time of asking, so it is
worked out when the queue is read (`safehub.rules.triage_rag`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class DueRow(models.Model):
    kind = models.CharField(max_length=40)
    source_id = models.PositiveBigIntegerField(help_text="The id of the record the item is for")
    child = models.ForeignKey("people.Child", on_delete=models.CASCADE, related_name="+")
    start = models.DateTimeField(help_text="When the item's clock started")
    due = models.DateTimeField()
    risk_level = models.CharField(max_length=6, blank=True, help_text="The child's current level")
    risk_rank = models.SmallIntegerField(
        default=-1, help_text="The level's rank, 3 for high down to 0 for none; -1 not graded"
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The worker allocated to the child's open episode",
    )
    worker_agency_id = models.IntegerField(null=True, blank=True)
    link = models.CharField(max_length=200)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=("kind", "source_id"), name="triage_one_row_per_item"),
        )
        indexes = (
            models.Index(fields=("due", "id"), name="triage_due"),
            models.Index(fields=("worker", "due"), name="triage_worker_due"),
            models.Index(fields=("kind", "due"), name="triage_kind_due"),
            models.Index(fields=("risk_level", "due"), name="triage_risk_due"),
            models.Index(fields=("-risk_rank", "due", "id"), name="triage_rank_due"),
            models.Index(fields=("child",), name="triage_child"),
        )

    def __str__(self) -> str:
        return f"{self.kind} {self.source_id}"
