"""The name indexes' GIN pending list off (PostgreSQL; nothing on SQLite).

With `fastupdate` on (PostgreSQL's default) rows written go first to each GIN index's pending
list, which every search reads through in full until VACUUM (or autovacuum, or the list
filling `gin_pending_list_limit`) merges it: right after a bulk load each trigram search was
30 to 90 ms slower. Off, each row is indexed as it is written (inserts and renames a little
slower), and the list already there is merged now. Where pg_trgm is absent, migration 0009
made no indexes and this does nothing.
"""

from django.db import migrations

INDEXES = tuple(
    f"{table}_{column}_trgm"
    for table in ("people_child", "people_childalias")
    for column in ("given_name", "family_name")
)


def _set_fastupdate(*, on: bool):
    def run(apps, schema_editor):
        connection = schema_editor.connection
        if connection.vendor != "postgresql":
            return
        for index in INDEXES:  # names from the constant above, never input
            with connection.cursor() as cursor:
                cursor.execute("SELECT to_regclass(%s)", [index])
                if cursor.fetchone()[0] is None:  # no pg_trgm: 0009 made no indexes
                    continue
            if on:  # back to PostgreSQL's default, as migration 0009 left it
                schema_editor.execute(f"ALTER INDEX {index} RESET (fastupdate)")
            else:
                schema_editor.execute(f"ALTER INDEX {index} SET (fastupdate = off)")
                schema_editor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])

    return run


class Migration(migrations.Migration):
    dependencies = [("people", "0009_name_search_indexes")]

    operations = [migrations.RunPython(_set_fastupdate(on=False), _set_fastupdate(on=True))]
