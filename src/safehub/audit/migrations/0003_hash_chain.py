"""Add the hash chain and chain the events already recorded, oldest first.

The append-only triggers are lifted for the one UPDATE that fills the new columns, in this
migration's own transaction, and put back at once.
"""

from django.db import migrations, models

from safehub.audit import chain


def chain_existing(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    table = "audit_auditevent"
    if vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {table} DISABLE TRIGGER audit_event_no_update")
    elif vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
    event_model = apps.get_model("audit", "AuditEvent")
    previous = chain.GENESIS
    for event in event_model.objects.order_by("id").iterator():
        digest = chain.digest(previous, event)
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
