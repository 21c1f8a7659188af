from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models


class AgencyType(models.TextChoices):
    CHILDRENS_SERVICES = "childrens_services", "Council children's services"
    POLICE = "police", "Police"
    HEALTH = "health", "Health"
    YOUTH_SERVICE = "youth_service", "Youth Service"
    EARLY_HELP = "early_help", "Early help"
    EDUCATION = "education", "Education"
    VOLUNTARY_SECTOR = "voluntary_sector", "Voluntary sector"
    TRANSPORT_LICENSING = "transport_licensing", "Transport and licensing"
    # Not in the hub's partnership as such, but where elected members, analysts and
    # administrators belong.
    COUNCIL_CORPORATE = "council_corporate", "Council corporate services and members"


class Role(models.TextChoices):
    HUB_PRACTITIONER = "hub_practitioner", "Hub practitioner"
    HUB_MANAGER = "hub_manager", "Hub manager"
    POLICE_HUB_OFFICER = "police_hub_officer", "Police hub officer"
    PARTNER_WORKER = "partner_worker", "Partner worker"
    ANALYST = "analyst", "Analyst"
    ELECTED_MEMBER = "elected_member", "Elected member"
    ADMINISTRATOR = "administrator", "Administrator"


class Agency(models.Model):
    name = models.CharField(max_length=200, unique=True)
    agency_type = models.CharField(max_length=30, choices=AgencyType.choices)
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name_plural = "agencies"
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person who uses Safehub: belongs to one agency and holds one role."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="users")
    role = models.CharField(max_length=30, choices=Role.choices)

    REQUIRED_FIELDS = ["email"]

    class Meta:
        ordering = ("username",)

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Django admin is the administrators' tool; nobody else reaches it, and nobody is a
        # superuser: what an administrator may do is decided by safehub.access.policy.
        self.is_staff = self.role == Role.ADMINISTRATOR
        self.is_superuser = False
        super().save(*args, **kwargs)


class AccountChangeStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a second administrator"
    APPROVED = "approved", "Approved"
    REFUSED = "refused", "Refused"


class AccountChange(models.Model):
    """A change that would give an account case access, waiting for a second administrator.

    Four eyes: the administrator who asks cannot approve it, nor can the person it is about.
    Until it is approved the account keeps its old role, agency and active flag; the values
    before are kept so the approval and the audit trail say what changed.
    """

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=30, choices=Role.choices)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    is_active = models.BooleanField()
    role_before = models.CharField(max_length=30, choices=Role.choices, blank=True)
    agency_before = models.ForeignKey(Agency, null=True, on_delete=models.PROTECT, related_name="+")
    is_active_before = models.BooleanField(default=False)
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=AccountChangeStatus.choices, default=AccountChangeStatus.PENDING
    )
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-requested_at",)
        verbose_name = "account change waiting for approval"
        verbose_name_plural = "account changes waiting for approval"

    def __str__(self) -> str:
        return f"account change {self.pk}"


class AgencyApiKey(models.Model):
    """A key an agency's own case system uses to call the API as that agency's partner.

    Only a SHA-256 hash of the key is stored; `prefix` (random, shown in the key itself) finds
    the row. The key is shown once, when issued. It expires, and can be revoked at any time.
    """

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="api_keys")
    name = models.CharField(max_length=100, help_text="What the key is for, e.g. the system.")
    prefix = models.CharField(max_length=16, unique=True)
    key_hash = models.CharField(max_length=64)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)
        verbose_name = "agency API key"

    def __str__(self) -> str:
        return f"{self.agency} key {self.prefix}"
