"""Database triggers that keep the audit tables append-only, whoever the client is.

The models refuse updates and deletes; these refuse them from raw SQL and other clients:
UPDATE and DELETE of a row on both databases, and on PostgreSQL a statement-level
`BEFORE TRUNCATE` trigger, because row triggers do not see TRUNCATE. They are a second line:
in production the runtime database role has no UPDATE, DELETE or TRUNCATE on these tables at
all (`docs/audit.md`), and the table owner, who could drop a trigger, is caught by the keyed
chain and its checkpoints instead.

`install` and `lift` are used by the migrations, and `lift` by the test harness alone, which
empties every table between browser tests (tests/conftest.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper

MESSAGE = "audit events are append-only"
TABLES = ("audit_auditevent", "audit_auditseal")


def _postgresql_install(table: str) -> list[str]:
    return [
        (
            f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()"
        ),
        (
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()"
        ),
    ]


def _sqlite_install(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
        for verb in ("UPDATE", "DELETE")
    ]


def install_statements(vendor: str) -> list[str]:
    if vendor == "postgresql":
        function = (
            "CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$ "
            f"BEGIN RAISE EXCEPTION '{MESSAGE}'; END; $$ LANGUAGE plpgsql"
        )
        return [function, *(sql for table in TABLES for sql in _postgresql_install(table))]
    return [sql for table in TABLES for sql in _sqlite_install(table)]


def lift_statements(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [
            f"DROP TRIGGER IF EXISTS {table}_{name} ON {table}"
            for table in TABLES
            for name in ("no_change", "no_truncate")
        ]
    return [
        f"DROP TRIGGER IF EXISTS {table}_no_{verb}"
        for table in TABLES
        for verb in ("update", "delete")
    ]


def install(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for sql in install_statements(connection.vendor):
            cursor.execute(sql)


def lift(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for sql in lift_statements(connection.vendor):
            cursor.execute(sql)
