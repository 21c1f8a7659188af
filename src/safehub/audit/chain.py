"""The keyed chain over the audit trail, sealed after commit, checked against checkpoints.

What it defends against. Triggers and database grants stop casual changes; this module catches
the rest: someone with the database owner's rights who drops the triggers and edits, deletes or
empties the audit tables. Every event gets a seal (`AuditSeal`): its position in the chain, the
previous seal's hash, and HMAC-SHA256, keyed with `SAFEHUB_AUDIT_KEY`, over the position, that
previous hash and the event's columns. The key is never in the database, so without it nobody
can recompute the chain after an edit (an unkeyed SHA-256 chain, as this was, can simply be
recomputed). Deleting the newest events leaves a shorter chain that is still consistent, so the
head (position + hash) is also written, signed, to an append-only file outside the database
(`safehub.audit.checkpoints`): `verify` fails when the chain no longer reaches, or no longer
matches, a checkpoint. Only events after the newest checkpoint can disappear unnoticed; the
schedule (`SAFEHUB_AUDIT_CHECKPOINT_MINUTES`) bounds that window.

Why sealing happens after commit. Linking an event to its predecessor inside the request's own
transaction needs one global lock held until that transaction commits, which serialised every
audited request. Instead `audit.services.write` inserts the bare event in the request's
transaction (it commits or rolls back with the action) and registers `seal` to run on commit;
`seal` runs in its own short transaction and holds the chain's lock only while it links.
Each process does so at most once in `AUDIT_SEAL_SECONDS`; the task runner seals the rest.
Nothing per row is needed at insert time, so bulk inserts work unchanged.

Why the chain is in commit order, not id order. On PostgreSQL ids come from a sequence when a
row is inserted, not when it commits: a long request can commit event 100 after event 101 has
been committed and sealed. Sealing "only below the smallest in-flight id" would need every
writer to announce its ids. Instead positions are given in the order the sealer *sees* events
commit: each pass seals every committed, unsealed event (lowest id first) after the current
head, so a late committer simply gets a later position, and the chain is complete without
knowing what is in flight. To find unsealed events without scanning the whole table, each event
row carries the id of the transaction that inserted it (`xid`, a column the database fills;
migration 0004) and each seal records the pass's horizon, the oldest transaction still running
when it started: every event from an older transaction was visible to that pass and sealed, so
the next pass looks only at `xid >= horizon`. On SQLite writers hold the database's write lock
from their first statement to commit, so ids are already in commit order and the next pass
looks only above the highest sealed id.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from safehub.audit import bulk, checkpoints
from safehub.audit.models import AuditEvent, AuditSeal

GENESIS = "0" * 64
_LOCK_ID = 727_274_001  # an arbitrary constant naming "the audit chain" for advisory locks
_CHUNK = 5000


def audit_key() -> bytes:
    key: str = settings.AUDIT_KEY
    if not key:
        raise ImproperlyConfigured("SAFEHUB_AUDIT_KEY is not set (docs/audit.md).")
    return key.encode()


# What a seal covers: the event's id and columns, in this order.
CONTENT = (
    "id",
    "occurred_at",
    "actor_id",
    "actor_role",
    "actor_agency_id",
    "channel",
    "action",
    "object_type",
    "object_id",
    "outcome",
    "reason",
    "child_id",
    "request_id",
    "ip_address",
)


def _content_of(values: Sequence[Any]) -> str:
    listed = list(values)
    listed[1] = listed[1].isoformat(timespec="microseconds")
    return json.dumps(listed, separators=(",", ":"), default=str)


def content(event: AuditEvent) -> str:
    """The event's id and columns in a fixed order and format: what its seal covers."""
    return _content_of([getattr(event, name) for name in CONTENT])


def _digest_of(key: bytes, position: int, previous_hash: str, values: Sequence[Any]) -> str:
    message = f"{position}|{previous_hash}|{_content_of(values)}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def digest(key: bytes, position: int, previous_hash: str, event: AuditEvent) -> str:
    return _digest_of(key, position, previous_hash, [getattr(event, name) for name in CONTENT])


def _contents(ids: Sequence[int]) -> dict[int, tuple[Any, ...]]:
    """The sealed columns of these events (`CONTENT` order) by id: tuples, not models."""
    rows = AuditEvent.objects.filter(id__in=ids).order_by().values_list(*CONTENT)
    return {row[0]: row for row in rows}


# Sealing ---------------------------------------------------------------------------------------


def _horizon() -> int | None:
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_snapshot_xmin(pg_current_snapshot())::text")
        return int(cursor.fetchone()[0])


def _unsealed_ids(last: AuditSeal | None) -> list[int]:
    """Committed events with no seal yet, lowest id first (see the module docstring)."""
    if connection.vendor == "postgresql":
        since = last.horizon if last is not None else None
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT e.id FROM audit_auditevent e WHERE (%s::bigint IS NULL OR "
                "e.xid >= %s::text::xid8) AND NOT EXISTS "
                "(SELECT 1 FROM audit_auditseal s WHERE s.event_id = e.id) ORDER BY e.id",
                [since, since],
            )
            return [row[0] for row in cursor.fetchall()]
    highest = AuditSeal.objects.aggregate(highest=Max("event_id"))["highest"] or 0
    return list(
        AuditEvent.objects.filter(id__gt=highest).order_by("id").values_list("id", flat=True)
    )


def seal() -> int:
    """Give every committed, unsealed event its place in the chain; how many were sealed."""
    key = audit_key()
    sealed = 0
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_ID])
        last = AuditSeal.objects.order_by("-position").first()
        horizon = _horizon()  # before the events are read: see the module docstring
        ids = _unsealed_ids(last)
        position, previous = (last.position, last.hash) if last else (0, GENESIS)
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            events = _contents(chunk)
            seals = []
            for event_id in chunk:
                position += 1
                hashed = _digest_of(key, position, previous, events[event_id])
                seals.append((position, event_id, previous, hashed, horizon))
                previous = hashed
            _insert_seals(seals)
            sealed += len(seals)
    return sealed


def _insert_seals(seals: list[tuple[int, int, str, str, int | None]]) -> None:
    now = AuditSeal._meta.get_field("sealed_at").get_db_prep_save(timezone.now(), connection)  # noqa: SLF001
    bulk.insert_rows(
        AuditSeal._meta.db_table,  # noqa: SLF001
        ("position", "event_id", "previous_hash", "hash", "horizon", "sealed_at"),
        ((*row, now) for row in seals),
    )


def seal_and_checkpoint() -> int:
    """Seal, then write a checkpoint when the schedule wants one; how many were sealed."""
    sealed = seal()
    if sealed and checkpoints.due(settings.AUDIT_CHECKPOINT_FILE):
        position, newest = head(seal_first=False)
        checkpoints.append(settings.AUDIT_CHECKPOINT_FILE, audit_key(), position, newest)
    return sealed


# When this process last sealed after a commit (time.monotonic()).
_sealed_at = float("-inf")


def _seal_after_commit() -> None:
    """Seal unless this process sealed less than `AUDIT_SEAL_SECONDS` ago.

    A sealing is a transaction of its own (about eight statements): after every commit it was
    a large part of each audited request's cost. Throttled, a busy server seals a second's
    worth of events at a time; what a skipped sealing leaves is linked by the next sealing in
    any process, or by the task runner's sealer (`seal_pass`) within the same interval.
    """
    global _sealed_at  # noqa: PLW0603 - one clock per process
    now = time.monotonic()
    if now - _sealed_at < settings.AUDIT_SEAL_SECONDS:
        return
    _sealed_at = now
    seal_and_checkpoint()


def seal_on_commit() -> None:
    """Seal the events written in this transaction once it commits (once per transaction).

    Errors are logged, not raised: the action and its event have committed by then, and the
    next seal (the next audited commit, `safehub audit seal`, or `verify`) links them.
    """
    current = set(connection.savepoint_ids)
    # Django keeps (savepoint ids, callback, robust) per registration; one made at this level
    # or an outer one runs whenever this transaction's work commits.
    pending: list[tuple[set[str], object, bool]] = connection.run_on_commit  # type: ignore[assignment]
    if connection.in_atomic_block and any(
        func is _seal_after_commit and savepoints <= current for savepoints, func, _ in pending
    ):
        return
    transaction.on_commit(_seal_after_commit, robust=True)


# Reading ---------------------------------------------------------------------------------------


def head(*, seal_first: bool = True) -> tuple[int, str]:
    """The chain's length and newest hash, after sealing what has committed."""
    if seal_first:
        seal()
    last = AuditSeal.objects.order_by("-position").values_list("position", "hash").first()
    return last if last is not None else (0, GENESIS)


def checkpoint() -> checkpoints.Checkpoint:
    """Seal, then append the signed head to the checkpoint file (`safehub audit checkpoint`)."""
    position, newest = head()
    return checkpoints.append(settings.AUDIT_CHECKPOINT_FILE, audit_key(), position, newest)


@dataclass(frozen=True)
class Break:
    problem: str
    event_id: int | None = None
    position: int | None = None

    def __str__(self) -> str:
        if self.event_id is None:
            return self.problem
        return f"audit event {self.event_id} (position {self.position}): {self.problem}"


@dataclass(frozen=True)
class Verification:
    events: int
    checkpoints: int
    broken: Break | None

    @property
    def ok(self) -> bool:
        return self.broken is None


_Row = tuple[int, int, str, str]  # position, event id, previous hash, hash


def _seals() -> Iterator[_Row]:
    after = 0
    while True:
        chunk = list(
            AuditSeal.objects.filter(position__gt=after)
            .order_by("position")
            .values_list("position", "event_id", "previous_hash", "hash")[:_CHUNK]
        )
        if not chunk:
            return
        yield from chunk
        after = chunk[-1][0]


def _problem(
    key: bytes, row: _Row, expected: int, previous: str, event: Sequence[Any] | None
) -> str:
    """What is wrong with one seal, or "" when it holds."""
    position, _, previous_hash, hashed = row
    if position != expected:
        return f"position {expected} is missing: a seal was deleted"
    if previous_hash != previous:
        return "its link does not match the event before it (one was changed or deleted)"
    if event is None:
        return "the event was deleted"
    if not hmac.compare_digest(_digest_of(key, position, previous, event), hashed):
        return (
            "its content does not match its keyed hash (it was changed, or the chain was "
            "recomputed without the audit key)"
        )
    return ""


def _walk(key: bytes, wanted: set[int]) -> tuple[int, dict[int, str], Break | None]:
    """Check every seal in order; the chain's length, the hashes at `wanted`, the first break."""
    previous, expected = GENESIS, 1
    at: dict[int, str] = {}
    rows = _seals()
    while True:
        batch = list(itertools.islice(rows, _CHUNK))
        if not batch:
            return expected - 1, at, None
        events = _contents([row[1] for row in batch])
        for row in batch:
            if problem := _problem(key, row, expected, previous, events.get(row[1])):
                return expected - 1, at, Break(problem, row[1], row[0])
            if row[0] in wanted:
                at[row[0]] = row[3]
            previous, expected = row[3], expected + 1


def _orphans() -> int:
    """Events the last pass saw but that have no seal: their seal was deleted."""
    last = AuditSeal.objects.order_by("-position").first()
    if last is None:
        return 0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM audit_auditevent e WHERE e.xid < %s::text::xid8 AND NOT "
                "EXISTS (SELECT 1 FROM audit_auditseal s WHERE s.event_id = e.id)",
                [last.horizon],
            )
            return int(cursor.fetchone()[0])
    highest = AuditSeal.objects.aggregate(highest=Max("event_id"))["highest"]
    return AuditEvent.objects.filter(id__lt=highest, seal__isnull=True).count()


def verify() -> Verification:
    """Seal what has committed, walk the whole chain, then hold it against every checkpoint."""
    key = audit_key()
    seal()
    try:
        recorded = checkpoints.read(settings.AUDIT_CHECKPOINT_FILE, key)
    except checkpoints.CheckpointError as error:
        return Verification(0, 0, Break(str(error)))
    count, at, broken = _walk(key, {c.position for c in recorded})
    if broken is None and (orphans := _orphans()):
        broken = Break(f"{orphans} events have lost their place in the chain (seals deleted)")
    for mark in recorded:
        if broken is not None:
            break
        if mark.position > count:
            broken = Break(
                f"the checkpoint written {mark.written_at} recorded {mark.position} events but "
                f"the chain now has {count}: events were deleted from its end, or the trail "
                "was emptied"
            )
        elif mark.position and at[mark.position] != mark.hash:
            broken = Break(
                f"the chain at position {mark.position} differs from the checkpoint written "
                f"{mark.written_at}: the trail was rewritten"
            )
    return Verification(count, len(recorded), broken)
