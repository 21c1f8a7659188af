"""Allocating open episodes to a worker and a lead agency, one or many at once, with history.

A hub manager allocates; each allocation ends the episode's previous one (its `ended_at`), so
`Allocation` rows say who held the child when. An episode opens unallocated and waits in the
unallocated queue (`unallocated`) until a manager allocates it.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from safehub.access.models import Agency, User
from safehub.access.policy import HUB_ROLES, Principal, require, user_or_none
from safehub.audit import services as audit
from safehub.episodes.models import Allocation, Episode
from safehub.people.corrections import lock
from safehub.people.queries import children_with_section
from safehub.people.services import save_with_history

LIST_LIMIT = 200


def workers() -> QuerySet[User]:
    """The accounts an episode can be allocated to: active hub staff."""
    return User.objects.filter(is_active=True, role__in=HUB_ROLES).order_by(
        "last_name", "first_name", "username"
    )


@transaction.atomic
def allocate(
    episodes: Sequence[Episode],
    *,
    worker: User | None,
    lead_agency: Agency | None,
    reason: str,
    acting_user: Principal,
) -> list[Allocation]:
    """Allocate each open episode to `worker` for `lead_agency`; all or none.

    An episode already held by the same worker for the same agency is left as it is (no new
    history row). Returns the allocations made.
    """
    require(acting_user, "episode:allocate")
    errors: dict[str, str] = {}
    if not episodes:
        errors["episodes"] = "Choose at least one child to allocate"
    if worker is None or not workers().filter(pk=worker.pk).exists():
        errors["worker"] = "Choose the worker to allocate to"
    if lead_agency is None:
        errors["lead_agency"] = "Choose the lead agency"
    if not reason.strip():
        errors["reason"] = "Give the reason for the allocation"
    if errors:
        raise ValidationError(errors)
    assert worker is not None  # noqa: S101 - checked above
    assert lead_agency is not None  # noqa: S101 - checked above
    now = timezone.now()
    made = []
    for given in sorted(episodes, key=lambda e: e.pk):
        episode = lock(Episode, given.pk)
        if episode.closed_on is not None or episode.withdrawn:
            raise ValidationError({"episodes": "Only open episodes can be allocated"})
        if episode.allocated_worker_id == worker.pk and episode.lead_agency_id == lead_agency.pk:
            continue
        Allocation.objects.filter(episode=episode, ended_at__isnull=True).update(ended_at=now)
        allocation = Allocation.objects.create(
            episode=episode,
            worker=worker,
            lead_agency=lead_agency,
            reason=reason.strip(),
            started_at=now,
            allocated_by=user_or_none(acting_user),
        )
        episode.allocated_worker = worker
        episode.lead_agency = lead_agency
        save_with_history(episode, acting_user)
        audit.write(acting_user, "episode:allocated", episode)
        made.append(allocation)
    return made


def open_episodes(user: Principal, *, unallocated_only: bool = True) -> list[Episode]:
    """Open episodes in the caller's scope, unallocated ones only by default; audited."""
    require(user, "episode:allocate")
    found = Episode.objects.filter(
        child__in=children_with_section(user, "risk"),
        closed_on__isnull=True,
        withdrawn_at__isnull=True,
    )
    if unallocated_only:
        found = found.filter(allocated_worker__isnull=True)
    episodes = list(
        found.select_related("child", "allocated_worker", "lead_agency").order_by(
            "opened_on", "pk"
        )[:LIST_LIMIT]
    )
    audit.write_each(
        user, "child:listed", [e.child for e in episodes], context="listed: allocation"
    )
    return episodes


def _allocated(user: Principal) -> QuerySet[Episode]:
    account = user_or_none(user)
    if account is None:
        return Episode.objects.none()
    return Episode.objects.filter(
        allocated_worker=account,
        child__in=children_with_section(user, "risk"),
        closed_on__isnull=True,
        withdrawn_at__isnull=True,
    )


def allocated_to(user: Principal, *, start: int = 0, limit: int = LIST_LIMIT) -> list[Episode]:
    """The caller's open episodes, oldest first, `limit` of them from `start`; audited."""
    episodes = list(
        _allocated(user)
        .select_related("child", "lead_agency")
        .order_by("opened_on", "pk")[start : start + limit]
    )
    audit.write_each(
        user, "child:listed", [e.child for e in episodes], context="listed: my children"
    )
    return episodes


def count_allocated_to(user: Principal) -> int:
    """How many open episodes the caller holds (a count: no child is read)."""
    return _allocated(user).count()


def history(episode: Episode) -> QuerySet[Allocation]:
    """Who held the episode when, newest first (the caller has read the episode already)."""
    return episode.allocations.select_related("worker", "lead_agency", "allocated_by").order_by(
        "-started_at", "-id"
    )
