"""What is shared with the caller's agency: a partner's list, for people and agency systems."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.security import django_auth

from safehub.api import problems
from safehub.api.auth import AgencyKey
from safehub.people.models import ShareSection
from safehub.people.queries import shared_with_me

router = Router(tags=["sharing"])

_CODE = {label: code for code, label in ShareSection.choices}


class SharedChildOut(Schema):
    child_id: int
    given_name: str
    family_name: str
    sections: list[ShareSection]
    expires_on: dt.date


@router.get(
    "/shared-children",
    response={200: list[SharedChildOut], **problems.PROBLEM_RESPONSES},
    summary="List the children shared with your agency",
    auth=[django_auth, AgencyKey()],
)
def list_shared_children(request: HttpRequest) -> list[SharedChildOut]:
    """The children shared with your agency today, with the sections shared and until when.

    For a partner worker signed in, or an agency's system with its API key
    (`Authorization: Bearer shk_…`). Name, age and sex are always shared; `sections` names
    what else was. Each child listed is audited as listed, with the key as the actor.
    """
    return [
        SharedChildOut(
            child_id=row.child.pk,
            given_name=row.child.given_name,
            family_name=row.child.family_name,
            sections=[ShareSection(_CODE[label]) for label in row.sections],
            expires_on=row.expires_on,
        )
        # A person signed in, or the agency's key: whichever authenticated the request.
        for row in shared_with_me(request.auth)[0]  # type: ignore[attr-defined]
    ]
