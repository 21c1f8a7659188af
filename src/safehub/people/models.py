"""A child's identity and the dated facts about them.

Valid time is explicit: an address or a care status holds from `valid_from` until the day
before `valid_to` (empty: still holds). Record time comes from the history tables
(django-simple-history), which keep who changed what, when, with the values before and after.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from safehub.audit.history import KeptHistory
from safehub.crypto.fields import EncryptedTextField
from safehub.people.corrections import Correctable
from safehub.rules import codes


class Child(models.Model):
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(null=True, blank=True)
    dob_approximate = models.BooleanField(
        default=False, help_text="The date of birth is an estimate (for example, age assessed)."
    )
    sex = models.CharField(max_length=1, choices=codes.choices(codes.Sex))
    nhs_number = models.CharField(max_length=10, blank=True)
    upn = models.CharField(
        "Unique Pupil Number",
        max_length=13,
        blank=True,
        help_text="13 characters, check letter first",
    )
    ethnicity = models.CharField(
        max_length=4, choices=codes.choices(codes.Ethnicity), default="NOBT"
    )
    ethnicity_source = models.CharField(
        max_length=30,
        choices=codes.choices(codes.EthnicityRecordingSource),
        default="not_obtained",
        help_text="How the ethnicity was recorded: as the child identifies, or otherwise.",
    )
    first_language = models.CharField(max_length=60, blank=True)
    nationality = models.CharField(max_length=60, blank=True)
    arrived_uk = models.DateField(null=True, blank=True, help_text="Date of arrival in the UK")
    school = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    # Set when a hub manager found this record to be a duplicate and merged it into another
    # (`safehub.duplicates`): the row stays, as a tombstone that an unmerge can bring back,
    # but it leaves every list, search and scope.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    history = KeptHistory()

    class Meta:
        verbose_name_plural = "children"
        indexes = (
            models.Index(fields=("family_name", "given_name")),
            models.Index(fields=("date_of_birth",)),
            models.Index(fields=("nhs_number",)),
        )

    def __str__(self) -> str:
        return f"child {self.pk}"

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


class ChildAlias(models.Model):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="aliases")
    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True)
    note = models.CharField(max_length=200, blank=True, help_text="e.g. street name, nickname")
    history = KeptHistory()

    def __str__(self) -> str:
        return f"alias {self.pk}"


class ValidPeriod(models.Model):
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True, help_text="First day it no longer held")

    class Meta:
        abstract = True

    def holds_on(self, on: object) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on < self.valid_to)  # type: ignore[operator]


class AddressPeriod(ValidPeriod, Correctable):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="addresses")
    address = models.CharField(max_length=300, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    ward = models.ForeignKey(
        "geo.Ward", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ward_method = models.CharField(max_length=12, blank=True, help_text="manual/postcode/…")
    history = KeptHistory()

    class Meta:
        ordering = ("valid_from",)
        constraints = (
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=F("valid_from")),
                name="people_address_valid_period",
            ),
        )

    def __str__(self) -> str:
        return f"address {self.pk}"


class CareStatus(models.TextChoices):
    CHILD_IN_NEED = "child_in_need", "Child in need"
    CHILD_PROTECTION_PLAN = "child_protection_plan", "Child protection plan"
    LOOKED_AFTER = "looked_after", "Looked after"


class CarePeriod(ValidPeriod):
    """A period known to children's social care: child in need, CP plan or looked after."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="care_periods")
    kind = models.CharField(max_length=30, choices=CareStatus.choices)
    history = KeptHistory()

    class Meta:
        ordering = ("valid_from",)
        constraints = (
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=F("valid_from")),
                name="people_care_valid_period",
            ),
        )

    def __str__(self) -> str:
        return f"care period {self.pk}"


class CaseNote(models.Model):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="notes")
    written_at = models.DateTimeField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = EncryptedTextField()
    history = KeptHistory()

    class Meta:
        ordering = ("written_at",)

    def __str__(self) -> str:
        return f"note {self.pk}"


class LawfulBasis(models.TextChoices):
    PUBLIC_TASK = "public_task", "UK GDPR Article 6(1)(e): a task in the public interest"
    SAFEGUARDING = (
        "safeguarding",
        "DPA 2018 Schedule 1 paragraph 18: safeguarding of children and of individuals at risk",
    )
    CONSENT = "consent", "UK GDPR Article 6(1)(a): consent"


class ShareSection(models.TextChoices):
    """What a share discloses, beyond the name, age and sex that every share discloses.

    "identity" is the rest of who the child is (date of birth, NHS number, ethnicity, language,
    nationality, arrival in the UK): a worker can recognise the child from name and age alone,
    and these are disclosed only when the hub decides the agency needs them.
    """

    IDENTITY = (
        "identity",
        (
            "Identity details (date of birth, NHS number, ethnicity, language, nationality, "
            "arrival in the UK)"
        ),
    )
    ADDRESS = "address", "Address and ward"
    SCHOOL = "school", "School"
    CARE = "care", "Children's social care status"
    RISK = "risk", "Risk level and episodes"
    REFERRALS = "referrals", "Referrals, screenings and decisions"
    MISSING = "missing", "Missing episodes"
    NOTES = "notes", "Case notes"


class Share(models.Model):
    """A recorded decision to share a child's record (or one episode) with another agency."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="shares")
    episode = models.ForeignKey(
        "episodes.Episode", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    agency = models.ForeignKey("access.Agency", on_delete=models.PROTECT, related_name="+")
    lawful_basis = models.CharField(max_length=20, choices=LawfulBasis.choices)
    purpose = models.TextField()
    sections: models.JSONField[Any] = models.JSONField(default=list, blank=True)
    expires_on = models.DateField(help_text="Last day the agency may see the record")
    reasons = models.TextField(help_text="The decision and the reasons for it")
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    shared_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoke_reason = models.TextField(blank=True)
    history = KeptHistory()

    class Meta:
        ordering = ("-shared_at",)
        indexes = (models.Index(fields=("agency", "expires_on")),)

    def __str__(self) -> str:
        return f"share {self.pk}"

    def active_on(self, on: dt.date) -> bool:
        return self.revoked_at is None and on <= self.expires_on

    @property
    def section_labels(self) -> list[str]:
        return [ShareSection(s).label for s in self.sections]


class BreakGlass(models.Model):
    """Emergency access to a record outside the user's scope, for a stated reason.

    It lasts a limited time, alerts the hub managers, and waits in their review queue until a
    manager records whether it was justified.
    """

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    granted_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    justified = models.BooleanField(null=True)
    review_note = models.TextField(blank=True)
    # Set when a manager found the access not justified and ended it before its hour was up
    # (expires_at is moved to the same moment, so every scope check ends it at once).
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-granted_at",)
        verbose_name_plural = "break-glass accesses"

    def __str__(self) -> str:
        return f"break-glass {self.pk}"
