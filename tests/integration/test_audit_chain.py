"""The audit trail's hash chain: any edit or deletion made behind Django's back is found."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection

from safehub.audit import chain
from safehub.audit import services as audit
from safehub.audit.models import AuditEvent


def _trail(n: int) -> list[AuditEvent]:
    return [
        audit.write(None, "test:event", object_type="thing", object_id=str(i)) for i in range(n)
    ]


def _as_database_owner(sql: str, params: list[object]) -> None:
    """What an attacker with the database owner's rights could do: lift the trigger and edit."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")  # triggers off
        else:
            cursor.execute("DROP TRIGGER audit_event_no_update")
        cursor.execute(sql, params)


def test_an_untouched_trail_verifies(capsys: pytest.CaptureFixture[str]) -> None:
    events = _trail(5)
    assert events[0].previous_hash == chain.GENESIS
    assert [e.previous_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    assert chain.verify().ok
    call_command("audit", "verify")
    assert "every link holds" in capsys.readouterr().out


def test_editing_one_event_is_found_and_named(capsys: pytest.CaptureFixture[str]) -> None:
    events = _trail(5)
    _as_database_owner(
        "UPDATE audit_auditevent SET outcome = %s WHERE id = %s", ["failure", events[2].pk]
    )
    result = chain.verify()
    assert result.broken is not None
    assert result.broken.event_id == events[2].pk
    assert "was changed" in result.broken.problem
    with pytest.raises(SystemExit) as exited:
        call_command("audit", "verify")
    assert exited.value.code == 1
    assert f"audit event {events[2].pk}" in capsys.readouterr().err


def test_deleting_one_event_is_found_at_the_next(capsys: pytest.CaptureFixture[str]) -> None:
    events = _trail(5)
    _as_database_owner("DELETE FROM audit_auditevent WHERE id = %s", [events[1].pk])
    result = chain.verify()
    assert result.broken is not None
    assert result.broken.event_id == events[2].pk
    assert "changed or deleted" in result.broken.problem
