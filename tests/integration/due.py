"""The caller's due items as a plain list, for tests that ask what is due."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from safehub.access.policy import Principal
from safehub.triage.queries import DueItem, Filters, queue_page


def due_items(
    user: Principal,
    *,
    now: dt.datetime | None = None,
    kinds: Iterable[str] | None = None,
) -> list[DueItem]:
    """Every open due item in the caller's scope (up to 1,000), most urgent first: one audited
    page of the queue."""
    filters = Filters(kinds=frozenset(kinds or ()))
    return queue_page(user, filters=filters, size=1000, now=now).items
