"""Prevention and awareness: programmes, their target populations, and the sessions delivered.

No child data here: a session counts the people it reached (drivers, pupils, staff), never who
they were. Programmes and targets are reference data an administrator keeps in /admin/; sessions
arrive by `safehub import awareness FILE` (docs/import-format.md).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from safehub.geo.models import Ward
from safehub.rules.codes import Community

# The emerging communities a session can be aimed at: the code list of `rules.codes`, so a
# session and a child are counted under the same groups.
COMMUNITY_CHOICES = [(c.value, c.label) for c in Community]


class Programme(models.Model):
    """One awareness or training programme, e.g. taxi and private hire driver training."""

    code = models.SlugField(
        max_length=40, unique=True, help_text="Short code used in import files, e.g. taxi"
    )
    name = models.CharField(max_length=120, unique=True)
    target_description = models.CharField(
        max_length=200,
        blank=True,
        help_text="Who the target counts, e.g. 'licensed drivers in the district'",
    )
    order = models.PositiveSmallIntegerField(default=0, help_text="Position in tables")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ("order", "name")

    def __str__(self) -> str:
        return self.name


class Target(models.Model):
    """A programme's target population: for the district or one ward, for a year or all years.

    `financial_year` is the year the financial year starts in (2016 for 2016/17); blank means
    the target holds for every year without one of its own.
    """

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="targets")
    ward = models.ForeignKey(
        Ward,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Blank for the whole district",
    )
    financial_year = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Year the financial year starts in; blank for every year"
    )
    population = models.PositiveIntegerField(
        help_text="People the programme aims to reach, e.g. licensed drivers or pupils"
    )
    note = models.CharField(max_length=200, blank=True, help_text="Where the figure comes from")

    class Meta:
        ordering = ("programme", "financial_year", "ward")
        constraints = (
            models.CheckConstraint(condition=Q(population__gt=0), name="awareness_target_positive"),
        )

    def __str__(self) -> str:
        return f"{self.programme}: {self.population}"

    def clean(self) -> None:
        same = Target.objects.filter(
            programme_id=self.programme_id, ward=self.ward, financial_year=self.financial_year
        ).exclude(pk=self.pk)
        if self.programme_id and same.exists():
            raise ValidationError(
                "This programme already has a target for that ward and year; change that one."
            )


class AudienceType(models.TextChoices):
    DRIVERS = "drivers", "Drivers"
    PUPILS = "pupils", "Pupils"
    STAFF = "staff", "Staff"
    PARENTS = "parents", "Parents and carers"
    PROFESSIONALS = "professionals", "Professionals"
    PUBLIC = "public", "Members of the public"


class Session(models.Model):
    """One delivery of a programme: a training session, a performance of a play."""

    reference = models.CharField(
        max_length=60, unique=True, help_text="The deliverer's own reference; makes re-import safe"
    )
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="sessions")
    delivered_on = models.DateField()
    venue = models.CharField(max_length=200, help_text="Venue or school")
    ward = models.ForeignKey(
        Ward, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    audience_type = models.CharField(max_length=20, choices=AudienceType.choices)
    community = models.CharField(
        max_length=30,
        choices=COMMUNITY_CHOICES,
        blank=True,
        help_text="The emerging community the session was aimed at (delivered in its language, "
        "in its venues, with its organisations); blank for a session open to everyone",
    )
    reached = models.PositiveIntegerField(help_text="Number of people reached")
    delivered_by = models.CharField(max_length=200, help_text="Organisation or team")
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ("-delivered_on", "reference")
        indexes = (models.Index(fields=("programme", "delivered_on")),)
        constraints = (
            models.CheckConstraint(condition=Q(reached__gt=0), name="awareness_session_reached"),
        )

    def __str__(self) -> str:
        return f"{self.reference} ({self.programme.code}, {self.delivered_on:%Y-%m-%d})"
