"""In-app notifications, and when each scheduled check was last put on the task queue."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Notification(models.Model):
    """Something a user should look at: a title, a reference and a link, never a name.

    (recipient, key) is unique, so the same event notifies each person once however often, and
    by however many workers at once, the check that finds it runs.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(
        max_length=80, help_text='What happened, e.g. "pathway:accept:overdue".'
    )
    key = models.CharField(max_length=200, help_text="Idempotency key: one per event.")
    title = models.CharField(max_length=200)
    link = models.CharField(max_length=500, help_text="A path in Safehub.")
    reference = models.CharField(max_length=40, help_text="An identifier, never a name.")
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = (
            models.UniqueConstraint(
                fields=("recipient", "key"), name="notification_once_per_recipient_and_key"
            ),
        )
        # The header's unread count on every page: a partial index of the unread ones only.
        indexes = (
            models.Index(
                fields=("recipient",),
                condition=Q(read_at__isnull=True),
                name="notification_unread",
            ),
        )

    def __str__(self) -> str:
        return f"notification {self.pk} ({self.kind})"


class ScheduledCheck(models.Model):
    """When a periodic check was last queued and last run: the schedule survives restarts."""

    name = models.CharField(max_length=100, unique=True)
    last_enqueued_at = models.DateTimeField(null=True, blank=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_result = models.IntegerField(null=True, blank=True, help_text="What the check returned.")

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name
