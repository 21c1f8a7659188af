"""One import at a time: the transaction an import checks and writes in, holding a lock.

Two imports running together would each check against what was there before either wrote,
and the later one to commit would then break a unique rule (the same legacy identifier, the
same external reference, the same new child twice) half way through writing. So every import
(`safehub import referrals`, `safehub import history`) runs in a transaction that first takes
the import lock; a second import started meanwhile is refused with a plain sentence and changes
nothing, and can simply be run again.

PostgreSQL: a transaction-scoped advisory lock, tried without waiting. SQLite: the transaction
is IMMEDIATE (settings), so it holds the database's write lock from its start; a second import
waits for it up to the connection's busy timeout, then is refused the same way.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import OperationalError, connection, transaction

# An arbitrary constant naming "an import is running" among PostgreSQL advisory locks.
_LOCK_ID = 727_274_101
BUSY = (
    "another import is running (imports run one at a time); nothing was imported. "
    "Run this one again when it has finished"
)


class ImportBusyError(Exception):
    """Another import holds the lock; this one changed nothing."""

    def __init__(self) -> None:
        super().__init__(BUSY)


@contextmanager
def import_transaction() -> Iterator[None]:
    """A transaction in which this import alone may run; ImportBusyError if another is."""
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_LOCK_ID])
                    (locked,) = cursor.fetchone() or (False,)
                if not locked:
                    raise ImportBusyError
            yield
    except OperationalError as error:
        # SQLite: the write lock was not free within the busy timeout.
        if "locked" in str(error):
            raise ImportBusyError from error
        raise
