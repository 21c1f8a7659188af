from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from safehub.audit import chain
from safehub.audit import services as audit
from safehub.audit.models import AppendOnlyError, AuditEvent, AuditSeal


def _event() -> AuditEvent:
    return audit.write(None, "test:something", object_type="thing", object_id="1")


def test_events_cannot_be_changed_or_removed_through_django() -> None:
    event = _event()
    event.action = "test:edited"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="test:edited")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "test:something"


def test_the_database_refuses_an_update_made_in_raw_sql() -> None:
    event = _event()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET action = %s WHERE id = %s", ["test:edited", event.pk]
        )
    assert AuditEvent.objects.get(pk=event.pk).action == "test:something"


def test_the_database_refuses_a_raw_delete_of_an_event_or_its_seal() -> None:
    event = _event()
    chain.seal()
    for sql in (
        "DELETE FROM audit_auditevent WHERE id = %s",
        "DELETE FROM audit_auditseal WHERE event_id = %s",
        "UPDATE audit_auditseal SET hash = 'x' WHERE event_id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [event.pk])
    assert AuditSeal.objects.get(event=event).hash != "x"


def test_seals_cannot_be_changed_or_removed_through_django() -> None:
    _event()
    chain.seal()
    seal = AuditSeal.objects.get()
    with pytest.raises(AppendOnlyError):
        seal.save()
    with pytest.raises(AppendOnlyError):
        seal.delete()
    with pytest.raises(AppendOnlyError):
        AuditSeal.objects.update(hash="x")
    with pytest.raises(AppendOnlyError):
        AuditSeal.objects.all().delete()


def test_tags_must_be_hierarchical() -> None:
    with pytest.raises(ValueError, match="noun:verb"):
        audit.write(None, "Login failed for pat")


@pytest.mark.django_db(transaction=True)
def test_an_event_outside_a_transaction_is_refused() -> None:
    with pytest.raises(audit.NotInTransactionError):
        _event()
    assert not AuditEvent.objects.exists()
