"""Candidates at intake: which children already held might be the child being typed in.

Each of the details' blocking keys is looked up in the (key, child) index, at most
`PER_KEY` children a key, so a common key ("smith, j") cannot turn a lookup into a scan
however many children the hub holds; the children sharing most keys are scored in Python with
the trained model's parameters (`explain.score`), under each name they are known by (an alias
too). Unscoped: the caller (a service) scopes the children and checks permission.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from dataclasses import dataclass

from django.db import connection

from safehub.matching import explain, index, keys, model, standardise
from safehub.matching.models import ChildKey

# How many children sharing keys are scored at most: enough for any real block.
SHORTLIST = 200
# How many children one key contributes at most. A block bigger than this (a common surname
# and initial) is cut to its most recently recorded children; the child sought shares the
# rarer keys (names with the date of birth, the postcode) too, whose blocks are small.
PER_KEY = 100
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
    # The alias ("given family") the details matched best, or "" for the child's own name.
    alias: str = ""

    @property
    def band(self) -> str:
        """ "high": chosen for the practitioner; "review": they must choose."""
        return "high" if self.probability >= HIGH else "review"

    @property
    def percent(self) -> str:
        return f"{self.probability:.0%}" if self.probability < 0.995 else "over 99%"  # noqa: PLR2004


@functools.cache
def _parameters(version: str) -> explain.Parameters:
    return explain.Parameters.from_model(model.load().settings)


def parameters() -> tuple[str, explain.Parameters]:
    """The model version in use and its parameters, read from disk once per version: a
    lookup reads only the small file naming the version, not the model itself."""
    current = model.model_dir() / "current.json"
    version = json.loads(current.read_text("utf-8"))["version"] if current.exists() else "default"
    return version, _parameters(version)


def shortlist_sql(keys_sought: int) -> str:
    """One statement: for each key, its newest `PER_KEY` children by the (key, child) index;
    then how many keys each child shares, most first. Each part is a bounded index range, so
    the whole reads at most `PER_KEY` index entries a key, whatever the number of children.
    The parts sit in subqueries because SQLite allows LIMIT only there in a UNION."""
    table = ChildKey._meta.db_table  # noqa: SLF001
    part = (
        f"SELECT child_id FROM (SELECT child_id FROM {table} WHERE key = %s "  # noqa: S608
        f"ORDER BY child_id DESC LIMIT {PER_KEY}) AS k{{n}}"
    )
    parts = "\n UNION ALL ".join(part.format(n=n) for n in range(keys_sought))
    return (
        f"SELECT child_id, COUNT(*) AS shared FROM ({parts}) AS hits "  # noqa: S608
        f"GROUP BY child_id ORDER BY shared DESC, child_id LIMIT {SHORTLIST}"
    )


def shortlist(sought: set[str]) -> list[int]:
    """The children sharing most of the `sought` keys, most first (`shortlist_sql`)."""
    if not sought:
        return []
    with connection.cursor() as cursor:
        cursor.execute(shortlist_sql(len(sought)), sorted(sought))
        return [int(child) for child, _ in cursor.fetchall()]


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
    ids = shortlist(sought)
    if among is not None and ids:
        ids = list(among.filter(pk__in=ids).values_list("pk", flat=True))  # type: ignore[attr-defined]
    _, params = parameters()
    best: dict[int, Candidate] = {}
    for other, alias in index.named_records(ids):
        probability, evidence = explain.score(row, other, params)
        child = int(other["unique_id"])  # type: ignore[call-overload]
        if probability >= threshold and (
            child not in best or probability > best[child].probability
        ):
            best[child] = Candidate(child, probability, evidence, alias)
    scored = sorted(best.values(), key=lambda c: (-c.probability, c.child))
    return scored[:limit]
