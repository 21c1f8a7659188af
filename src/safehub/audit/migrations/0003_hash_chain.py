"""Add the hash chain and chain the events already recorded, oldest first.

The append-only triggers are lifted for the one UPDATE that fills the new columns, in this
migration's own transaction, and put back at once. Self-contained: the chain it made is
replaced by the keyed one in 0004, which checks this one first with the same digest.
"""

import hashlib
import json

from django.db import migrations, models

GENESIS = "0" * 64


def content(event):
    return json.dumps(
        [
            event.occurred_at.isoformat(timespec="microseconds"),
            event.actor_id,
            event.actor_role,
            event.actor_agency_id,
            event.channel,
            event.action,
            event.object_type,
            event.object_id,
            event.outcome,
            event.reason,
            event.request_id,
            event.ip_address,
        ],
        separators=(",", ":"),
        default=str,
    )


def _digest(previous, event):
    return hashlib.sha256(f"{previous}|{content(event)}".encode()).hexdigest()


def chain_existing(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    table = "audit_auditevent"
    if vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {table} DISABLE TRIGGER audit_event_no_update")
    elif vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
    event_model = apps.get_model("audit", "AuditEvent")
    previous = GENESIS
    for event in event_model.objects.order_by("id").iterator():
        digest = _digest(previous, event)
        schema_editor.execute(
            "UPDATE audit_auditevent SET previous_hash = %s, hash = %s WHERE id = %s",
            [previous, digest, event.pk],
        )
        previous = digest
    if vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {table} ENABLE TRIGGER audit_event_no_update")
    elif vendor == "sqlite":
        schema_editor.execute(
            f"CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON {table} "
            "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;"
        )


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_triggers")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="previous_hash",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.RunPython(chain_existing, migrations.RunPython.noop),
    ]
