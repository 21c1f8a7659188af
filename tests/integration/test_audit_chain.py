"""The audit trail's keyed chain: edits, rehashes, tail deletion and emptying are all found."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from safehub.audit import chain, guards
from safehub.audit import services as audit
from safehub.audit.models import AuditEvent, AuditSeal
from safehub.notifications.management.commands.tasks import seal_pass


def _trail(n: int) -> list[AuditEvent]:
    events = [
        audit.write(None, "test:event", object_type="thing", object_id=str(i)) for i in range(n)
    ]
    chain.seal()  # what the commit of a real request does
    return events


def _as_database_owner(sql: str, params: list[object] | None = None) -> None:
    """What an attacker with the database owner's rights could do: lift the triggers and edit."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")  # triggers off
        else:
            guards.lift(connection)
        cursor.execute(sql, params or [])


def _rechain(start: int, hasher: Any) -> None:
    """Recompute every seal from `start` on, as the attacker can: without our key."""
    previous = AuditSeal.objects.get(position=start - 1).hash if start > 1 else chain.GENESIS
    for seal in AuditSeal.objects.filter(position__gte=start).order_by("position"):
        event = AuditEvent.objects.get(pk=seal.event_id)
        hashed = hasher(seal.position, previous, event)
        _as_database_owner(
            "UPDATE audit_auditseal SET previous_hash = %s, hash = %s WHERE position = %s",
            [previous, hashed, seal.position],
        )
        previous = hashed


def _unkeyed(position: int, previous: str, event: AuditEvent) -> str:
    return hashlib.sha256(f"{position}|{previous}|{chain.content(event)}".encode()).hexdigest()


def _wrong_key(position: int, previous: str, event: AuditEvent) -> str:
    return chain.digest(b"a key the attacker made up, not ours", position, previous, event)


def _verify_fails(capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as exited:
        call_command("audit", "verify")
    assert exited.value.code == 1
    return capsys.readouterr().err


def test_an_untouched_trail_verifies_against_its_checkpoint(
    capsys: pytest.CaptureFixture[str],
) -> None:
    events = _trail(5)
    seals = list(AuditSeal.objects.order_by("position"))
    assert [s.event_id for s in seals] == [e.pk for e in events]
    assert [s.position for s in seals] == [1, 2, 3, 4, 5]
    assert seals[0].previous_hash == chain.GENESIS
    assert [s.previous_hash for s in seals[1:]] == [s.hash for s in seals[:-1]]
    call_command("audit", "checkpoint")
    _trail(2)
    call_command("audit", "verify")
    out = capsys.readouterr().out
    assert "Audit trail intact: 7 events, every link holds; agrees with all 1 checkpoints" in out


def test_the_chain_is_keyed() -> None:
    events = _trail(1)
    seal = AuditSeal.objects.get()
    expected = hmac.new(
        settings.AUDIT_KEY.encode(),
        f"1|{chain.GENESIS}|{chain.content(events[0])}".encode(),
        hashlib.sha256,
    ).hexdigest()
    assert seal.hash == expected


def test_editing_one_event_is_found_and_named(capsys: pytest.CaptureFixture[str]) -> None:
    events = _trail(5)
    _as_database_owner(
        "UPDATE audit_auditevent SET outcome = %s WHERE id = %s", ["failure", events[2].pk]
    )
    result = chain.verify()
    assert result.broken is not None
    assert (result.broken.event_id, result.broken.position) == (events[2].pk, 3)
    assert "it was changed" in result.broken.problem
    assert f"audit event {events[2].pk} (position 3)" in _verify_fails(capsys)


@pytest.mark.parametrize("hasher", [_unkeyed, _wrong_key], ids=["unkeyed-sha256", "wrong-key"])
def test_an_edit_with_every_later_hash_recomputed_is_found(
    hasher: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    events = _trail(8)
    _as_database_owner(
        "UPDATE audit_auditevent SET outcome = %s WHERE id = %s", ["failure", events[3].pk]
    )
    _rechain(4, hasher)
    err = _verify_fails(capsys)
    assert f"audit event {events[3].pk} (position 4)" in err
    assert "recomputed without the audit key" in err


def test_a_full_rehash_without_the_key_is_found_at_the_first_event(
    capsys: pytest.CaptureFixture[str],
) -> None:
    events = _trail(4)
    _rechain(1, _unkeyed)
    assert f"audit event {events[0].pk} (position 1)" in _verify_fails(capsys)


def test_deleting_one_event_from_the_middle_is_found(capsys: pytest.CaptureFixture[str]) -> None:
    events = _trail(5)
    _as_database_owner("DELETE FROM audit_auditevent WHERE id = %s", [events[1].pk])
    assert "the event was deleted" in _verify_fails(capsys)
    _as_database_owner("DELETE FROM audit_auditseal WHERE event_id = %s", [events[1].pk])
    assert "position 2 is missing" in _verify_fails(capsys)


def test_deleting_the_newest_50_events_is_found(capsys: pytest.CaptureFixture[str]) -> None:
    events = _trail(60)
    call_command("audit", "checkpoint")
    oldest_deleted = events[-50].pk
    _as_database_owner("DELETE FROM audit_auditseal WHERE event_id >= %s", [oldest_deleted])
    _as_database_owner("DELETE FROM audit_auditevent WHERE id >= %s", [oldest_deleted])
    assert AuditEvent.objects.count() == 10
    err = _verify_fails(capsys)
    assert "recorded 60 events but the chain now has 10" in err
    assert "deleted from its end" in err


def test_emptying_the_trail_is_refused_and_found_when_forced(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _trail(3)
    call_command("audit", "checkpoint")
    postgresql = connection.vendor == "postgresql"
    if postgresql:  # run the deferred foreign-key checks, or TRUNCATE refuses for that reason
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    for table in ("audit_auditseal", "audit_auditevent"):
        empty = f"TRUNCATE {table} CASCADE" if postgresql else f"DELETE FROM {table}"  # noqa: S608
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(empty)
    assert AuditEvent.objects.count() == AuditSeal.objects.count() == 3
    call_command("audit", "verify")
    # The owner, with the triggers dropped, can still empty it: the checkpoint tells.
    _as_database_owner("DELETE FROM audit_auditseal")
    _as_database_owner("DELETE FROM audit_auditevent")
    assert "recorded 3 events but the chain now has 0" in _verify_fails(capsys)


def test_an_edited_or_forged_checkpoint_is_found(capsys: pytest.CaptureFixture[str]) -> None:
    _trail(3)
    call_command("audit", "checkpoint")
    path = Path(settings.AUDIT_CHECKPOINT_FILE)
    line = json.loads(path.read_text())
    line["position"] = 2
    path.write_text(json.dumps(line) + "\n")
    assert "line 1 is not signed with the audit key" in _verify_fails(capsys)


def test_events_are_sealed_after_commit_with_a_scheduled_checkpoint(
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        for i in range(3):
            audit.write(None, "test:event", object_type="thing", object_id=str(i))
        assert not AuditSeal.objects.exists()  # nothing is linked, or locked, before commit
    assert len(callbacks) == 1  # one sealing per transaction, however many events
    assert AuditSeal.objects.count() == 3
    lines = Path(settings.AUDIT_CHECKPOINT_FILE).read_text().splitlines()
    assert json.loads(lines[-1])["position"] == 3
    assert chain.verify().ok


def test_bulk_inserted_events_need_nothing_but_the_rows() -> None:
    AuditEvent.objects.bulk_create(
        AuditEvent(channel="cli", action="test:bulk", outcome="success", request_id="r")
        for _ in range(20)
    )
    assert chain.seal() == 20
    result = chain.verify()
    assert (result.ok, result.events) == (True, 20)


@pytest.mark.django_db(transaction=True)
def test_an_event_committed_late_is_sealed_after_those_committed_before_it() -> None:
    """PostgreSQL gives ids at insert, not at commit: the chain follows commit order.

    It also shows no lock is held while a request runs: the second request writes, commits and
    is sealed while the first still has its event uncommitted (with the old lock held to
    commit, it would wait for the first).
    """
    inserted, release = threading.Event(), threading.Event()
    early: list[int] = []

    def slow_request() -> None:
        try:
            with transaction.atomic():
                early.append(audit.write(None, "test:slow", object_type="t", object_id="1").pk)
                inserted.set()
                release.wait(10)
        finally:
            connection.close()

    worker = threading.Thread(target=slow_request)
    if connection.vendor == "sqlite":
        pytest.skip("SQLite writers hold the write lock to commit: ids are in commit order")
    worker.start()
    assert inserted.wait(10)
    with transaction.atomic():
        late = audit.write(None, "test:fast", object_type="t", object_id="2")
    assert early[0] < late.pk
    assert list(AuditSeal.objects.values_list("event_id", flat=True)) == [late.pk]
    release.set()
    worker.join(10)
    chain.seal()
    assert list(AuditSeal.objects.order_by("position").values_list("event_id", flat=True)) == [
        late.pk,
        early[0],
    ]
    assert chain.verify().ok


def _commit_one(django_capture_on_commit_callbacks: Any, name: str) -> AuditEvent:
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        return audit.write(None, "test:event", object_type="thing", object_id=name)


def test_a_busy_server_seals_at_most_once_a_second_and_the_task_runner_seals_the_rest(
    django_capture_on_commit_callbacks: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sealing after every commit cost each audited request a second transaction. A process
    seals after a commit only when its last sealing is `SAFEHUB_AUDIT_SEAL_SECONDS` old; what
    that leaves waits for the next one, or for the task runner's sealer."""
    settings.AUDIT_SEAL_SECONDS = 60
    monkeypatch.setattr(chain, "_sealed_at", float("-inf"))
    first = _commit_one(django_capture_on_commit_callbacks, "first")
    second = _commit_one(django_capture_on_commit_callbacks, "second")
    sealed = set(AuditSeal.objects.values_list("event_id", flat=True))
    assert (first.pk in sealed, second.pk in sealed) == (True, False)
    assert seal_pass() == 1
    assert set(AuditSeal.objects.values_list("event_id", flat=True)) == {first.pk, second.pk}
    assert chain.verify().ok
