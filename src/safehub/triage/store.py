"""Keeping due rows in step with the record: recomputed per child, in the saving transaction.

Every model a source is computed from is watched: saving or deleting one recomputes the rows of
the child it belongs to (a handful of queries), so the queue is never stale and no service has to
remember it. Bulk writes skip Django's signals: code that bulk-creates case records (the demo
loader, the history importer) calls `refresh` or `refresh_all` afterwards.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models, transaction
from django.db.models import OuterRef, Subquery
from django.db.models.signals import m2m_changed, post_delete, post_save

from safehub.episodes.models import Episode, RiskChange
from safehub.meetings.models import Meeting
from safehub.people.models import Child
from safehub.referrals.bulk import bulk_created
from safehub.referrals.models import Referral
from safehub.rules.codes import RiskLevel
from safehub.triage import sources
from safehub.triage.models import DueRow

BATCH = 2000


def _context(child_ids: list[int]) -> dict[int, tuple[str, int | None, int | None]]:
    """Each child's current risk level, allocated worker and the worker's agency."""
    latest = RiskChange.objects.filter(episode=OuterRef("pk"), withdrawn_at__isnull=True).order_by(
        "-effective_on", "-id"
    )
    rows = (
        Episode.objects.filter(
            child_id__in=child_ids, closed_on__isnull=True, withdrawn_at__isnull=True
        )
        .annotate(level=Subquery(latest.values("level")[:1]))
        .values_list("child_id", "level", "allocated_worker_id", "allocated_worker__agency_id")
    )
    return {child: (level or "", worker, agency) for child, level, worker, agency in rows}


def refresh(child_ids: Iterable[int]) -> int:
    """Recompute the due rows of these children from the record; the number of rows now."""
    ids = sorted({i for i in child_ids if i is not None})
    written = 0
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        with transaction.atomic():
            # One refresh of a child at a time: two transactions saving records of the same
            # child would otherwise both insert its rows. In id order, so never a deadlock.
            list(Child.objects.select_for_update().filter(pk__in=batch).order_by("pk").values("pk"))
            DueRow.objects.filter(child_id__in=batch).delete()
            children = Child.objects.filter(pk__in=batch)
            context = _context(batch)
            rows = []
            for s in sources.SOURCES.values():
                for item in s.compute(children):
                    level, worker, agency = context.get(item.child_id, ("", None, None))
                    rows.append(
                        DueRow(
                            kind=s.kind,
                            source_id=item.source_id,
                            child_id=item.child_id,
                            start=item.start,
                            due=item.due,
                            risk_level=level,
                            risk_rank=RiskLevel(level).rank if level else -1,
                            worker_id=worker,
                            worker_agency_id=agency,
                            link=item.link,
                        )
                    )
            DueRow.objects.bulk_create(rows, batch_size=BATCH)
            written += len(rows)
    return written


def refresh_all() -> int:
    """Recompute every child's due rows (after a bulk load, or to repair)."""
    DueRow.objects.all().delete()
    return refresh(Child.objects.values_list("pk", flat=True))


def _on_change(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    if kwargs.get("raw"):  # loading fixtures: the rows come with them
        return
    for child_of in sources.watched().get(sender, []):
        child_id = child_of(instance)
        if child_id is not None:
            refresh([child_id])
            return


def children_of(objects: Iterable[models.Model]) -> set[int]:
    """The children these records belong to, in two queries at most (for bulk writes)."""
    found: set[int] = set()
    referrals, episodes = set(), set()
    for obj in objects:
        if getattr(obj, "child_id", None) is not None:
            found.add(obj.child_id)  # type: ignore[attr-defined]
        elif getattr(obj, "referral_id", None) is not None:
            referrals.add(obj.referral_id)  # type: ignore[attr-defined]
        elif getattr(obj, "episode_id", None) is not None:
            episodes.add(obj.episode_id)  # type: ignore[attr-defined]
    if referrals:
        found.update(Referral.objects.filter(pk__in=referrals).values_list("child_id", flat=True))
    if episodes:
        found.update(Episode.objects.filter(pk__in=episodes).values_list("child_id", flat=True))
    return found


def _on_bulk(sender: type[models.Model], objects: Iterable[models.Model], **_: Any) -> None:
    if sender in sources.watched():
        refresh(children_of(objects))


def connect() -> None:
    """Watch every model a source is computed from (called once, from the app's ready())."""
    for model in sources.watched():
        uid = f"triage-{model._meta.label}"  # noqa: SLF001
        post_save.connect(_on_change, sender=model, dispatch_uid=uid + "-save")
        post_delete.connect(_on_change, sender=model, dispatch_uid=uid + "-delete")
    bulk_created.connect(_on_bulk, dispatch_uid="triage-bulk")
    # A meeting's children are linked after it is saved: a strategy-discussion meeting meets
    # the high-risk rule for each child it names, and an action is listed against its first.
    m2m_changed.connect(
        _on_meeting_children, sender=Meeting.children.through, dispatch_uid="triage-meeting"
    )


def _on_meeting_children(
    sender: type[models.Model], instance: models.Model, action: str, **kwargs: Any
) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        refresh(
            Meeting.children.through.objects.filter(meeting_id=instance.pk).values_list(
                "child_id", flat=True
            )
        )
