"""Support services offered by partner agencies, and pathway referrals of children to them.

A pathway referral is the hub asking a service to work with a child: it is made with a share of
the child's record with the service's agency, accepted or declined by the service, timed in
working days against the service's targets, and closed with an outcome or handed back.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from safehub.audit.history import KeptHistory
from safehub.crypto.fields import EncryptedTextField
from safehub.rules import codes

DEFAULT_ACCEPT_WITHIN_DAYS = 2
DEFAULT_FIRST_CONTACT_WITHIN_DAYS = 5


class SupportService(models.Model):
    """A service an agency offers young people, who may be referred to it, and its targets.

    Empty eligibility lists mean "any": a service for every risk level lists none.
    """

    agency = models.ForeignKey(
        "access.Agency", on_delete=models.PROTECT, related_name="support_services"
    )
    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)
    risk_levels: models.JSONField[Any] = models.JSONField(
        default=list, blank=True, help_text='Risk levels served, e.g. ["low", "medium"]; empty: any'
    )
    min_age = models.PositiveSmallIntegerField(null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(null=True, blank=True)
    area_committees = models.ManyToManyField(
        "geo.AreaCommittee",
        blank=True,
        related_name="+",
        help_text="Areas served (by the child's ward); none: everywhere",
    )
    accept_within_days = models.PositiveSmallIntegerField(
        default=DEFAULT_ACCEPT_WITHIN_DAYS, help_text="Target: accept or decline, working days"
    )
    first_contact_within_days = models.PositiveSmallIntegerField(
        default=DEFAULT_FIRST_CONTACT_WITHIN_DAYS,
        help_text="Target: first contact after acceptance, working days",
    )
    managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="managed_services",
        help_text="Told when a referral to this service misses a target",
    )
    history = KeptHistory()

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class Status(models.TextChoices):
    AWAITING = "awaiting", "Waiting for the service to accept"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    CLOSED = "closed", "Closed"
    HANDED_BACK = "handed_back", "Handed back to the hub"


class Outcome(models.TextChoices):
    ENGAGED_RISK_REDUCED = "engaged_risk_reduced", "Engaged and risk reduced"
    ENGAGED_NO_CHANGE = "engaged_no_change", "Engaged, risk not reduced"
    DECLINED_BY_YOUNG_PERSON = "declined_by_young_person", "Declined by the young person"
    NOT_ENGAGED = "not_engaged", "Could not be engaged"
    MOVED_AWAY = "moved_away", "Moved away"
    ESCALATED = "escalated", "Escalated to children's social care"
    OTHER = "other", "Other"


class ContactMethod(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    PHONE = "phone", "By phone"
    VIDEO = "video", "By video call"
    MESSAGE = "message", "By message"
    THROUGH_SCHOOL = "through_school", "Through school"


class PathwayReferral(models.Model):
    child = models.ForeignKey(
        "people.Child", on_delete=models.PROTECT, related_name="pathway_referrals"
    )
    service = models.ForeignKey(SupportService, on_delete=models.PROTECT, related_name="referrals")
    decision = models.ForeignKey(
        "referrals.Decision",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="pathway_referrals",
    )
    share = models.ForeignKey("people.Share", on_delete=models.PROTECT, related_name="+")
    message = EncryptedTextField()
    risk_level = models.CharField(max_length=6, choices=codes.choices(codes.RiskLevel), blank=True)
    referred_at = models.DateTimeField(db_index=True)
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.AWAITING)
    accept_due_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="pathway_caseload",
    )
    first_contact_due_at = models.DateTimeField(null=True, blank=True)
    first_contact_at = models.DateTimeField(null=True, blank=True)
    first_contact_method = models.CharField(
        max_length=20, choices=ContactMethod.choices, blank=True
    )
    declined_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=30, choices=Outcome.choices, blank=True)
    returned_at = models.DateTimeField(
        null=True, blank=True, help_text="Declined or handed back: the hub must act"
    )
    return_reason = models.TextField(blank=True)
    return_seen_at = models.DateTimeField(null=True, blank=True)
    return_seen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    history = KeptHistory()

    class Meta:
        ordering = ("-referred_at", "-pk")

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        """How notifications and emails name a referral: never the child."""
        return f"PR-{self.pk:06d}"

    @property
    def is_open(self) -> bool:
        return self.status in {Status.AWAITING, Status.ACCEPTED}


class StepKind(models.TextChoices):
    REFERRED = "referred", "Referred"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    FIRST_CONTACT = "first_contact", "First contact"
    UPDATE = "update", "Engagement update"
    CLOSED = "closed", "Closed"
    HANDED_BACK = "handed_back", "Handed back to the hub"
    RETURN_SEEN = "return_seen", "Seen by the hub"


class PathwayStep(models.Model):
    """One time-stamped step of a pathway referral, for its page and the child's timeline."""

    referral = models.ForeignKey(PathwayReferral, on_delete=models.PROTECT, related_name="steps")
    kind = models.CharField(max_length=20, choices=StepKind.choices)
    at = models.DateTimeField(help_text="When it happened")
    recorded_at = models.DateTimeField()
    # Empty when an agency's system recorded the step with its API key: no person stands
    # behind a key, and the audit trail names the key.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    text = EncryptedTextField(blank=True)

    class Meta:
        ordering = ("at", "pk")

    def __str__(self) -> str:
        return f"pathway step {self.pk}"

    @property
    def child_id(self) -> int:
        return int(self.referral.child_id)


class Observation(models.Model):
    """A partner worker's observation on a child's record, marked with their agency."""

    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey("access.Agency", on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    observed_at = models.DateTimeField()
    written_at = models.DateTimeField()
    text = EncryptedTextField()
    history = KeptHistory()

    class Meta:
        ordering = ("-observed_at", "-pk")

    def __str__(self) -> str:
        return f"observation {self.pk}"


class BreachKind(models.TextChoices):
    ACCEPT = "accept", "Not accepted or declined within target"
    FIRST_CONTACT = "first_contact", "No first contact within target"


class PathwayBreach(models.Model):
    """A missed target, recorded once however often and by however many workers it is checked."""

    referral = models.ForeignKey(PathwayReferral, on_delete=models.PROTECT, related_name="breaches")
    kind = models.CharField(max_length=20, choices=BreachKind.choices)
    due_at = models.DateTimeField()
    recorded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("referral", "kind"), name="one_breach_per_kind")
        ]

    def __str__(self) -> str:
        return f"pathway breach {self.pk}"
