"""Putting mistakes right the way case systems do: nothing entered is ever deleted.

A row entered in error is *withdrawn*: it keeps its values, and carries who withdrew it, when
and why. Queries for current work and the snapshot behind every figure leave withdrawn rows
out; the history tables keep the row as it stood before, so a record "as known on" an earlier
day still shows what was recorded then.

Edits are guarded by a `version` counter (optimistic locking): a form carries the version it
was drawn from, and a save made from an out-of-date form is refused, naming what changed, so
one person's save cannot silently undo another's.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from safehub.access.policy import Principal, user_or_none

M = TypeVar("M", bound=models.Model)


class Correctable(models.Model):
    """An edit counter and the marks of a withdrawal (entered in error)."""

    version = models.PositiveIntegerField(
        default=1, help_text="Raised by every save: an edit made from an older version is refused"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawal_reason = models.TextField(blank=True)

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Every save of an existing row is a new version, whoever makes it."""
        if not self._state.adding:
            self.version += 1
        super().save(*args, **kwargs)

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    def withdrawn_by_end_of(self, on: dt.date) -> bool:
        """Whether the withdrawal had been recorded by the end of `on` (UK time)."""
        return self.withdrawn_at is not None and timezone.localdate(self.withdrawn_at) <= on


class StaleEditError(ValidationError):
    """The form was drawn from an older version of the row than the one saved now."""

    def __init__(self, message: dict[str, str], *, current_version: int) -> None:
        super().__init__(message)
        self.current_version = current_version


def lock(model: type[M], pk: int) -> M:
    """The row, re-read under a row lock (`SELECT … FOR UPDATE`) until the transaction ends.

    State changes lock first and check after, so of several simultaneous attempts exactly one
    sees the old state. SQLite ignores FOR UPDATE but runs one writer at a time.
    """
    return model._default_manager.select_for_update().get(pk=pk)  # noqa: SLF001


def check_version(
    current: Correctable,
    expected: int | None,
    *,
    labels: dict[str, str],
    field: str | None = None,
) -> None:
    """Refuse a save from a form drawn from an older version, saying what changed since.

    `expected` None means the caller does not use versions (a command or an import acting
    on the latest row). `labels` names the fields a person would recognise.
    """
    if expected is None or expected == current.version:
        return
    changed = _changed_since(current, expected, labels)
    detail = f" ({'; '.join(changed)})" if changed else ""
    raise StaleEditError(
        {
            field or "__all__": (
                "Someone else saved a change to this record after you opened this page"
                f"{detail}. Your changes have not been saved: check the record and try again"
            )
        },
        current_version=current.version,
    )


def _changed_since(current: Correctable, expected: int, labels: dict[str, str]) -> list[str]:
    history: Any = current.history  # type: ignore[attr-defined]
    then = history.filter(version=expected).order_by("-history_date").first()
    if then is None:
        return []
    changed = []
    for name, label in labels.items():
        before, after = getattr(then, name), getattr(current, name)
        if before != after:
            changed.append(f"{label}: {_shown(before)} is now {_shown(after)}")
    return changed


def _shown(value: object) -> str:
    if value is None or value == "":
        return "not recorded"
    if isinstance(value, dt.datetime):
        return f"{timezone.localtime(value):%-d %B %Y %H:%M}"
    if isinstance(value, dt.date):
        return f"{value:%-d %B %Y}"
    return str(value)


def mark_withdrawn(row: Correctable, *, reason: str, acting_user: Principal) -> None:
    """Mark the row entered in error; the caller saves it (with history) and audits."""
    if row.withdrawn_at is not None:
        raise ValidationError({"reason": "This has already been withdrawn"})
    if not reason.strip():
        raise ValidationError({"reason": "Enter why it is being withdrawn"})
    row.withdrawn_at = timezone.now()
    row.withdrawn_by = user_or_none(acting_user)
    row.withdrawal_reason = reason.strip()
