"""Candidates as the details are typed: children already held who may be the child.

POST, so the details typed stay out of addresses and server logs. The same service as the
intake page (`matching.services.offer`): the hub's roles only, scoped to the children the
caller may see, audited as one `match:offered` event (ids and probabilities, never the
details) and each child offered as listed.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.security import django_auth
from pydantic import StringConstraints

from safehub.access.policy import require
from safehub.api import problems
from safehub.api.auth import AgencyKey
from safehub.api.schemas import Short, Typed
from safehub.matching import candidates
from safehub.matching import services as matching
from safehub.people.models import Child
from safehub.people.services import refuse
from safehub.rules import codes, plausibility

router = Router(tags=["matching"], auth=[django_auth, AgencyKey()])

Part = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100), Typed]
Code = Annotated[str, StringConstraints(strip_whitespace=True, max_length=16), Typed]


class CandidatesIn(Schema):
    """What has been typed so far: every field may be empty; more details find more."""

    given_name: Part = ""
    family_name: Part = ""
    date_of_birth: dt.date | None = None
    dob_approximate: bool = False
    sex: codes.Sex | None = None
    postcode: Code = ""
    nhs_number: Code = ""
    upn: Code = ""
    school: Short = ""

    def details(self) -> candidates.Details:
        return candidates.Details(
            given_name=self.given_name,
            family_name=self.family_name,
            date_of_birth=self.date_of_birth,
            dob_approximate=self.dob_approximate,
            sex=str(self.sex or ""),
            postcode=self.postcode,
            nhs_number=self.nhs_number.replace(" ", ""),
            upn=self.upn.replace(" ", "").upper(),
            school=self.school,
        )


class EvidenceOut(Schema):
    field: str = Field(description='The detail compared: "first name", "date of birth" …')
    compared: str = Field(description='How it compared, in words: "day and month swapped" …')
    counted: str = Field(description='How much it counted, in words: "counted for a match" …')
    weight: float = Field(description="Its match weight (log2 of the Bayes factor)")


class CandidateOut(Schema):
    child_id: int
    given_name: str
    family_name: str
    date_of_birth: dt.date | None
    alias: str = Field(description="The other name the details matched best; empty if none")
    probability: float = Field(ge=0, le=1)
    percent: str = Field(description='The probability as shown: "97%", "over 99%"')
    band: Literal["high", "review"] = Field(
        description="high: very likely, chosen for the practitioner; review: they must choose"
    )
    evidence: list[EvidenceOut]


class CandidatesOut(Schema):
    model_version: str
    high_threshold: float
    review_threshold: float
    candidates: list[CandidateOut]


@router.post(
    "/matching/candidates",
    response={200: CandidatesOut, **problems.PROBLEM_RESPONSES},
    summary="Offer children already held who may be the child being recorded",
)
def offer_candidates(request: HttpRequest, payload: CandidatesIn) -> CandidatesOut:
    """Up to five children, best first, at least 50% likely to be the child whose details
    are given, each with the reasons field by field.

    For the hub's roles only: a partner worker or an agency's key gets 403. Only children you
    may see are offered. Each offer is audited (which children, never the details sent).
    """
    require(request.user, "match:candidates")
    birth = plausibility.Birth(payload.date_of_birth, approximate=payload.dob_approximate)
    refuse(plausibility.date_of_birth(birth, today=timezone.localdate()))
    found = matching.offer(
        payload.details(), acting_user=request.user, context="intake match: as typed"
    )
    children = Child.objects.in_bulk([c.child for c in found])
    version, _ = candidates.parameters()
    return CandidatesOut(
        model_version=version,
        high_threshold=candidates.HIGH,
        review_threshold=candidates.REVIEW,
        candidates=[
            CandidateOut(
                child_id=c.child,
                given_name=children[c.child].given_name,
                family_name=children[c.child].family_name,
                date_of_birth=children[c.child].date_of_birth,
                alias=c.alias,
                probability=round(c.probability, 4),
                percent=c.percent,
                band=c.band,  # type: ignore[arg-type]
                evidence=[
                    EvidenceOut(
                        field=e.field, compared=e.outcome, counted=e.counted, weight=e.weight
                    )
                    for e in c.evidence
                ],
            )
            for c in found
            if c.child in children
        ],
    )
