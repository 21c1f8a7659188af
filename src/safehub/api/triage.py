"""The triage queue: what is due, for whom, by when, most urgent first."""

from typing import Annotated

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from safehub.api import problems
from safehub.api.schemas import DueItemOut, DueKind, due_item_out
from safehub.rules.working_time import Rag
from safehub.triage.queries import Filters, queue_page

router = Router(tags=["triage"])

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


class DueItemsPage(Schema):
    items: list[DueItemOut]
    page: int = Field(description="This page's number, from 1.")
    pages: int = Field(description="How many pages there are at this page size.")
    total: int = Field(description="How many items match, on every page.")


@router.get(
    "/due-items",
    response={200: DueItemsPage, **problems.PROBLEM_RESPONSES},
    summary="List what is due",
)
def list_due_items(
    request: HttpRequest,
    kind: Query[list[DueKind] | None] = None,
    rag: Query[list[Rag] | None] = None,
    page: Annotated[int, Field(ge=1, description="Which page, from 1.")] = 1,
    page_size: Annotated[
        int, Field(ge=1, le=MAX_PAGE_SIZE, description="Items a page.")
    ] = PAGE_SIZE,
) -> DueItemsPage:
    """Your open due items, most urgent first, a page at a time; repeat `kind` or `rag` to ask
    for several. A page past the last gives the last.

    Items name the child by id only: reading the child's record is a separate, audited read.
    Each child named on the page is audited as listed.
    """
    filters = Filters(kinds=frozenset(kind or ()), rags=frozenset(rag or ()))
    found = queue_page(
        request.user, filters=filters, page=page, size=page_size, listed_as="listed: due items"
    )
    return DueItemsPage(
        items=[due_item_out(item) for item in found.items],
        page=found.number,
        pages=found.pages,
        total=found.total,
    )
