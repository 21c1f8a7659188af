"""What matching keeps in the database: each child's blocking keys, and intake choices."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ChildKey(models.Model):
    """One blocking key of a child ("gd:jayden|2009-07-03"); see `keys.py`."""

    child = models.ForeignKey("people.Child", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=160)

    class Meta:
        indexes = (models.Index(fields=("key", "child")),)
        constraints = (models.UniqueConstraint(fields=("child", "key"), name="matching_key_once"),)

    def __str__(self) -> str:
        return f"key {self.pk}"


class IntakeChoice(models.Model):
    """What intake offered for a child being recorded, and what the practitioner chose."""

    offered = models.JSONField(help_text="[{child, probability}], best first")
    chosen = models.ForeignKey(
        "people.Child", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    chosen_new = models.BooleanField(help_text="None of the candidates: a new child recorded")
    preselected = models.ForeignKey(
        "people.Child", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    model_version = models.CharField(max_length=20)
    chosen_at = models.DateTimeField(auto_now_add=True)
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"intake choice {self.pk}"
