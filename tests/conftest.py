"""Shared by every test folder. Unit tests get no database: pytest-django refuses any query
from a test that has not asked for the `db` fixture, so tests/unit stays database-free."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection, transaction
from django.db.backends.base.operations import BaseDatabaseOperations

from safehub.audit import guards


@pytest.fixture(scope="session", autouse=True)
def _flush_lifts_the_audit_guards() -> Iterator[None]:
    """The harness's own way to empty the audit tables between tests that commit.

    Django empties every table after a test that commits (the browser tests, `transaction=True`
    tests) with DELETE on SQLite and TRUNCATE on PostgreSQL, which the audit triggers refuse.
    Here, and only here, the triggers are lifted for that flush and put back in the same
    transaction. The backend's class is patched, not one connection: the browser tests' live
    server and the test itself may flush through different connection objects.
    """
    operations = type(connection.ops)
    original = operations.execute_sql_flush

    def flush(self: BaseDatabaseOperations, sql_list: list[str]) -> None:
        with transaction.atomic(using=self.connection.alias):
            guards.lift(self.connection)
            original(self, sql_list)
            guards.install(self.connection)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(operations, "execute_sql_flush", flush)
        yield
