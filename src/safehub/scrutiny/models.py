"""Scrutiny: committee meetings, their resolutions and the actions that follow.

An area committee (or the council's scrutiny committee for the whole district) resolves things
about the hub's work; each resolution is turned into one or more actions with an owner (a role
and a job title, never a person's name), a due date and a status, and each action gathers dated
progress updates, with evidence such as the report section that shows the change. The next
committee report prints each resolution with its actions and the progress since the previous
report. Nothing here is about a child: these are the council's public papers.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models

from safehub.access.models import Role
from safehub.audit.history import KeptHistory


class ActionStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETE = "complete", "Complete"
    CLOSED = "closed", "Closed without completion"


FINISHED = frozenset({ActionStatus.COMPLETE, ActionStatus.CLOSED})


class CommitteeMeeting(models.Model):
    committee = models.CharField("committee", max_length=200)
    # Empty for a committee of the whole district; else the area committee whose report it is.
    area = models.ForeignKey(
        "geo.AreaCommittee",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meetings",
        verbose_name="area",
    )
    held_on = models.DateField("date of the meeting")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = KeptHistory()

    class Meta:
        ordering = ("-held_on", "committee")

    def __str__(self) -> str:
        return f"{self.committee}, {self.held_on:%-d %B %Y}"

    @property
    def area_name(self) -> str:
        return self.area.name if self.area else ""


class Resolution(models.Model):
    meeting = models.ForeignKey(
        CommitteeMeeting, on_delete=models.PROTECT, related_name="resolutions"
    )
    number = models.PositiveSmallIntegerField("number")
    text = models.TextField("resolution", max_length=2000)
    history = KeptHistory()

    class Meta:
        ordering = ("meeting", "number")
        constraints = (
            models.UniqueConstraint(
                fields=("meeting", "number"), name="scrutiny_resolution_unique_number"
            ),
        )

    def __str__(self) -> str:
        return f"Resolution {self.number}"


class ScrutinyAction(models.Model):
    resolution = models.ForeignKey(Resolution, on_delete=models.PROTECT, related_name="actions")
    text = models.TextField("action", max_length=2000)
    owner_role = models.CharField("owner's role in Safehub", max_length=30, choices=Role.choices)
    owner_title = models.CharField("owner's job title", max_length=200)
    due_on = models.DateField("due date")
    status = models.CharField(
        "status", max_length=20, choices=ActionStatus.choices, default=ActionStatus.NOT_STARTED
    )
    history = KeptHistory()

    class Meta:
        ordering = ("resolution", "due_on", "pk")

    def __str__(self) -> str:
        return f"SA-{self.pk:06d}"

    @property
    def reference(self) -> str:
        return str(self)

    def is_overdue(self, today: dt.date) -> bool:
        return self.due_on < today and self.status not in FINISHED


class ProgressUpdate(models.Model):
    action = models.ForeignKey(ScrutinyAction, on_delete=models.PROTECT, related_name="updates")
    reported_on = models.DateField("date of the update")
    text = models.TextField("progress", max_length=4000)
    status = models.CharField(
        "status after this update", max_length=20, choices=ActionStatus.choices
    )
    # Where the committee can see the evidence: a report section's key (e.g. "youth_service")
    # or a link to a published paper.
    evidence = models.CharField("evidence", max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = KeptHistory()

    class Meta:
        ordering = ("action", "reported_on", "pk")

    def __str__(self) -> str:
        return f"{self.action} on {self.reported_on}"
