"""The review queue of likely duplicate records, and the merges hub managers made from it.

A pair is offered by the matching engine (`safehub match dedupe`) with its probability and the
per-field evidence; a hub manager decides: the same child (merge) or not (dismiss, with a
note). A merge keeps, per table, the ids of every row it re-pointed, so an unmerge puts back
exactly those rows and nothing else.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class PairStatus(models.TextChoices):
    OPEN = "open", "Waiting for review"
    MERGED = "merged", "Merged: the same child"
    DISMISSED = "not_same", "Not the same child"
    UNMERGED = "unmerged", "Merged, then unmerged"


class DuplicatePair(models.Model):
    """Two records that may be one child; `child_a` is always the lower id."""

    child_a = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="+")
    child_b = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="+")
    probability = models.FloatField(help_text="Match probability from the matching model")
    # A list of {field, outcome, weight}: the matching model's per-field explanation.
    evidence: models.JSONField[Any] = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=PairStatus.choices, default=PairStatus.OPEN)
    offered_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True, help_text="Why they are not the same child")

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=("child_a", "child_b"), name="duplicates_pair_once"),
            models.CheckConstraint(
                condition=Q(child_a__lt=F("child_b")), name="duplicates_pair_ordered"
            ),
        )
        indexes = (models.Index(fields=("status", "-probability")),)

    def __str__(self) -> str:
        return f"duplicate pair {self.pk}"


class Merge(models.Model):
    """One merge: `merged` became a tombstone and its rows moved to `survivor`.

    `moved` maps "app_label.model.field" to the primary keys re-pointed in that table (history
    tables included, by history id); `kept` the rows left with the tombstone because the
    survivor already had the same one (a link to the same location, say).
    """

    pair = models.ForeignKey(DuplicatePair, on_delete=models.PROTECT, related_name="merges")
    survivor = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="+")
    merged = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="+")
    merged_at = models.DateTimeField()
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    moved: models.JSONField[Any] = models.JSONField(default=dict)
    kept: models.JSONField[Any] = models.JSONField(default=dict)
    unmerged_at = models.DateTimeField(null=True, blank=True)
    unmerged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ("-merged_at",)
        constraints = (
            # A record is merged away at most once at a time.
            models.UniqueConstraint(
                fields=("merged",),
                condition=Q(unmerged_at__isnull=True),
                name="duplicates_merged_once",
            ),
        )

    def __str__(self) -> str:
        return f"merge {self.pk}"

    @property
    def child_id(self) -> int:
        """The surviving child, for the audit trail's access log."""
        return int(self.survivor_id)
