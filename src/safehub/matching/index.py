"""Children as standardised records, and their blocking keys kept in `ChildKey`."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from django.db import transaction
from django.db.models import OuterRef, Subquery

from safehub.matching import keys, standardise
from safehub.matching.models import ChildKey
from safehub.people.models import AddressPeriod, Child

BATCH = 2000
FIELDS = (
    "pk", "given_name", "family_name", "date_of_birth", "dob_approximate", "sex", "nhs_number",
    "upn", "school",
)  # fmt: skip


def _latest_postcode() -> Subquery:
    return Subquery(
        AddressPeriod.objects.filter(child=OuterRef("pk"), withdrawn_at__isnull=True)
        .exclude(postcode="")
        .order_by("-valid_from", "-pk")
        .values("postcode")[:1]
    )


def records(children: Iterable[int] | None = None) -> Iterator[dict[str, object]]:
    """Standardised records (`standardise.record` plus "unique_id", the child's pk)."""
    rows = Child.objects.order_by("pk").annotate(postcode=_latest_postcode())
    if children is not None:
        rows = rows.filter(pk__in=list(children))
    for row in rows.values(*FIELDS, "postcode").iterator(chunk_size=5000):
        yield {
            "unique_id": row["pk"],
            **standardise.record(
                given_name=row["given_name"],
                family_name=row["family_name"],
                date_of_birth=row["date_of_birth"],
                dob_approximate=row["dob_approximate"],
                sex_code=row["sex"],
                postcode_text=row["postcode"],
                school_name=row["school"],
                nhs=row["nhs_number"],
                upn_text=row["upn"],
            ),
        }


def refresh(children: Iterable[int]) -> None:
    """File these children under their current keys (called when they change)."""
    ids = list(children)
    with transaction.atomic():
        for start in range(0, len(ids), BATCH):
            batch = ids[start : start + BATCH]
            ChildKey.objects.filter(child_id__in=batch).delete()
            ChildKey.objects.bulk_create(
                ChildKey(child_id=int(row["unique_id"]), key=key)  # type: ignore[call-overload]
                for row in records(batch)
                for key in keys.stored(row)
            )


def rebuild(*, batch: int = 5000, progress: Callable[[int, int], None] | None = None) -> int:
    """Every child's keys, afresh (after an import that bypassed the model's save)."""
    total = Child.objects.count()
    done = 0
    ChildKey.objects.all().delete()
    pending: list[ChildKey] = []
    for row in records():
        child = int(row["unique_id"])  # type: ignore[call-overload]
        pending.extend(ChildKey(child_id=child, key=k) for k in keys.stored(row))
        done += 1
        if len(pending) >= batch:
            ChildKey.objects.bulk_create(pending)
            pending = []
            if progress:
                progress(done, total)
    ChildKey.objects.bulk_create(pending)
    if progress:
        progress(done, total)
    return done
