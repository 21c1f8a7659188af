"""The plausibility rules (`safehub.rules.plausibility`) applied to a whole history set.

The history import writes in bulk rather than through the services, so it asks the same rules
here, before anything is written: a child's events after their birth, a missing episode's
moments in order, every text value free of control characters. A row about a child imported
before (from the same source) is judged by the date of birth Safehub already holds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.utils import timezone

from safehub.interchange import formats
from safehub.interchange.formats import Kind
from safehub.interchange.reading import HistoryImport, Problem, Row
from safehub.people.models import Child
from safehub.rules import plausibility
from safehub.rules.plausibility import Birth


def check(
    rows: Mapping[str, list[Row]], known: Mapping[str, Mapping[str, int]], result: HistoryImport
) -> None:
    """Add a problem, with its file, row and column, for each row that breaks a rule."""
    births = _births(rows["children"], known.get("children", {}))
    for spec in formats.FILES:
        texts = [c.attr for c in spec.columns if c.kind is Kind.TEXT]
        for row in rows[spec.name]:
            found = [
                problem
                for attr in texts
                if isinstance(value := row.values.get(attr), str)
                for problem in plausibility.text(attr, value, label="The value")
            ]
            found += _row_problems(spec.name, row, births)
            result.problems.extend(
                Problem(spec.filename, row.line, _column(spec, name), message)
                for name, message in found
            )


def _births(children: Iterable[Row], known: Mapping[str, int]) -> dict[str, Birth]:
    births = {
        row.legacy_id: Birth(row.values.get("date_of_birth"), bool(row.values["dob_approximate"]))
        for row in children
    }
    stored = Child.objects.filter(pk__in=[pk for lid, pk in known.items() if lid not in births])
    by_pk = {
        pk: Birth(born, approximate)
        for pk, born, approximate in stored.values_list("pk", "date_of_birth", "dob_approximate")
    }
    for legacy_id, pk in known.items():
        if legacy_id not in births and pk in by_pk:
            births[legacy_id] = by_pk[pk]
    return births


def _row_problems(name: str, row: Row, births: Mapping[str, Birth]) -> plausibility.Problems:
    values = row.values
    birth = births.get(row.refs.get("child", ""), Birth(None))
    if name == "children":
        birth = births[row.legacy_id]
        return plausibility.child(
            birth, arrived_uk=values["arrived_uk"], today=timezone.localdate(), referred_on=None
        )
    if name == "referrals":
        return plausibility.referral(birth, values["received_at"])
    if name == "episodes":
        return plausibility.episode(birth, opened=values["opened_on"], closed=values["closed_on"])
    if name == "missing_episodes":
        return plausibility.missing(
            birth,
            started=values["started_at"],
            ended=values["ended_at"],
            interview_offered=values["return_interview_offered_at"],
            interview_completed=values["return_interview_completed_at"],
        )
    return []


def _column(spec: formats.FileSpec, attr: str) -> str:
    """The file's column for a model field a rule names."""
    for column in spec.columns:
        if column.attr == attr:
            return column.name
    return attr
