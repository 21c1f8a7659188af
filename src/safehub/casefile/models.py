"""What the practitioner adds to a child's chronology: which events are significant, why,
and an analysis of the whole. The events themselves are generated from the record
(`casefile.chronology`), never copied, so they cannot drift from it."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from safehub.audit.history import KeptHistory
from safehub.crypto.fields import EncryptedTextField


class ChronologyMark(models.Model):
    """The practitioner's judgement on one generated event (`event_key`, like "referral:12")."""

    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="+")
    event_key = models.CharField(max_length=60)
    significant = models.BooleanField()
    significance = EncryptedTextField(blank=True, help_text="Why the event matters")
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    marked_at = models.DateTimeField()
    history = KeptHistory()

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=("child", "event_key"), name="casefile_chronology_mark_once"
            ),
        )

    def __str__(self) -> str:
        return f"chronology mark {self.pk}"


class ChronologyAnalysis(models.Model):
    """The practitioner's analysis of the chronology as a whole (one per child, versioned)."""

    child = models.OneToOneField("people.Child", on_delete=models.PROTECT, related_name="+")
    text = EncryptedTextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    written_at = models.DateTimeField()
    history = KeptHistory()

    class Meta:
        verbose_name_plural = "chronology analyses"

    def __str__(self) -> str:
        return f"chronology analysis {self.pk}"
