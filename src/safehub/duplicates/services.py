"""Changes to the duplicates queue: offering pairs, merging, dismissing, unmerging.

Hub managers decide; the matching engine (`safehub match dedupe`) only offers. A merge keeps
one child (the survivor, chosen by the manager) and leaves the other as a tombstone marked
merged into it; every row of the tombstone's, in every table and its history, is re-pointed
(`repoint`). An unmerge puts exactly those rows back.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Protocol

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from safehub.access.policy import OutOfScopeError, Principal, require, user_or_none
from safehub.audit import services as audit
from safehub.duplicates import repoint
from safehub.duplicates.models import DuplicatePair, Merge, PairStatus
from safehub.episodes.models import Episode
from safehub.people.models import Child
from safehub.people.queries import children_for
from safehub.people.services import refuse
from safehub.rules import plausibility


class Evidence(Protocol):
    @property
    def field(self) -> str: ...
    @property
    def outcome(self) -> str: ...
    @property
    def weight(self) -> float: ...


class Prediction(Protocol):
    """`safehub.matching.explain.PairPrediction`, as the matching engine hands it over."""

    @property
    def child_a(self) -> int: ...
    @property
    def child_b(self) -> int: ...
    @property
    def probability(self) -> float: ...
    @property
    def evidence(self) -> Sequence[Evidence]: ...


CHUNK = 500  # ids per query: well inside SQLite's limit on a statement's parameters


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _evidence(prediction: Prediction) -> list[dict[str, object]]:
    return [
        {"field": str(e.field), "outcome": str(e.outcome), "weight": round(float(e.weight), 3)}
        for e in prediction.evidence
    ]


@transaction.atomic
def offer_pairs(pairs: Iterable[Prediction], *, acting_user: Principal) -> int:
    """Queue likely duplicate pairs for review; returns how many were new.

    A pair already queued or decided (in either order) is not offered again, nor is one
    naming a record already merged away or no longer held. Each new pair is audited against
    both children.
    """
    require(acting_user, "duplicates:offer")
    wanted: dict[tuple[int, int], Prediction] = {}
    for p in pairs:
        a, b = sorted((int(p.child_a), int(p.child_b)))
        if a != b and ((a, b) not in wanted or p.probability > wanted[(a, b)].probability):
            wanted[(a, b)] = p  # the same pair twice in one run: the likelier
    if not wanted:
        return 0
    ids = sorted({pk for pair in wanted for pk in pair})
    live: set[int] = set()
    known: set[tuple[int, int]] = set()
    for chunk in _chunks(ids):
        live |= set(
            Child.objects.filter(pk__in=chunk, merged_into=None).values_list("pk", flat=True)
        )
        known |= set(
            DuplicatePair.objects.filter(child_a_id__in=chunk).values_list(
                "child_a_id", "child_b_id"
            )
        )
    now = timezone.now()
    new = [
        DuplicatePair(
            child_a_id=a,
            child_b_id=b,
            probability=float(p.probability),
            evidence=_evidence(p),
            offered_at=now,
        )
        for (a, b), p in sorted(wanted.items())
        if (a, b) not in known and a in live and b in live
    ]
    DuplicatePair.objects.bulk_create(new, batch_size=1000)
    audit.write_each(
        acting_user,
        "child:duplicate:offered",
        [Child(pk=pk) for pair in new for pk in (pair.child_a_id, pair.child_b_id)],
        context="offered: duplicates queue",
    )
    return len(new)


def _pair(acting_user: Principal, pair_id: int, *, status: str) -> DuplicatePair:
    """The pair, locked, if both children are in scope and it waits for this decision."""
    scope = children_for(acting_user, include_merged=True)
    pair = (
        DuplicatePair.objects.select_for_update()
        .filter(pk=pair_id, child_a__in=scope, child_b__in=scope)
        .first()
    )
    if pair is None:
        raise OutOfScopeError("duplicates.duplicatepair", str(pair_id))
    if pair.status != status:
        raise ValidationError(
            f"This pair has already been decided: {PairStatus(pair.status).label.lower()}"
        )
    return pair


def _decided(pair: DuplicatePair, status: str, acting_user: Principal, note: str = "") -> None:
    pair.status = status
    pair.decided_by = user_or_none(acting_user)
    pair.decided_at = timezone.now()
    pair.note = note
    pair.save(update_fields=["status", "decided_by", "decided_at", "note"])


@transaction.atomic
def dismiss(pair_id: int, *, note: str, acting_user: Principal) -> DuplicatePair:
    """Record that the two records are not the same child, with the manager's note."""
    require(acting_user, "duplicates:decide")
    note = note.strip()
    if not note:
        raise ValidationError({"note": "Enter why they are not the same child"})
    refuse(plausibility.text("note", note, label="The note"))
    pair = _pair(acting_user, pair_id, status=PairStatus.OPEN)
    _decided(pair, PairStatus.DISMISSED, acting_user, note)
    for child_id in (pair.child_a_id, pair.child_b_id):
        audit.write(acting_user, "child:duplicate:dismissed", pair, child_id=child_id)
    return pair


REASON_LENGTH = 500  # the audit trail's reason column


def _summary(merged_id: int, moves: repoint.Moves) -> str:
    """What moved, as the merged record's id, table names and counts (identifiers only, as the
    trail requires); history rows as one total. The merge row holds every id."""
    live = {label: n for label, n in moves.counts().items() if ".historical" not in label}
    history = sum(n for label, n in moves.counts().items() if ".historical" in label)
    parts = [f"{label.rsplit('.', 1)[0]} {n}" for label, n in sorted(live.items())]
    kept = sum(len(ids) for label, ids in moves.kept.items() if ".historical" not in label)
    text = f"from {merged_id}: {', '.join(parts) or 'nothing'}; history rows {history}"
    text += f"; kept with the merged record {kept}" if kept else ""
    return text if len(text) <= REASON_LENGTH else text[: REASON_LENGTH - 1] + "…"


@transaction.atomic
def merge(pair_id: int, *, survivor_id: int, acting_user: Principal) -> Merge:
    """The two records are one child: keep `survivor_id`, fold the other into it.

    Refused while both records have an open episode (a child has one at a time: the manager
    closes or withdraws one first), or when either record was merged away since the pair was
    offered.
    """
    require(acting_user, "duplicates:decide")
    pair = _pair(acting_user, pair_id, status=PairStatus.OPEN)
    ids = {pair.child_a_id, pair.child_b_id}
    if survivor_id not in ids:
        raise ValidationError({"survivor": "Choose which record to keep"})
    (merged_id,) = ids - {survivor_id}
    children = {c.pk: c for c in Child.objects.select_for_update().filter(pk__in=ids)}
    if any(c.merged_into_id is not None for c in children.values()):
        raise ValidationError("One of these records has already been merged into another")
    open_episodes = Episode.objects.filter(
        child_id__in=ids, closed_on__isnull=True, withdrawn_at__isnull=True
    )
    if open_episodes.count() > 1:
        raise ValidationError(
            "Both records have an open episode. Close or withdraw one of them, then merge."
        )
    try:
        with transaction.atomic():
            moves = repoint.move_all(merged_id, survivor_id)
            Child.objects.filter(pk=merged_id).update(merged_into=survivor_id)
    except IntegrityError as error:
        raise ValidationError(
            "These records hold something a child can have only once, in both of them. "
            "Correct one record, then merge."
        ) from error
    record = Merge.objects.create(
        pair=pair,
        survivor_id=survivor_id,
        merged_id=merged_id,
        merged_at=timezone.now(),
        merged_by=user_or_none(acting_user),
        moved=moves.moved,
        kept=moves.kept,
    )
    _decided(pair, PairStatus.MERGED, acting_user)
    audit.write(
        acting_user, "child:merged", record, child_id=survivor_id, reason=_summary(merged_id, moves)
    )
    audit.write(
        acting_user, "child:merged:into", record, child_id=merged_id, reason=str(survivor_id)
    )
    return record


@transaction.atomic
def unmerge(pair_id: int, *, acting_user: Principal) -> Merge:
    """Undo a merge: both children back exactly as they were, every moved row returned.

    Rows added to the survivor since the merge stay with the survivor. Refused when the
    survivor has since been merged into a third record: that merge is undone first.
    """
    require(acting_user, "duplicates:decide")
    pair = _pair(acting_user, pair_id, status=PairStatus.MERGED)
    record = Merge.objects.select_for_update().get(pair=pair, unmerged_at__isnull=True)
    survivor = Child.objects.select_for_update().get(pk=record.survivor_id)
    if survivor.merged_into_id is not None:
        raise ValidationError(
            "The record kept has since been merged into another. Undo that merge first."
        )
    repoint.move_back(record.moved, record.merged_id)
    Child.objects.filter(pk=record.merged_id).update(merged_into=None)
    record.unmerged_at = timezone.now()
    record.unmerged_by = user_or_none(acting_user)
    record.save(update_fields=["unmerged_at", "unmerged_by"])
    _decided(pair, PairStatus.UNMERGED, acting_user)
    for child_id in (record.survivor_id, record.merged_id):
        audit.write(acting_user, "child:unmerged", record, child_id=child_id)
    return record
