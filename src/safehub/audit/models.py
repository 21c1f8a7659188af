"""The append-only audit trail.

Rows are only ever inserted: the models and their querysets refuse updates and deletes, and
database triggers (`safehub.audit.guards`) refuse UPDATE, DELETE and TRUNCATE from outside
Django too. An event is written bare, in the transaction of the action it records; a seal
(`AuditSeal`), inserted after the commit, gives it its place in the keyed chain, so an edit or
deletion made with the triggers dropped breaks the chain and `safehub audit verify` names the
first broken link (see `safehub.audit.chain`).
"""

from __future__ import annotations

from typing import Any, ClassVar, NoReturn

from django.conf import settings
from django.db import models
from django.utils import timezone


class AppendOnlyError(Exception):
    """Raised on any attempt to change or remove an audit event."""


class Outcome(models.TextChoices):
    SUCCESS = "success", "Success"
    FAILURE = "failure", "Failure"
    DENIED = "denied", "Denied"


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit events cannot be updated")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("audit events cannot be deleted")


class AuditEvent(models.Model):
    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty for an anonymous request or a command run on the server.",
    )
    actor_role = models.CharField(max_length=40, blank=True)
    actor_agency = models.ForeignKey(
        "access.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(max_length=10, help_text="web, api or cli")
    action = models.CharField(max_length=100, db_index=True)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    reason = models.CharField(max_length=500, blank=True)
    child_id = models.BigIntegerField(
        null=True,
        blank=True,
        db_index=True,
        help_text="The child the object belongs to (a child, or their episode, note, share …): "
        "what a child's access log is read by. An id, not a key: the trail outlives any row.",
    )
    request_id = models.CharField(max_length=64, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    objects: ClassVar[models.Manager[AuditEvent]] = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ("occurred_at", "id")
        indexes = (models.Index(fields=("object_type", "object_id")),)

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%dT%H:%M:%SZ} {self.action} {self.outcome}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("audit events cannot be updated")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit events cannot be deleted")


class AuditSealQuerySet(models.QuerySet["AuditSeal"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit seals cannot be updated")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("audit seals cannot be deleted")


class AuditSeal(models.Model):
    """An event's place in the chain: position, the previous link and its keyed hash.

    Written once, by `safehub.audit.chain.seal`, in commit order rather than in the order of
    event ids (see that module for why).
    """

    position = models.BigIntegerField(primary_key=True, help_text="1 for the first event.")
    event = models.OneToOneField(AuditEvent, on_delete=models.PROTECT, related_name="seal")
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, help_text="HMAC-SHA256 with SAFEHUB_AUDIT_KEY.")
    horizon = models.BigIntegerField(
        null=True,
        blank=True,
        help_text="PostgreSQL: the oldest transaction still running when this was sealed.",
    )
    sealed_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[AuditSeal]] = AuditSealQuerySet.as_manager()

    class Meta:
        ordering = ("position",)

    def __str__(self) -> str:
        return f"seal {self.position} of event {self.event_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("audit seals cannot be updated")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit seals cannot be deleted")
