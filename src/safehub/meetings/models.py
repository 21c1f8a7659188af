"""Multi-agency meetings: strategy discussions and MACE meetings, as records of their own.

A meeting names the agencies that attended, the children, places of concern and persons of
concern discussed, what was decided, and the actions that follow (each with an owner and a due
date). What a reader sees of it is scoped in `meetings.queries`: hub roles only, and persons of
concern only for those who may see them.

A strategy discussion is a meeting of that kind, recorded from the episode page and filed on the
episode (`episode`). Those recorded on an episode before meetings existed became meetings too
(migrations `0002` and `0004`), with their history; each keeps the number it had then
(`former_discussion`), under which the chronology keeps its marks.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from safehub.audit.history import KeptHistory


class MeetingKind(models.TextChoices):
    STRATEGY_DISCUSSION = "strategy_discussion", "Strategy discussion"
    MACE = "mace", "MACE meeting"


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class Meeting(models.Model):
    kind = models.CharField(max_length=30, choices=MeetingKind.choices)
    held_at = models.DateTimeField()
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decisions = models.TextField(blank=True, help_text="What the meeting decided")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()
    # The episode a strategy discussion was held for, when it was recorded from one.
    episode = models.ForeignKey(
        "episodes.Episode",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meetings",
    )
    former_discussion = models.PositiveIntegerField(
        null=True,
        blank=True,
        unique=True,
        editable=False,
        help_text="The number this strategy discussion had as the episode's own record, before "
        "meetings existed: the chronology keeps its marks under it",
    )
    agencies = models.ManyToManyField("access.Agency", related_name="+", blank=True)
    children = models.ManyToManyField("people.Child", related_name="meetings", blank=True)
    locations = models.ManyToManyField(
        "intelligence.LocationOfConcern", related_name="+", blank=True
    )
    # No reverse accessor: persons of concern are read only through `meetings.queries`.
    persons = models.ManyToManyField("intelligence.PersonOfConcern", related_name="+", blank=True)
    history = KeptHistory()

    class Meta:
        ordering = ("-held_at", "-id")
        indexes = (models.Index(fields=("kind", "held_at")),)

    def __str__(self) -> str:
        return f"meeting {self.pk}"

    @property
    def reference(self) -> str:
        return f"MTG-{self.pk:06d}"


class MeetingAction(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="actions")
    text = models.TextField(help_text="What is to be done")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField()
    status = models.CharField(
        max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    updated_at = models.DateTimeField()
    history = KeptHistory()

    class Meta:
        ordering = ("due_on", "id")
        indexes = (models.Index(fields=("owner", "status", "due_on")),)

    def __str__(self) -> str:
        return f"meeting action {self.pk}"
