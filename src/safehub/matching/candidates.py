"""Candidates at intake: which children already held might be the child being typed in.

One indexed lookup of the details' blocking keys finds the children sharing most keys; those
few are scored in Python with the trained model's parameters (`explain.score`). Unscoped:
the caller (a service) scopes the children and checks permission.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

from django.db.models import Count

from safehub.matching import explain, index, keys, model, standardise
from safehub.matching.models import ChildKey

# How many children sharing keys are scored at most: enough for any real block.
SHORTLIST = 200
# At or above: the best candidate is pre-selected. Between REVIEW and HIGH the practitioner
# must choose (one of them, or "none of these"). Below REVIEW a candidate is not offered.
HIGH = 0.95
REVIEW = 0.5


@dataclass(frozen=True)
class Details:
    given_name: str = ""
    family_name: str = ""
    date_of_birth: dt.date | None = None
    dob_approximate: bool = False
    sex: str = ""
    postcode: str = ""
    nhs_number: str = ""
    upn: str = ""
    school: str = ""

    def record(self) -> dict[str, object]:
        return standardise.record(
            given_name=self.given_name,
            family_name=self.family_name,
            date_of_birth=self.date_of_birth,
            dob_approximate=self.dob_approximate,
            sex_code=self.sex,
            postcode_text=self.postcode,
            school_name=self.school,
            nhs=self.nhs_number,
            upn_text=self.upn,
        )


@dataclass(frozen=True)
class Candidate:
    child: int
    probability: float
    evidence: tuple[explain.FieldEvidence, ...]

    @property
    def percent(self) -> str:
        return f"{self.probability:.0%}" if self.probability < 0.995 else "over 99%"  # noqa: PLR2004


@functools.cache
def _parameters(version: str) -> explain.Parameters:
    return explain.Parameters.from_model(model.load().settings)


def parameters() -> tuple[str, explain.Parameters]:
    version = model.load().version
    return version, _parameters(version)


def find(
    details: Details, *, limit: int = 5, threshold: float = REVIEW, among: object = None
) -> list[Candidate]:
    """The likeliest children already held, best first, at or above `threshold`.

    `among` (a queryset of children) narrows the search to the children a caller may see.
    """
    row = details.record()
    sought = keys.sought(row)
    if not sought:
        return []
    hits = ChildKey.objects.filter(key__in=sought)
    if among is not None:
        hits = hits.filter(child__in=among)
    shortlist = list(
        hits.values("child_id")
        .annotate(shared=Count("id"))
        .order_by("-shared", "child_id")
        .values_list("child_id", flat=True)[:SHORTLIST]
    )
    _, params = parameters()
    scored = []
    for other in index.records(shortlist):
        probability, evidence = explain.score(row, other, params)
        if probability >= threshold:
            scored.append(Candidate(int(other["unique_id"]), probability, evidence))  # type: ignore[call-overload]
    scored.sort(key=lambda c: (-c.probability, c.child))
    return scored[:limit]
