"""Moving every row of one child to another, and back, by primary key.

Which tables hold a child is read from the model registry, not listed by hand: every foreign
key to `people.Child` in any installed app, the history tables of django-simple-history
included, so a feature added later is merged without anyone remembering to add it here. Rows
are moved with `UPDATE`, not `save()`, so a merge writes no history rows of its own: its record
is the `Merge` row and the audit trail, and an unmerge leaves the history exactly as it was.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models

from safehub.people.models import Child

# The queue's own rows name both children on purpose; the tombstone link is the merge itself.
SKIP_APPS = frozenset({"duplicates"})
CHUNK = 500


@dataclass(frozen=True)
class ChildKey:
    model: type[models.Model]
    field: models.ForeignKey[Child, Child]

    @property
    def label(self) -> str:
        return f"{self.model._meta.label_lower}.{self.field.name}"  # noqa: SLF001

    @property
    def base(self) -> type[models.Model] | None:
        """For a history table, the model whose history it is."""
        return getattr(self.model, "instance_type", None) if self.is_history else None

    @property
    def is_history(self) -> bool:
        return getattr(self.model, "instance_type", None) is not None


def _holds_children(model: type[models.Model]) -> bool:
    meta = model._meta  # noqa: SLF001
    if meta.app_label in SKIP_APPS or meta.proxy or not meta.managed:
        return False
    # The child's own row and history: a tombstone keeps its identity.
    return model is not Child and getattr(model, "instance_type", None) is not Child


def child_keys() -> list[ChildKey]:
    """Every concrete foreign key to a child, live tables first, then history tables."""
    keys = [
        ChildKey(model, f)
        for model in apps.get_models(include_auto_created=True)
        if _holds_children(model)
        for f in model._meta.concrete_fields  # noqa: SLF001
        if isinstance(f, models.ForeignKey) and f.related_model is Child
    ]
    return sorted(keys, key=lambda k: (k.is_history, k.label))


def _attname(f: object) -> str:
    return str(getattr(f, "attname", ""))


def _unique_partners(key: ChildKey) -> list[tuple[str, ...]]:
    """For each unconditional uniqueness rule that includes the child, the other fields."""
    meta = key.model._meta  # noqa: SLF001
    if key.field.unique:
        return [()]
    groups = [tuple(fields) for fields in meta.unique_together] + [
        tuple(c.fields) for c in meta.total_unique_constraints if c.condition is None
    ]
    return [
        tuple(_attname(meta.get_field(f)) for f in group if f != key.field.name)
        for group in groups
        if key.field.name in group
    ]


@dataclass
class Moves:
    moved: dict[str, list[int]] = field(default_factory=dict)
    kept: dict[str, list[int]] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        return {label: len(ids) for label, ids in self.moved.items() if ids}


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _update(key: ChildKey, ids: list[int], child_id: int) -> None:
    manager = key.model._base_manager  # noqa: SLF001 - every row, whatever a default manager hides
    for chunk in _chunks(ids):
        manager.filter(pk__in=chunk).update(**{key.field.attname: child_id})


def _kept_rows(key: ChildKey, rows: list[dict[str, Any]], survivor: int) -> set[int]:
    """The merged child's rows the survivor already has an equal of, under a uniqueness rule."""
    kept: set[int] = set()
    manager = key.model._base_manager  # noqa: SLF001
    for partners in _unique_partners(key):
        theirs = {
            tuple(r[f] for f in partners)
            for r in manager.filter(**{key.field.attname: survivor}).values(*partners)
        }
        kept |= {int(r["pk"]) for r in rows if tuple(r[f] for f in partners) in theirs}
    return kept


def move_all(merged: int, survivor: int) -> Moves:
    """Re-point every row of child `merged` to `survivor`; returns what moved, per table."""
    moves = Moves()
    for key in child_keys():
        manager = key.model._base_manager  # noqa: SLF001
        partners = {f for group in _unique_partners(key) for f in group}
        fields = ["pk", *partners]
        if key.is_history:
            fields.append("id")
        rows = list(manager.filter(**{key.field.attname: merged}).order_by("pk").values(*fields))
        if not rows:
            continue
        kept: set[int] = set()
        if key.is_history:
            base = key.base
            base_label = f"{base._meta.label_lower}.{key.field.name}" if base else ""  # noqa: SLF001
            kept_base = set(moves.kept.get(base_label, []))
            # A row kept with the tombstone keeps its history there too.
            kept = {int(r["pk"]) for r in rows if r["id"] in kept_base}
        else:
            kept = _kept_rows(key, rows, survivor)
        ids = [int(r["pk"]) for r in rows if int(r["pk"]) not in kept]
        _update(key, ids, survivor)
        moves.moved[key.label] = ids
        if kept:
            moves.kept[key.label] = sorted(kept)
    return moves


def move_back(moved: dict[str, list[int]], merged: int) -> None:
    """Put the rows a merge moved back on the merged child, by primary key."""
    keys = {key.label: key for key in child_keys()}
    for label, ids in moved.items():
        if label not in keys:
            raise LookupError(f"the merge moved rows of {label}, which no longer exists")
        _update(keys[label], ids, merged)
