"""Geography that changes over time.

Ward boundaries are redrawn (a council's new wards apply from the election that brings them in),
so wards belong to a `WardSet` that says the dates it was in force. Anything dated is placed on
the ward set valid on its date, and a figure for 2016 is always counted on the 2016 wards.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import F, Q


class LocalAuthority(models.Model):
    code = models.CharField(max_length=9, unique=True, help_text="ONS code, e.g. E08000032")
    name = models.CharField(max_length=100)

    class Meta:
        verbose_name_plural = "local authorities"
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class AreaCommittee(models.Model):
    local_authority = models.ForeignKey(
        LocalAuthority, on_delete=models.PROTECT, related_name="area_committees"
    )
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ("name",)
        constraints = (
            models.UniqueConstraint(
                fields=("local_authority", "name"), name="geo_area_committee_unique_name"
            ),
        )

    def __str__(self) -> str:
        return self.name


class WardSet(models.Model):
    """The wards of one local authority as drawn for one period: [valid_from, valid_to)."""

    local_authority = models.ForeignKey(
        LocalAuthority, on_delete=models.PROTECT, related_name="ward_sets"
    )
    name = models.CharField(max_length=100, unique=True)
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True, help_text="First day no longer in force")
    attribution = models.TextField(blank=True)

    class Meta:
        ordering = ("local_authority", "valid_from")
        constraints = (
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=F("valid_from")),
                name="geo_ward_set_valid_period",
            ),
        )

    def __str__(self) -> str:
        return self.name


class Ward(models.Model):
    ward_set = models.ForeignKey(WardSet, on_delete=models.PROTECT, related_name="wards")
    code = models.CharField(max_length=9, help_text="ONS ward code, e.g. E05001341")
    name = models.CharField(max_length=100)
    area_committee = models.ForeignKey(
        AreaCommittee, on_delete=models.PROTECT, related_name="wards"
    )
    boundary: models.JSONField[Any] = models.JSONField(
        null=True, blank=True, help_text="GeoJSON geometry (WGS84 longitude/latitude)"
    )

    class Meta:
        ordering = ("ward_set", "name")
        constraints = (
            models.UniqueConstraint(fields=("ward_set", "code"), name="geo_ward_unique_code"),
        )

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class PostcodeWard(models.Model):
    """One postcode's ward in one ward set, imported from the ONS postcode directory."""

    ward_set = models.ForeignKey(WardSet, on_delete=models.PROTECT, related_name="+")
    postcode = models.CharField(max_length=8, help_text="Normalised, e.g. 'BD5 0AA'")
    ward = models.ForeignKey(Ward, on_delete=models.PROTECT, related_name="postcodes")

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=("ward_set", "postcode"), name="geo_postcode_unique_per_set"
            ),
        )

    def __str__(self) -> str:
        return self.postcode
