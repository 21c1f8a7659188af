"""Locations of concern, persons of concern and disruption activity.

A person of concern is an alleged perpetrator: only hub managers and police hub officers may
see one (`person_of_concern:view`), so every read of `PersonOfConcern` — and of a disruption's
`person` — goes through `safehub.intelligence.queries`, which applies that restriction.

Links to children are explicit rows (`LocationLink`, `PersonLink`, `PersonLocationLink`) with
their own history, so who linked a child to a location, when, and who removed the link later
is kept; a plain many-to-many would lose it.

Descriptions and link notes are encrypted in the database (`EncryptedTextField`): they cannot
be searched by the database, only read.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from safehub.audit.history import KeptHistory
from safehub.crypto.fields import EncryptedTextField
from safehub.people.models import Child


class LocationKind(models.TextChoices):
    ADDRESS = "address", "Address"
    BUSINESS = "business", "Business premises"
    PUBLIC_SPACE = "public_space", "Public space"
    ONLINE = "online", "Online"
    OTHER = "other", "Other"


class DisruptionKind(models.TextChoices):
    ABDUCTION_WARNING = "abduction_warning", "Child abduction warning notice"
    WARNING_NOTICE = "warning_notice", "Other warning notice"
    ARREST = "arrest", "Arrest"
    CHARGE = "charge", "Charge"
    CONVICTION = "conviction", "Conviction"
    PREMISES_ACTION = "premises_action", "Premises closure or action"
    LICENSING_ACTION = "licensing_action", "Licensing action"
    OTHER = "other", "Other"


class LocationOfConcern(models.Model):
    name = models.CharField(max_length=200, help_text="How the hub refers to the place")
    kind = models.CharField(max_length=20, choices=LocationKind.choices)
    description = EncryptedTextField(blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    ward = models.ForeignKey(
        "geo.Ward", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ward_method = models.CharField(max_length=12, blank=True, help_text="manual/postcode/…")
    first_noted = models.DateField(help_text="When the hub first had concerns about the place")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    children: models.ManyToManyField[Child, LocationLink] = models.ManyToManyField(
        "people.Child", through="LocationLink", related_name="locations_of_concern", blank=True
    )
    history = KeptHistory()

    class Meta:
        ordering = ("-first_noted", "-id")
        verbose_name_plural = "locations of concern"
        constraints = (
            models.CheckConstraint(condition=~Q(name=""), name="intelligence_location_has_a_name"),
        )

    def __str__(self) -> str:
        return f"location of concern {self.pk}"


class LocationLink(models.Model):
    """The hub noted that a child is associated with a location of concern."""

    location = models.ForeignKey(
        LocationOfConcern, on_delete=models.CASCADE, related_name="child_links"
    )
    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="+")
    noted_on = models.DateField()
    note = EncryptedTextField(max_length=300, blank=True)
    history = KeptHistory()

    class Meta:
        ordering = ("-noted_on", "-id")
        constraints = (
            models.UniqueConstraint(
                fields=("location", "child"), name="intelligence_location_child_linked_once"
            ),
        )

    def __str__(self) -> str:
        return f"location link {self.pk}"


class PersonOfConcern(models.Model):
    """An alleged perpetrator. Restricted: see the module docstring.

    The many-to-many fields have no reverse accessor (`related_name="+"`), so there is no
    `child.persons_of_concern` for a template to follow around the scoping in queries.
    """

    name = models.CharField(max_length=200, help_text="Name, or the alias the person is known by")
    description = EncryptedTextField(blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    children: models.ManyToManyField[Child, PersonLink] = models.ManyToManyField(
        "people.Child", through="PersonLink", related_name="+", blank=True
    )
    locations: models.ManyToManyField[LocationOfConcern, PersonLocationLink] = (
        models.ManyToManyField(
            LocationOfConcern,
            through="PersonLocationLink",
            related_name="+",
            blank=True,
        )
    )
    history = KeptHistory()

    class Meta:
        ordering = ("name", "id")
        verbose_name_plural = "persons of concern"
        constraints = (
            models.CheckConstraint(condition=~Q(name=""), name="intelligence_person_has_a_name"),
        )

    def __str__(self) -> str:
        # Never the name: this string reaches logs, the admin and error reports.
        return f"person of concern {self.pk}"


class PersonLink(models.Model):
    """The hub noted that a person of concern is associated with a child."""

    person = models.ForeignKey(
        PersonOfConcern, on_delete=models.CASCADE, related_name="child_links"
    )
    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="+")
    noted_on = models.DateField()
    relationship = models.CharField(
        max_length=200, blank=True, help_text="e.g. 'older boyfriend', 'gives lifts'"
    )
    note = EncryptedTextField(max_length=300, blank=True)
    history = KeptHistory()

    class Meta:
        ordering = ("-noted_on", "-id")
        constraints = (
            models.UniqueConstraint(
                fields=("person", "child"), name="intelligence_person_child_linked_once"
            ),
        )

    def __str__(self) -> str:
        return f"person link {self.pk}"


class PersonLocationLink(models.Model):
    """A person of concern is associated with a location of concern (lives, works, frequents)."""

    person = models.ForeignKey(
        PersonOfConcern, on_delete=models.CASCADE, related_name="location_links"
    )
    location = models.ForeignKey(
        LocationOfConcern, on_delete=models.CASCADE, related_name="person_links"
    )
    noted_on = models.DateField()
    note = EncryptedTextField(max_length=300, blank=True)
    history = KeptHistory()

    class Meta:
        ordering = ("-noted_on", "-id")
        constraints = (
            models.UniqueConstraint(
                fields=("person", "location"), name="intelligence_person_location_linked_once"
            ),
        )

    def __str__(self) -> str:
        return f"person-location link {self.pk}"


class Disruption(models.Model):
    """One act of disruption: a warning notice, arrest, charge, conviction or premises action.

    It may name a person, a location and a child; any of them may be empty (a licensing
    review of a takeaway names only the location).
    """

    kind = models.CharField(max_length=20, choices=DisruptionKind.choices)
    occurred_on = models.DateField()
    description = EncryptedTextField(blank=True)
    police_reference = models.CharField(max_length=50, blank=True)
    person = models.ForeignKey(
        PersonOfConcern,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="disruptions",
    )
    location = models.ForeignKey(
        LocationOfConcern,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="disruptions",
    )
    child = models.ForeignKey(
        "people.Child", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    history = KeptHistory()

    class Meta:
        ordering = ("-occurred_on", "-id")
        indexes = (models.Index(fields=("occurred_on",)),)

    def __str__(self) -> str:
        return f"disruption {self.pk}"
