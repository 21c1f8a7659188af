"""Warning flags: what everyone who opens a child's record must know first.

A flag ("risk of criminal exploitation: do not disclose address to callers") has an owner who
keeps it true and a review date no more than a year ahead. It takes effect only when a hub
manager signs it off; until then it is pending. It ends when it no longer applies, or is
withdrawn when it was raised in error; either way it stays in the history.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models

from safehub.audit.history import KeptHistory
from safehub.crypto.fields import EncryptedTextField
from safehub.people.corrections import Correctable


class FlagKind(models.TextChoices):
    CRIMINAL_EXPLOITATION = "criminal_exploitation", "Risk of criminal exploitation"
    SEXUAL_EXPLOITATION = "sexual_exploitation", "Risk of sexual exploitation"
    MISSING_FROM_CARE = "missing_from_care", "Missing from care"
    TRAFFICKING = "trafficking", "Risk of trafficking"
    RISK_TO_OTHERS = "risk_to_others", "Risk to staff or others"
    OTHER = "other", "Other warning"


class FlagStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a manager's sign-off"
    ACTIVE = "active", "Active"
    DECLINED = "declined", "Not approved"
    ENDED = "ended", "Ended"
    WITHDRAWN = "withdrawn", "Withdrawn (raised in error)"


class WarningFlag(Correctable):
    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="flags")
    kind = models.CharField(max_length=30, choices=FlagKind.choices)
    text = EncryptedTextField(help_text="What a reader must do or know, in a sentence")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    review_on = models.DateField(help_text="When the owner next checks it still applies")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField()
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)
    approved = models.BooleanField(
        null=True, blank=True, help_text="The manager's sign-off: empty = pending"
    )
    sign_off_note = models.TextField(blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    end_reason = models.TextField(blank=True)
    history = KeptHistory()

    class Meta:
        ordering = ("-raised_at", "-id")
        indexes = (models.Index(fields=("child", "approved")), models.Index(fields=("review_on",)))

    def __str__(self) -> str:
        return f"warning flag {self.pk}"

    @property
    def status(self) -> FlagStatus:
        if self.withdrawn_at is not None:
            return FlagStatus.WITHDRAWN
        if self.ended_at is not None:
            return FlagStatus.ENDED
        if self.approved is None:
            return FlagStatus.PENDING
        return FlagStatus.ACTIVE if self.approved else FlagStatus.DECLINED

    @property
    def is_open(self) -> bool:
        """Pending or active: still something the hub is acting on."""
        return self.status in (FlagStatus.PENDING, FlagStatus.ACTIVE)

    def review_overdue(self, today: dt.date) -> bool:
        return self.status == FlagStatus.ACTIVE and self.review_on < today
