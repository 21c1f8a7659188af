"""Episodes and what hangs off them. Risk is a dated history of changes, never overwritten."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from safehub.audit.history import KeptHistory
from safehub.people.corrections import Correctable
from safehub.rules import codes

RISK_CHOICES = codes.choices(codes.RiskLevel)


class Episode(Correctable):
    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="episodes")
    opened_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)
    closure_reason = models.CharField(max_length=200, blank=True)
    lead_agency = models.ForeignKey(
        "access.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    allocated_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    history = KeptHistory()

    class Meta:
        ordering = ("-opened_on",)
        constraints = (
            models.UniqueConstraint(
                fields=("child",),
                condition=Q(closed_on__isnull=True, withdrawn_at__isnull=True),
                name="episodes_one_open_episode_per_child",
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("opened_on")),
                name="episodes_closed_after_opened",
            ),
        )

    def __str__(self) -> str:
        return f"episode {self.pk}"


class RiskChange(Correctable):
    """The risk level from `effective_on` until the next change (escalation or de-escalation)."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="risk_changes")
    level = models.CharField(max_length=6, choices=RISK_CHOICES)
    effective_on = models.DateField()
    reason = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(
        default=timezone.now, help_text="When the hub graded it (imports keep the original time)"
    )
    history = KeptHistory()

    class Meta:
        ordering = ("effective_on", "id")
        indexes = (models.Index(fields=("episode", "effective_on")),)

    def __str__(self) -> str:
        return f"risk change {self.pk}"


class Review(models.Model):
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField()
    summary = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    history = KeptHistory()

    class Meta:
        ordering = ("reviewed_on",)

    def __str__(self) -> str:
        return f"review {self.pk}"


class MissingKind(models.TextChoices):
    MISSING = "missing", "Missing"
    ABSENT = "absent", "Away from placement without authorisation"


class MissingEpisode(Correctable):
    child = models.ForeignKey(
        "people.Child", on_delete=models.PROTECT, related_name="missing_episodes"
    )
    kind = models.CharField(max_length=10, choices=MissingKind.choices, default="missing")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    reported_by = models.CharField(max_length=200, blank=True)
    police_reference = models.CharField(max_length=50, blank=True)
    return_interview_offered_at = models.DateTimeField(null=True, blank=True)
    return_interview_completed_at = models.DateTimeField(null=True, blank=True)
    history = KeptHistory()

    class Meta:
        ordering = ("-started_at",)
        constraints = (
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=F("started_at")),
                name="episodes_missing_ended_after_started",
            ),
        )

    def __str__(self) -> str:
        return f"missing episode {self.pk}"


class Allocation(models.Model):
    """Who held an episode, for which lead agency, from when until when, and why.

    The episode's `allocated_worker` and `lead_agency` are the current holder; these rows are
    the dated history (the open one has no `ended_at`).
    """

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="allocations")
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="allocations"
    )
    lead_agency = models.ForeignKey("access.Agency", on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    allocated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ("started_at", "id")
        constraints = (
            models.UniqueConstraint(
                fields=("episode",),
                condition=Q(ended_at__isnull=True),
                name="episodes_one_current_allocation",
            ),
        )

    def __str__(self) -> str:
        return f"allocation {self.pk}"


class SignOffKind(models.TextChoices):
    NO_FURTHER_ACTION = "no_further_action", "No further action on a medium or high risk"
    OVERRIDE = "override", "Override of the screening tool"
    CLOSURE = "closure", "Closing an episode"


class SignOffStatus(models.TextChoices):
    WAITING = "waiting", "Waiting for sign-off"
    APPROVED = "approved", "Approved"
    RETURNED = "returned", "Returned"


class SignOffRequest(models.Model):
    """A decision held back until a hub manager approves it (`safehub.referrals.signoff`).

    `proposal` is what takes effect on approval (the decision's outcome and rationale, the
    override's level and reason, the closure's date and reason); until then the record is as
    it was, so the item stays in the triage queue.
    """

    kind = models.CharField(max_length=20, choices=SignOffKind.choices)
    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="+")
    referral = models.ForeignKey(
        "referrals.Referral", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    screening = models.ForeignKey(
        "referrals.Screening", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    episode = models.ForeignKey(
        Episode, null=True, blank=True, on_delete=models.PROTECT, related_name="sign_offs"
    )
    proposal: models.JSONField[Any] = models.JSONField(default=dict)
    reasons = models.TextField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=SignOffStatus.choices, default=SignOffStatus.WAITING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)
    history = KeptHistory()

    class Meta:
        ordering = ("requested_at", "id")
        constraints = (
            models.UniqueConstraint(
                fields=("kind", "referral"),
                condition=Q(status="waiting", referral__isnull=False),
                name="episodes_one_waiting_sign_off_per_referral",
            ),
            models.UniqueConstraint(
                fields=("kind", "episode"),
                condition=Q(status="waiting", referral__isnull=True),
                name="episodes_one_waiting_sign_off_per_episode",
            ),
        )

    def __str__(self) -> str:
        return f"sign-off request {self.pk}"
