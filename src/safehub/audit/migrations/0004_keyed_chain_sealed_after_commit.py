"""Move the chain from unkeyed SHA-256 columns on each event to keyed seals made after commit.

The old chain is checked first, and the migration stops if it is broken: resealing with the key
would otherwise bless an edit made before it. Then the old columns go, events get the id of the
transaction that inserted them (PostgreSQL, filled by the database; `safehub.audit.chain` says
why), every existing event is sealed with SAFEHUB_AUDIT_KEY in id order, and the triggers are
put on both tables, TRUNCATE included (`safehub.audit.guards`).
"""

import hashlib
import importlib

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

from safehub.audit import chain, guards

OLD_GENESIS = "0" * 64


def _old_digest(previous, event):
    # The unkeyed digest of the migration that made the old chain (already released, so its
    # name is fixed).
    old = importlib.import_module("safehub.audit.migrations.0003_hash_chain")
    return hashlib.sha256(f"{previous}|{old.content(event)}".encode()).hexdigest()


def check_old_chain_and_lift_old_triggers(apps, schema_editor):
    previous = OLD_GENESIS
    for event in apps.get_model("audit", "AuditEvent").objects.order_by("id").iterator():
        expected = _old_digest(previous, event)
        if event.previous_hash != previous or event.hash != expected:
            raise RuntimeError(
                f"audit event {event.pk} breaks the existing chain; investigate before "
                "migrating (`safehub audit verify` on the previous release names it)"
            )
        previous = event.hash
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_event_no_update ON audit_auditevent")
    else:
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_event_no_update")


def add_transaction_id(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE audit_auditevent ADD COLUMN xid xid8 NOT NULL DEFAULT pg_current_xact_id()"
        )
        schema_editor.execute("CREATE INDEX audit_auditevent_xid ON audit_auditevent (xid)")


def seal_existing(apps, schema_editor):
    key = settings.AUDIT_KEY.encode()
    if not key:
        raise RuntimeError("set SAFEHUB_AUDIT_KEY before migrating (docs/audit.md)")
    horizon = None
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SELECT pg_snapshot_xmin(pg_current_snapshot())::text")
            horizon = int(cursor.fetchone()[0])
    seal_model = apps.get_model("audit", "AuditSeal")
    previous, seals, now = chain.GENESIS, [], timezone.now()
    events = apps.get_model("audit", "AuditEvent").objects.order_by("id")
    for position, event in enumerate(events.iterator(), start=1):
        hashed = chain.digest(key, position, previous, event)
        seals.append(
            seal_model(
                position=position,
                event_id=event.pk,
                previous_hash=previous,
                hash=hashed,
                horizon=horizon,
                sealed_at=now,
            )
        )
        previous = hashed
    seal_model.objects.bulk_create(seals, batch_size=2000)


def install_guards(apps, schema_editor):
    guards.install(schema_editor.connection)


def lift_guards(apps, schema_editor):
    guards.lift(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_hash_chain")]

    operations = [
        migrations.RunPython(check_old_chain_and_lift_old_triggers, migrations.RunPython.noop),
        migrations.RemoveField(model_name="auditevent", name="hash"),
        migrations.RemoveField(model_name="auditevent", name="previous_hash"),
        migrations.CreateModel(
            name="AuditSeal",
            fields=[
                (
                    "position",
                    models.BigIntegerField(
                        help_text="1 for the first event.", primary_key=True, serialize=False
                    ),
                ),
                ("previous_hash", models.CharField(max_length=64)),
                (
                    "hash",
                    models.CharField(
                        help_text="HMAC-SHA256 with SAFEHUB_AUDIT_KEY.", max_length=64
                    ),
                ),
                (
                    "horizon",
                    models.BigIntegerField(
                        blank=True,
                        help_text="PostgreSQL: the oldest transaction still running when this "
                        "was sealed.",
                        null=True,
                    ),
                ),
                ("sealed_at", models.DateTimeField(default=timezone.now)),
                (
                    "event",
                    models.OneToOneField(
                        on_delete=models.deletion.PROTECT,
                        related_name="seal",
                        to="audit.auditevent",
                    ),
                ),
            ],
            options={"ordering": ("position",)},
        ),
        migrations.RunPython(add_transaction_id, migrations.RunPython.noop),
        migrations.RunPython(seal_existing, migrations.RunPython.noop),
        migrations.RunPython(install_guards, lift_guards),
    ]
