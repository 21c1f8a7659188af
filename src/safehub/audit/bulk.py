"""Rows into an audit table in one statement: COPY on PostgreSQL, one prepared INSERT run for
every row on SQLite (`executemany`).

Audit events and seals are written on every audited request, a listed page's worth at a time,
and an import's hundreds of thousands at once. Django's bulk_create builds and prepares a model
per row, and a multi-row INSERT is parsed for every placeholder; both cost more than the rest
of what those requests do. The rows here are already prepared for the database.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection


def insert_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {quote(table)} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(
                f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})",  # noqa: S608 - our own table and columns
                [tuple(row) for row in rows],
            )
