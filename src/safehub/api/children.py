"""A child's record: identity, and where things stood on a day (today unless asked)."""

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router

from safehub.api import problems
from safehub.api.schemas import ChildOut, child_out
from safehub.casefile.queries import record_for
from safehub.people import queries
from safehub.people.services import birth_of, refuse
from safehub.rules import plausibility

router = Router(tags=["children"])


@router.get(
    "/children/{child_id}",
    response={200: ChildOut, **problems.PROBLEM_RESPONSES},
    summary="Read a child's record",
)
def get_child(request: HttpRequest, child_id: int, on: dt.date | None = None) -> ChildOut:
    """Identity, the address and ward, care status, open episode and risk level on `on`.

    A partner agency gets name, age and sex, and the other fields only of the sections shared
    with it; the rest are null and named in `not_shared`.

    `on` defaults to today; an earlier day shows the record as it was then. A child outside
    your scope is "not found", whether or not it exists, and the attempt is audited.
    """
    child = queries.get_child(request.user, child_id)
    if on is not None:
        refuse(plausibility.after_birth("on", on, birth_of(child), label="The date"))
    record = record_for(request.user, child, on or timezone.localdate(), timeline=False)
    return child_out(record)
