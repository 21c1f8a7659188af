"""Shared by every test folder. Unit tests get no database: pytest-django refuses any query
from a test that has not asked for the `db` fixture, so tests/unit stays database-free."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.db import connection, transaction

from safehub.audit import guards


@pytest.fixture(scope="session", autouse=True)
def _flush_lifts_the_audit_guards() -> Iterator[None]:
    """The harness's own way to empty the audit tables between tests that commit.

    Django empties every table after a test that commits (the browser tests, `transaction=True`
    tests) with DELETE on SQLite and TRUNCATE on PostgreSQL, which the audit triggers refuse.
    Here, and only here, the triggers are lifted for that flush and put back in the same
    transaction.
    """
    original: Callable[[list[str]], None] = connection.ops.execute_sql_flush

    def flush(sql_list: list[str]) -> None:
        with transaction.atomic():
            guards.lift(connection)
            original(sql_list)
            guards.install(connection)

    connection.ops.execute_sql_flush = flush  # type: ignore[method-assign]
    yield
    connection.ops.execute_sql_flush = original  # type: ignore[method-assign]
