"""Exporting the hub's history in the history format, so a council can leave with its data.

The files are the importer's format exactly, written deterministically: rows sorted by their
identifier, dates and times in ISO 8601 (times in UTC), lists sorted, JSON with sorted keys.
Importing an export into an empty Safehub and exporting again gives the same bytes.

Identifiers: a record that came from another system keeps its identifier there (prefixed with
that system's name unless it is Safehub's own), so the trail back to the old system survives a
second move; a record made in Safehub gets `safehub:<kind>:<id>`. Each row's recorded_at is
when Safehub last recorded a change to it (its newest history row).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import models, transaction
from django.db.models import Max, QuerySet
from django.utils import timezone

from safehub.access.models import Role
from safehub.access.policy import Principal, System, require
from safehub.audit import services as audit
from safehub.interchange import formats
from safehub.interchange.formats import FileSpec, Kind
from safehub.interchange.importer import MODELS
from safehub.interchange.models import LegacyIdentifier
from safehub.people.models import Child
from safehub.people.queries import children_for
from safehub.rules import spreadsheet

# The singular used in Safehub's own identifiers, e.g. safehub:child:12.
SINGULAR = {
    "children": "child",
    "addresses": "address",
    "episodes": "episode",
    "risk_changes": "risk_change",
    "referrals": "referral",
    "screenings": "screening",
    "decisions": "decision",
    "missing_episodes": "missing_episode",
}
# How each kind reaches its child, to keep the export within the caller's scope.
CHILD_PATH = {
    "children": "pk",
    "addresses": "child",
    "episodes": "child",
    "risk_changes": "episode__child",
    "referrals": "child",
    "screenings": "referral__child",
    "decisions": "referral__child",
    "missing_episodes": "child",
}
# Rows withdrawn as entered in error, and what hangs off them, stay out of an export: the
# format has no column for a withdrawal, and a withdrawn row imported elsewhere would count
# again as live. They stay in this Safehub's history and audit trail.
WITHDRAWN = {
    "addresses": ("withdrawn_at",),
    "episodes": ("withdrawn_at",),
    "risk_changes": ("withdrawn_at", "episode__withdrawn_at"),
    "referrals": ("withdrawn_at",),
    "screenings": ("referral__withdrawn_at",),
    "decisions": ("referral__withdrawn_at",),
    "missing_episodes": ("withdrawn_at",),
}


@dataclass
class HistoryExport:
    rows: dict[str, int] = field(default_factory=dict)
    extracted_at: dt.datetime | None = None


def export_history(directory: Path, *, acting_user: Principal) -> HistoryExport:
    """Write every record the caller may see to `directory`, and audit the export.

    A hub manager exports the children in their scope. An administrator, or the operator at
    the server, exports the whole hub: that is the council leaving with its data, and the
    audit event records who took it.
    """
    require(acting_user, "history:export")
    directory.mkdir(parents=True, exist_ok=True)
    result = HistoryExport()
    with transaction.atomic():
        children = _scope(acting_user)
        ids = _identifiers()
        times: dict[str, dict[int, dt.datetime]] = {}
        for spec in formats.FILES:
            model = MODELS[spec.name]
            times[spec.name] = _recorded(model)
            queryset = model._default_manager.filter(  # noqa: SLF001
                **{f"{CHILD_PATH[spec.name]}__in": children.values("pk")},
                **{f"{path}__isnull": True for path in WITHDRAWN.get(spec.name, ())},
            )
            if spec.name == "addresses":
                queryset = queryset.select_related("ward")
            rows = sorted(_rows(spec, queryset, ids, times[spec.name]), key=lambda r: r[0])
            _write_csv(directory / spec.filename, spec, rows)
            result.rows[spec.name] = len(rows)
            latest = max((times[spec.name][pk] for pk in _pks(queryset)), default=None)
            if latest is not None and (result.extracted_at is None or latest > result.extracted_at):
                result.extracted_at = latest
        # The data are as recorded by their newest change: the same export twice, or an
        # export of an import of it, says the same.
        extracted_at = result.extracted_at or timezone.now()
        manifest = {
            "format": formats.FORMAT_NAME,
            "version": formats.FORMAT_VERSION,
            "source_system": formats.SAFEHUB_SOURCE,
            "extracted_at": _moment(extracted_at),
        }
        (directory / formats.MANIFEST).write_text(
            json.dumps(manifest, indent=2) + "\n", encoding="utf-8"
        )
        audit.write(
            acting_user,
            "history:exported",
            object_type="people.child",
            object_id=str(result.rows["children"]),
            reason="; ".join(f"{name}: {count}" for name, count in result.rows.items()),
        )
        # Each child's access log shows that their record left in an export.
        audit.write_each(
            acting_user,
            "child:exported",
            children.only("pk").order_by("pk"),
            context="listed: history export",
        )
    return result


def _scope(user: Principal) -> QuerySet[Child]:
    if isinstance(user, System) or getattr(user, "role", None) == Role.ADMINISTRATOR:
        # A record merged into another holds nothing of its own any more: it is not exported.
        return Child.objects.filter(merged_into=None)
    return children_for(user)


def _pks(queryset: QuerySet[Any]) -> Iterator[int]:
    return iter(queryset.values_list("pk", flat=True))


def _identifiers() -> dict[str, dict[int, str]]:
    """Each kind's Safehub id -> the identifier to export, from the legacy identifiers kept."""
    ids: dict[str, dict[int, str]] = defaultdict(dict)
    rows = LegacyIdentifier.objects.values_list("kind", "object_id", "source_system", "legacy_id")
    for kind, object_id, source, legacy_id in rows.iterator(chunk_size=20_000):
        exported = legacy_id if source == formats.SAFEHUB_SOURCE else f"{source}:{legacy_id}"
        current = ids[kind].get(object_id)
        # One record imported from two systems: the same choice every time.
        if current is None or exported < current:
            ids[kind][object_id] = exported
    return ids


def _recorded(model: type[models.Model]) -> dict[int, dt.datetime]:
    """Each row's newest history time: when Safehub last recorded a change to it."""
    history = model.history.model  # type: ignore[attr-defined]
    latest = history.objects.order_by().values("id").annotate(last=Max("history_date"))
    return {row["id"]: row["last"] for row in latest.iterator(chunk_size=20_000)}


def _identifier(ids: dict[str, dict[int, str]], kind: str, pk: int | None) -> str:
    if pk is None:
        return ""
    return ids[kind].get(pk) or f"{formats.SAFEHUB_SOURCE}:{SINGULAR[kind]}:{pk}"


def _rows(
    spec: FileSpec,
    queryset: QuerySet[Any],
    ids: dict[str, dict[int, str]],
    times: dict[int, dt.datetime],
) -> Iterable[list[str]]:
    for obj in queryset.iterator(chunk_size=5000):
        row: list[str] = []
        for column in spec.columns:
            if column.kind is Kind.ID:
                row.append(_identifier(ids, spec.name, obj.pk))
            elif column.kind is Kind.REF:
                row.append(_identifier(ids, column.refers_to, getattr(obj, f"{column.attr}_id")))
            elif column is formats.RECORDED_AT:
                row.append(_moment(times.get(obj.pk)))
            elif column.name == "ward_code":
                row.append(obj.ward.code if obj.ward is not None else "")
            else:
                row.append(_text(column.kind, getattr(obj, column.attr)))
        # Free text and identifiers cannot start a spreadsheet formula; typed values are left.
        yield [
            spreadsheet.neutralise(value) if column.kind in formats.TEXTUAL else value
            for column, value in zip(spec.columns, row, strict=True)
        ]


def _text(kind: Kind, value: Any) -> str:  # noqa: PLR0911 - one form per kind of value
    if value is None:
        return ""
    if kind in {Kind.MOMENT, Kind.MOMENT_OR_DATE}:
        return _moment(value)
    if kind is Kind.DATE:
        return str(value.isoformat())
    if kind is Kind.BOOL:
        return "true" if value else "false"
    if kind is Kind.CODES:
        return ";".join(sorted(value))
    if kind is Kind.JSON:
        if not value:
            return ""
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return str(value)


def _moment(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    return value.astimezone(dt.UTC).isoformat()


def _write_csv(path: Path, spec: FileSpec, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(spec.names)
        writer.writerows(rows)
