"""The triage queue: what is due, for whom, by when, most urgent first."""

from django.http import HttpRequest
from ninja import Query, Router

from safehub.api import problems
from safehub.api.schemas import DueItemOut, DueKind, due_item_out
from safehub.rules.working_time import Rag
from safehub.triage.queries import due_items

router = Router(tags=["triage"])


@router.get(
    "/due-items",
    response={200: list[DueItemOut], **problems.PROBLEM_RESPONSES},
    summary="List what is due",
)
def list_due_items(
    request: HttpRequest,
    kind: Query[list[DueKind] | None] = None,
    rag: Query[list[Rag] | None] = None,
) -> list[DueItemOut]:
    """Every open due item in your scope; repeat `kind` or `rag` to ask for several.

    Items name the child by id only: reading the child's record is a separate, audited read.
    Each child named is audited as listed.
    """
    return [
        due_item_out(item)
        for item in due_items(request.user, kinds=kind, rags=rag, listed_as="listed: due items")
    ]
