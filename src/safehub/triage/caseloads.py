"""Caseloads per worker for the hub manager's home page: counts only, no child named.

Open episodes by the child's current risk level, and the worker's open due items and how many
are overdue (from the triage queue's due rows), with the soft limit
(`SAFEHUB_CASELOAD_SOFT_LIMIT`) marked where exceeded.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone

from safehub.access.models import User
from safehub.access.policy import Principal, require
from safehub.episodes.allocation import workers
from safehub.episodes.models import Episode, RiskChange
from safehub.triage import sources
from safehub.triage.models import DueRow


@dataclass
class Caseload:
    worker: User
    by_level: dict[str, int] = field(default_factory=dict)
    due: int = 0
    overdue: int = 0
    limit: int = 0

    @property
    def open(self) -> int:
        return sum(self.by_level.values())

    @property
    def over_limit(self) -> bool:
        return self.open > self.limit

    def level(self, level: str) -> int:
        return self.by_level.get(level, 0)

    @property
    def high(self) -> int:
        return self.level("high")

    @property
    def medium(self) -> int:
        return self.level("medium")

    @property
    def low(self) -> int:
        return self.level("low") + self.level("none") + self.level("")


def caseloads(user: Principal, *, now: dt.datetime | None = None) -> list[Caseload]:
    """Every hub worker's caseload, busiest first."""
    require(user, "episode:allocate")
    now = now or timezone.now()
    limit = settings.SAFEHUB_CASELOAD_SOFT_LIMIT
    loads = {w.pk: Caseload(worker=w, limit=limit) for w in workers()}
    latest = RiskChange.objects.filter(episode=OuterRef("pk"), withdrawn_at__isnull=True).order_by(
        "-effective_on", "-id"
    )
    episodes = (
        Episode.objects.filter(
            closed_on__isnull=True, withdrawn_at__isnull=True, allocated_worker__isnull=False
        )
        .annotate(level=Subquery(latest.values("level")[:1]))
        .values("allocated_worker_id", "level")
        .annotate(n=Count("id"))
    )
    for row in episodes:
        load = loads.get(row["allocated_worker_id"])
        if load is not None:
            load.by_level[row["level"] or ""] = row["n"]
    due = (
        DueRow.objects.filter(worker__isnull=False)
        .filter(sources.windowed(now))
        .values("worker_id")
        .annotate(n_due=Count("id"), n_overdue=Count("id", filter=Q(due__lt=now)))
    )
    for row in due:
        load = loads.get(row["worker_id"])
        if load is not None:
            load.due, load.overdue = row["n_due"], row["n_overdue"]
    return sorted(
        loads.values(), key=lambda c: (-c.open, -c.overdue, c.worker.get_full_name(), c.worker.pk)
    )
