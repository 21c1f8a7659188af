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
