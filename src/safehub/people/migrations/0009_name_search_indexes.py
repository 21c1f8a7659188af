"""Indexes for finding a child by any part of a name or alias (`people.queries.search_children`).

PostgreSQL: the pg_trgm extension and a trigram GIN index on the upper-cased given and family
names of children and of aliases, which `icontains` (UPPER(col) LIKE UPPER('%part%')) uses.
SQLite: an FTS5 table with the trigram tokenizer over each of the two tables (external content:
it stores only the index), kept in step by triggers, so rows written in bulk are indexed too.
A PostgreSQL built without the contrib extensions (some minimal builds) has no pg_trgm: there
the indexes are left out and search still works, unindexed.
A later migration that makes SQLite rebuild `people_child` or `people_childalias` drops these
triggers with the old table; `tests/integration/test_name_search.py` fails if that happens.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

TABLES = (("people_child", "people_child_names"), ("people_childalias", "people_childalias_names"))

POSTGRES = [
    f"CREATE INDEX IF NOT EXISTS {table}_{column}_trgm ON {table} "
    f"USING gin (UPPER({column}) gin_trgm_ops)"
    for table, _ in TABLES
    for column in ("given_name", "family_name")
]
POSTGRES_REVERSE = [
    f"DROP INDEX IF EXISTS {table}_{column}_trgm"
    for table, _ in TABLES
    for column in ("given_name", "family_name")
]


def _sqlite(table: str, fts: str) -> list[str]:
    # Table names are the constants above, never input.
    insert = f"INSERT INTO {fts}(rowid, given_name, family_name) VALUES (new.id, new.given_name, new.family_name);"  # noqa: S608
    delete = f"INSERT INTO {fts}({fts}, rowid, given_name, family_name) VALUES ('delete', old.id, old.given_name, old.family_name);"  # noqa: S608
    return [
        (
            f"CREATE VIRTUAL TABLE {fts} USING fts5(given_name, family_name, "
            f"content='{table}', content_rowid='id', tokenize='trigram')"
        ),
        f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN {insert} END",
        f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN {delete} END",
        (
            f"CREATE TRIGGER {fts}_update AFTER UPDATE OF given_name, family_name ON {table} "
            f"BEGIN {delete} {insert} END"
        ),
        f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",  # noqa: S608
    ]


SQLITE = [statement for table, fts in TABLES for statement in _sqlite(table, fts)]
SQLITE_REVERSE = [
    statement
    for _, fts in TABLES
    for statement in (
        f"DROP TRIGGER IF EXISTS {fts}_insert",
        f"DROP TRIGGER IF EXISTS {fts}_delete",
        f"DROP TRIGGER IF EXISTS {fts}_update",
        f"DROP TABLE IF EXISTS {fts}",
    )
]


def trigrams_available(connection) -> bool:
    """True on a PostgreSQL server that has the pg_trgm extension to install."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
        return cursor.fetchone() is not None


class PostgresTrigramExtension(TrigramExtension):
    """pg_trgm on PostgreSQL where the server has it; nothing on SQLite."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if trigrams_available(schema_editor.connection):
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        """Leave the extension: other databases' objects may use it."""


def _run(statements: dict[str, list[str]]):
    def run(apps, schema_editor):
        connection = schema_editor.connection
        if connection.vendor == "postgresql" and not trigrams_available(connection):
            return
        for statement in statements.get(connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("people", "0008_child_unique_pupil_number")]

    operations = [
        PostgresTrigramExtension(),
        migrations.RunPython(
            _run({"postgresql": POSTGRES, "sqlite": SQLITE}),
            _run({"postgresql": POSTGRES_REVERSE, "sqlite": SQLITE_REVERSE}),
        ),
    ]
