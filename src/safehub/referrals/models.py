from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from safehub.audit.history import KeptHistory
from safehub.crypto.fields import EncryptedTextField
from safehub.people.corrections import Correctable
from safehub.rules import codes


class DecisionOutcome(models.TextChoices):
    NO_FURTHER_ACTION = "no_further_action", "No further action"
    ADVICE = "advice", "Advice and information"
    PATHWAY_REFERRAL = "pathway_referral", "Pathway referral to a support agency"
    STRATEGY_DISCUSSION = "strategy_discussion", "Strategy discussion"
    SOCIAL_CARE_REFERRAL = "social_care_referral", "Referral to children's social care"


RISK_CHOICES = codes.choices(codes.RiskLevel)


class Referral(Correctable):
    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="referrals")
    received_at = models.DateTimeField(db_index=True)
    source = models.CharField(
        max_length=3,
        choices=codes.choices(codes.ReferralSource),
        help_text="CIN census ReferralSource code",
    )
    referring_agency = models.ForeignKey(
        "access.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    referrer_name = models.CharField(max_length=200, blank=True)
    referrer_contact = models.CharField(max_length=200, blank=True)
    concerns = EncryptedTextField()
    exploitation_types: models.JSONField[Any] = models.JSONField(default=list)
    external_reference = models.CharField(max_length=100, null=True, blank=True, unique=True)
    episode = models.ForeignKey(
        "episodes.Episode",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    history = KeptHistory()

    class Meta:
        ordering = ("-received_at",)

    def __str__(self) -> str:
        return f"referral {self.pk}"

    @property
    def exploitation_labels(self) -> list[str]:
        return [codes.ExploitationType(t).label for t in self.exploitation_types]


class Screening(models.Model):
    """A screening of one referral with one version of the screening tool.

    `result` is the engine's whole output (indicators that fired, the rule that decided the
    band, any age floor), so the reasoning behind a level can always be shown again.
    """

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="screenings")
    tool_id = models.CharField(max_length=60)
    tool_version = models.PositiveIntegerField()
    answers: models.JSONField[Any] = models.JSONField(default=dict)
    result: models.JSONField[Any] = models.JSONField(default=dict)
    computed_level = models.CharField(max_length=6, choices=RISK_CHOICES)
    final_level = models.CharField(max_length=6, choices=RISK_CHOICES)
    override_reason = models.TextField(blank=True)
    screened_at = models.DateTimeField()
    screened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    history = KeptHistory()

    class Meta:
        ordering = ("screened_at",)

    def __str__(self) -> str:
        return f"screening {self.pk}"

    @property
    def overridden(self) -> bool:
        return self.final_level != self.computed_level


class Decision(models.Model):
    referral = models.OneToOneField(Referral, on_delete=models.PROTECT, related_name="decision")
    outcome = models.CharField(max_length=30, choices=DecisionOutcome.choices)
    decided_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    rationale = models.TextField(blank=True)
    pathway_agency = models.ForeignKey(
        "access.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    history = KeptHistory()

    def __str__(self) -> str:
        return f"decision {self.pk}"


class OverrideReview(models.Model):
    """A hub manager's review of a screening whose computed level a practitioner overrode.

    Managers look at every override, de-escalations hardest; the review is one row per
    screening, so reviewing twice is refused by the database as well as by the service.
    """

    screening = models.OneToOneField(
        Screening, on_delete=models.PROTECT, related_name="override_review"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField()
    note = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"override review {self.pk}"
