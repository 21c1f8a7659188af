"""Periodic checks: registered with `@periodic`, queued when due, run by the task worker.

A check is `func(now) -> int` (how many things it acted on). It must be idempotent: the
scheduler queues it once per period, but a check may still run twice (a retry, `safehub checks
run` on demand while the worker runs it too), so whatever it does must be keyed (notifications
are unique per recipient and key). The modules that hold checks are listed in the
SAFEHUB_CHECK_MODULES setting and imported by `load()`.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from safehub.audit import services as audit
from safehub.notifications.models import ScheduledCheck

CheckFunction = Callable[[dt.datetime], int]
F = TypeVar("F", bound=CheckFunction)


@dataclass(frozen=True)
class Check:
    name: str
    every: dt.timedelta
    func: CheckFunction


REGISTRY: dict[str, Check] = {}


def periodic(name: str, *, every: dt.timedelta) -> Callable[[F], F]:
    """Register `func(now: datetime) -> int` as a scheduled check run every `every` by the task
    runner while the service runs (and by `safehub checks run [NAME]` on demand)."""
    if every <= dt.timedelta(0):
        raise ValueError(f"check {name!r}: `every` must be positive")

    def register(func: F) -> F:
        existing = REGISTRY.get(name)
        if existing is not None and existing.func.__qualname__ != func.__qualname__:
            raise ValueError(f"two checks are named {name!r}")
        REGISTRY[name] = Check(name, every, func)
        return func

    return register


def load() -> dict[str, Check]:
    """The checks of the modules in SAFEHUB_CHECK_MODULES (imported here, which registers
    them); a check registered by a module no longer listed is left out."""
    modules = tuple(settings.SAFEHUB_CHECK_MODULES)
    for module in modules:
        importlib.import_module(module)
    return {
        name: check
        for name, check in REGISTRY.items()
        if any(
            check.func.__module__ == m or check.func.__module__.startswith(m + ".") for m in modules
        )
    }


def get(name: str) -> Check:
    checks = load()
    if name not in checks:
        known = ", ".join(sorted(checks)) or "none"
        raise KeyError(f"no check named {name!r} (registered: {known})")
    return checks[name]


def run(name: str, now: dt.datetime | None = None) -> int:
    """Run one check now, in its own transaction, and record when and with what result."""
    check = get(name)
    now = now or timezone.now()
    with transaction.atomic():
        result = check.func(now)
        state, _ = ScheduledCheck.objects.get_or_create(name=name)
        state.last_run_at = now
        state.last_result = result
        state.save(update_fields=["last_run_at", "last_result"])
        audit.write(
            None, "check:ran", object_type="check", object_id=name, reason=f"result {result}"
        )
    return result


def enqueue_due(now: dt.datetime | None = None) -> list[str]:
    """Queue every check whose period has passed since it was last queued; returns their names.

    The check's row is locked while deciding (SELECT … FOR UPDATE on PostgreSQL; SQLite takes
    the write lock), and the task row is inserted in the same transaction as the new
    "last queued" time: two schedulers cannot both queue it, and a restart neither loses a
    queued run (the task is a row) nor queues it again early (the time is a row).
    """
    from safehub.notifications.tasks import run_check  # noqa: PLC0415 - tasks import us

    now = now or timezone.now()
    queued = []
    for name, check in sorted(load().items()):
        ScheduledCheck.objects.get_or_create(name=name)
        with transaction.atomic():
            state = ScheduledCheck.objects.select_for_update().get(name=name)
            if state.last_enqueued_at is not None and state.last_enqueued_at + check.every > now:
                continue
            state.last_enqueued_at = now
            state.save(update_fields=["last_enqueued_at"])
            run_check.enqueue(name)
            queued.append(name)
    return queued
