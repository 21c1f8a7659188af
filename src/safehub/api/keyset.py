"""Keyset ("cursor") pagination for the referral list, auditing exactly the rows shown.

A page-number paginator counts every row in scope on every request and skips over all the
earlier pages' rows to reach a late one: both grow with the table. Here a page is "the next
`page_size` rows after this one" in the list's order (newest first, id breaking ties), found
through the index on `received_at`; the response carries a `next` cursor (opaque to clients:
the last row's time and id) and no total.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import PaginationBase

BAD_CURSOR = "Give a cursor exactly as a previous page's `next` gave it"


@dataclass(frozen=True)
class Listing:
    """A scoped queryset ordered newest first (`-received_at`, `-pk`) and how to show a page
    of it: the paginator slices the one, the other turns the page into responses and audits
    exactly the rows shown."""

    queryset: Any
    show: Callable[[Sequence[Any]], list[Any]]


def encode(at: dt.datetime, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{at.isoformat()}|{pk}".encode()).decode().rstrip("=")


def decode(cursor: str) -> tuple[dt.datetime, int]:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        at, pk = text.split("|")
        moment, number = dt.datetime.fromisoformat(at), int(pk)
    except (binascii.Error, UnicodeDecodeError, ValueError) as error:
        raise ValidationError({"cursor": BAD_CURSOR}) from error
    if moment.tzinfo is None:  # every cursor this list gives is aware
        raise ValidationError({"cursor": BAD_CURSOR})
    return moment, number


class KeysetPagination(PaginationBase):
    """`?page_size=…&cursor=…` in, `{"items": […], "next": "…" | null}` out."""

    def __init__(self, *, page_size: int, max_page_size: int, **kwargs: Any) -> None:
        self.page_size = page_size
        self.max_page_size = max_page_size
        super().__init__(**kwargs)

    class Input(Schema):
        cursor: str | None = Field(
            None,
            max_length=200,
            description="Where to go on from: the `next` of the previous page. Omit for the first.",
        )
        page_size: int | None = Field(None, ge=1, le=50, description="Rows a page (at most 50)")

    class Output(Schema):
        items: list[Any]
        next: str | None = Field(
            description="Give as `cursor` to get the next page; null on the last page."
        )

    items_attribute = "items"

    def paginate_queryset(
        self, queryset: Any, pagination: Any, request: HttpRequest, **params: Any
    ) -> Any:
        if not isinstance(queryset, Listing):  # pragma: no cover - a wiring mistake
            raise TypeError("KeysetPagination paginates a Listing")
        size = min(pagination.page_size or self.page_size, self.max_page_size)
        rows = queryset.queryset
        if pagination.cursor:
            at, pk = decode(pagination.cursor)
            rows = rows.filter(Q(received_at__lt=at) | Q(received_at=at, pk__lt=pk))
        page = list(rows.order_by("-received_at", "-pk")[: size + 1])
        more, page = len(page) > size, page[:size]
        return {
            "items": queryset.show(page),
            "next": encode(page[-1].received_at, page[-1].pk) if more else None,
        }
