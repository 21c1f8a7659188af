"""Database triggers that refuse UPDATE (and on PostgreSQL, DELETE) of audit events.

The model already refuses; these stop a change made with raw SQL or another client. SQLite
keeps DELETE possible because Django's test harness empties tables with DELETE between
browser tests; PostgreSQL empties them with TRUNCATE, which row triggers do not see. In
production the database role should also lack UPDATE and DELETE on this table.
"""

from django.db import migrations

MESSAGE = "audit events are append-only"


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            f"""
            CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION '{MESSAGE}'; END;
            $$ LANGUAGE plpgsql;
            CREATE TRIGGER audit_event_no_update BEFORE UPDATE OR DELETE ON audit_auditevent
            FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();
            """
        )
    elif vendor == "sqlite":
        schema_editor.execute(
            f"""
            CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_auditevent
            BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;
            """
        )


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    schema_editor.execute(
        "DROP TRIGGER IF EXISTS audit_event_no_update"
        + (" ON audit_auditevent" if vendor == "postgresql" else "")
    )
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS audit_event_append_only()")


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
