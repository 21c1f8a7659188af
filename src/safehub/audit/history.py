"""The history every case record keeps, with the time Safehub itself recorded each change.

django-simple-history's `history_date` is when the hub recorded a change. For a change made
in Safehub that is Safehub's clock; for a record imported from another system it is the old
system's `recorded_at` (else the extract's time), so "as recorded by T" questions about the old
system's data are answered as they would have been then. `learned_at` is always Safehub's
clock: when this history row was written here. The two together say both what the hub knew
and when Safehub learned it (see `safehub.analytics.known` and docs/history-format.md).
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record


class RecordTime(models.Model):
    """Abstract base of every historical model: the time Safehub wrote the history row."""

    learned_at = models.DateTimeField(
        default=timezone.now,
        help_text="When Safehub wrote this history row (its own clock); history_date is when "
        "the hub recorded the change, the source system's time for an imported row",
    )

    # The source system's own `recorded_at` for a row imported from it (else the extract's
    # time); empty for a change made in Safehub. Usually the same as `history_date`: not for a
    # correction the source dated before Safehub's history of the record (recorded as learned
    # now, docs/history-format.md), whose claimed time is kept here.
    source_recorded_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="For an imported row: when the source system says it recorded it",
    )

    class Meta:
        abstract = True


class KeptHistory(HistoricalRecords):
    """`HistoricalRecords` whose rows also keep Safehub's own record time."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("bases", [RecordTime])
        super().__init__(**kwargs)


def _learned_when_recorded(sender: Any, instance: Any, history_instance: Any, **_: Any) -> None:
    """A change made in Safehub is learned when it is recorded: one time, not two a moment
    apart. Only a caller that backdates the history row (`_history_date`, the importer) gets
    a record time of its own beside Safehub's; it names the source's time in
    `_source_recorded_at`, and may give Safehub's own (`_learned_at`: one time for one import)."""
    if not hasattr(history_instance, "learned_at"):
        return
    if "_learned_at" in instance.__dict__:
        history_instance.learned_at = instance.__dict__["_learned_at"]
    elif "_history_date" not in instance.__dict__:
        history_instance.learned_at = history_instance.history_date
    history_instance.source_recorded_at = instance.__dict__.get("_source_recorded_at")


pre_create_historical_record.connect(
    _learned_when_recorded, dispatch_uid="safehub.audit.history.learned_when_recorded"
)
