"""Children as standardised records, and their blocking keys kept in `ChildKey`.

A child known by other names (`ChildAlias`: a street name, a former surname) is filed under
the keys of each name too, so a referral made under an alias finds the child.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from django.db import transaction
from django.db.models import OuterRef, Subquery

from safehub.matching import keys, standardise
from safehub.matching.models import ChildKey
from safehub.people.models import AddressPeriod, Child, ChildAlias

BATCH = 2000
FIELDS = (
    "pk", "given_name", "family_name", "date_of_birth", "dob_approximate", "sex", "nhs_number",
    "upn", "school",
)  # fmt: skip
Names = tuple[str, str]


def _latest_postcode() -> Subquery:
    return Subquery(
        AddressPeriod.objects.filter(child=OuterRef("pk"), withdrawn_at__isnull=True)
        .exclude(postcode="")
        .order_by("-valid_from", "-pk")
        .values("postcode")[:1]
    )


def _standardised(row: Mapping[str, Any], given: str, family: str) -> dict[str, object]:
    return {
        "unique_id": row["pk"],
        **standardise.record(
            given_name=given,
            family_name=family,
            date_of_birth=row["date_of_birth"],
            dob_approximate=row["dob_approximate"],
            sex_code=row["sex"],
            postcode_text=row["postcode"],
            school_name=row["school"],
            nhs=row["nhs_number"],
            upn_text=row["upn"],
        ),
    }


def _rows(children: Iterable[int] | None) -> Iterator[dict[str, Any]]:
    rows = Child.objects.order_by("pk").annotate(postcode=_latest_postcode())
    if children is not None:
        rows = rows.filter(pk__in=list(children))
    yield from rows.values(*FIELDS, "postcode").iterator(chunk_size=5000)


def records(children: Iterable[int] | None = None) -> Iterator[dict[str, object]]:
    """Standardised records (`standardise.record` plus "unique_id", the child's pk)."""
    for row in _rows(children):
        yield _standardised(row, row["given_name"], row["family_name"])


def aliases(children: Iterable[int] | None = None) -> dict[int, list[Names]]:
    """Each child's other names; a part left blank on the alias is the child's own."""
    found: dict[int, list[Names]] = defaultdict(list)
    rows = ChildAlias.objects.order_by("pk")
    if children is not None:
        rows = rows.filter(child_id__in=list(children))
    for child, given, family in rows.values_list("child_id", "given_name", "family_name"):
        if given.strip() or family.strip():
            found[child].append((given, family))
    return found


def named_records(
    children: Iterable[int] | None = None, *, other_names: Mapping[int, list[Names]] | None = None
) -> Iterator[tuple[dict[str, object], str]]:
    """Each child's record under their own name (with ""), then under each alias (with the
    alias, as "given family")."""
    ids = None if children is None else list(children)
    if other_names is None:
        other_names = aliases(ids)
    for row in _rows(ids):
        yield _standardised(row, row["given_name"], row["family_name"]), ""
        for alias_given, alias_family in other_names.get(row["pk"], ()):
            given = alias_given or row["given_name"]
            family = alias_family or row["family_name"]
            yield _standardised(row, given, family), f"{given} {family}".strip()


def _keys_of(rows: Iterable[tuple[dict[str, object], str]]) -> Iterator[ChildKey]:
    filed: dict[int, set[str]] = defaultdict(set)
    for row, _ in rows:
        filed[int(row["unique_id"])] |= keys.stored(row)  # type: ignore[call-overload]
    for child, found in filed.items():
        yield from (ChildKey(child_id=child, key=key) for key in sorted(found))


def refresh(children: Iterable[int]) -> None:
    """File these children under their current keys (called when they change)."""
    ids = list(children)
    with transaction.atomic():
        for start in range(0, len(ids), BATCH):
            batch = ids[start : start + BATCH]
            ChildKey.objects.filter(child_id__in=batch).delete()
            ChildKey.objects.bulk_create(_keys_of(named_records(batch)))


def rebuild(*, batch: int = 5000, progress: Callable[[int, int], None] | None = None) -> int:
    """Every child's keys, afresh (after an import that bypassed the model's save)."""
    total = Child.objects.count()
    other_names = aliases()
    done = 0
    ChildKey.objects.all().delete()
    pending: list[ChildKey] = []
    group: list[tuple[dict[str, object], str]] = []
    for row, alias in named_records(other_names=other_names):
        if not alias and group:
            pending.extend(_keys_of(group))
            group = []
            done += 1
        group.append((row, alias))
        if len(pending) >= batch:
            ChildKey.objects.bulk_create(pending)
            pending = []
            if progress:
                progress(done, total)
    if group:
        pending.extend(_keys_of(group))
        done += 1
    ChildKey.objects.bulk_create(pending)
    if progress:
        progress(done, total)
    return done
