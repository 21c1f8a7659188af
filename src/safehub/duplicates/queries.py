"""Scoped, audited reads of the duplicates queue (hub managers)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

from safehub.access.policy import OutOfScopeError, Principal, require
from safehub.audit import services as audit
from safehub.duplicates.models import DuplicatePair, Merge, PairStatus
from safehub.episodes.models import Episode
from safehub.people.models import AddressPeriod, Child
from safehub.people.queries import children_for
from safehub.referrals.models import Referral

PAGE_SIZE = 10
DECIDED_LIMIT = 20

STRONG = 4.0  # a Bayes factor of 16 either way
NEUTRAL = 0.05


def weight_in_words(weight: float) -> str:
    """How much a field counted, as a practitioner would say it."""
    if weight >= STRONG:
        return "counted strongly for the same child"
    if weight > NEUTRAL:
        return "counted for the same child"
    if weight <= -STRONG:
        return "counted strongly against"
    if weight < -NEUTRAL:
        return "counted against"
    return "made no difference"


@dataclass(frozen=True)
class EvidenceLine:
    field: str
    outcome: str
    weight: float

    @property
    def counted(self) -> str:
        return weight_in_words(self.weight)


@dataclass(frozen=True)
class Held:
    """What each record holds, beside its identity, to help tell the two apart."""

    postcode: str
    referrals: int
    episodes: int


@dataclass(frozen=True)
class PairView:
    pair: DuplicatePair
    child_a: Child
    child_b: Child
    evidence: list[EvidenceLine]
    merge: Merge | None
    held_a: Held
    held_b: Held

    @property
    def percent(self) -> str:
        return f"{self.pair.probability * 100:.1f}%"


def _pairs(user: Principal) -> QuerySet[DuplicatePair]:
    require(user, "duplicates:review")
    scope = children_for(user, include_merged=True)
    return DuplicatePair.objects.filter(child_a__in=scope, child_b__in=scope).select_related(
        "child_a", "child_b", "decided_by"
    )


def _view(pair: DuplicatePair, merge: Merge | None = None) -> PairView:
    lines = [
        EvidenceLine(str(e.get("field", "")), str(e.get("outcome", "")), float(e.get("weight", 0)))
        for e in pair.evidence
        if isinstance(e, dict)
    ]
    return PairView(
        pair, pair.child_a, pair.child_b, lines, merge, _held(pair.child_a), _held(pair.child_b)
    )


def _held(child: Child) -> Held:
    latest = (
        AddressPeriod.objects.filter(child=child, withdrawn_at__isnull=True)
        .order_by("-valid_from", "-pk")
        .values_list("postcode", flat=True)
        .first()
    )
    return Held(
        postcode=latest or "",
        referrals=Referral.objects.filter(child=child, withdrawn_at__isnull=True).count(),
        episodes=Episode.objects.filter(child=child, withdrawn_at__isnull=True).count(),
    )


def _audited(user: Principal, views: list[PairView], context: str) -> None:
    """Every child shown, both of each pair, one event each in the request's transaction."""
    audit.write_each(
        user,
        "child:listed",
        [child for v in views for child in (v.child_a, v.child_b)],
        context=context,
    )


def queue(
    user: Principal, page_number: int | str | None = 1
) -> tuple[Page[DuplicatePair], list[PairView]]:
    """The pairs waiting for review, most likely first, one page at a time; audited."""
    waiting = (
        _pairs(user)
        .filter(
            status=PairStatus.OPEN,
            child_a__merged_into__isnull=True,
            child_b__merged_into__isnull=True,
        )
        .order_by("-probability", "pk")
    )
    page = Paginator(waiting, PAGE_SIZE).get_page(page_number)
    views = [_view(p) for p in page.object_list]
    _audited(user, views, "listed: duplicates queue")
    return page, views


def decided(user: Principal) -> list[PairView]:
    """The latest decisions, for a manager to check or undo; audited."""
    pairs = list(
        _pairs(user).exclude(status=PairStatus.OPEN).order_by("-decided_at", "-pk")[:DECIDED_LIMIT]
    )
    merges = _current_merges([p.pk for p in pairs])
    views = [_view(p, merges.get(p.pk)) for p in pairs]
    _audited(user, views, "listed: duplicates decided")
    return views


def _current_merges(pair_ids: list[int]) -> dict[int, Merge]:
    found: dict[int, Merge] = {}
    for merge in Merge.objects.filter(pair_id__in=pair_ids).order_by("merged_at"):
        found[merge.pair_id] = merge
    return found


def get_pair(user: Principal, pair_id: int) -> PairView:
    """One pair, side by side: audited as a read of both children."""
    pair = _pairs(user).filter(pk=pair_id).first()
    if pair is None:
        raise OutOfScopeError("duplicates.duplicatepair", str(pair_id))
    view = _view(pair, _current_merges([pair.pk]).get(pair.pk))
    for child in (view.child_a, view.child_b):
        audit.write(user, "child:duplicate:viewed", pair, child_id=child.pk)
    return view
