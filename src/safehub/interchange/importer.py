"""Importing a hub's history from another system: every file checked, then all or nothing.

The set is a folder in the history format (docs/history-format.md, `formats`): a manifest
naming the source system and when the extract was taken, and one CSV file per kind of record.
Every row and every cross-reference is checked before anything is written, and every problem
is reported with its file, row and column, so whoever prepared the extract can fix them all
in one pass. Rows are keyed by the source system's own identifiers (kept as
`LegacyIdentifier`), so importing the same set again adds nothing, and a row whose values
changed since becomes a correction in the record's history rather than a second record.

Dates in the files are valid time. The record time of each row (its `recorded_at`, else the
extract's time) becomes the time of its history row, so "as recorded by T" questions about the
old system's data are answered as they would have been then; Safehub's own time of writing it
is kept beside it (`learned_at`). A correction the source dates before Safehub's history of
the record is recorded as learned now (`_correct`).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import IntegrityError, models, transaction
from django.db.models import Max
from django.utils import timezone

from safehub.access.policy import Principal, require, user_or_none
from safehub.audit import services as audit
from safehub.episodes.models import Episode, MissingEpisode, RiskChange
from safehub.geo.models import PostcodeWard, Ward
from safehub.interchange import formats, plausible
from safehub.interchange.formats import FileSpec, Kind
from safehub.interchange.models import LegacyIdentifier
from safehub.interchange.reading import (
    HistoryImport,
    HistoryImportError,
    Problem,
    Row,
    read_file,
    read_manifest,
)
from safehub.people.models import AddressPeriod, Child
from safehub.referrals.bulk import create_with_history
from safehub.referrals.import_lock import import_transaction
from safehub.referrals.models import Decision, Referral, Screening

MODELS: dict[str, type[models.Model]] = {
    "children": Child,
    "addresses": AddressPeriod,
    "episodes": Episode,
    "risk_changes": RiskChange,
    "referrals": Referral,
    "screenings": Screening,
    "decisions": Decision,
    "missing_episodes": MissingEpisode,
}
BATCH = 5000
RACED = (
    "a record this set also writes was written by someone else while the import ran; nothing "
    "was imported. Run it again"
)
Progress = Callable[[str, int, int], None]
__all__ = ["HistoryImport", "HistoryImportError", "Problem", "import_history"]


@dataclass
class _Set:
    """Everything read from the folder, and what is already in Safehub from this source."""

    rows: dict[str, list[Row]]
    known: dict[str, dict[str, int]]  # kind -> source id -> Safehub pk, from earlier imports
    # Every id in each file, rows with problems included: a bad row is reported once, not
    # again by each row that refers to it.
    ids: dict[str, set[str]]


def import_history(
    directory: Path,
    *,
    acting_user: Principal,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> HistoryImport:
    """Check every file of the set, then import it all in one transaction, or nothing.

    Raises HistoryImportError listing every problem. A dry run checks and counts exactly as
    an import would, and writes nothing.
    """
    require(acting_user, "history:import")
    result = HistoryImport(dry_run=dry_run)
    read_manifest(directory, result)
    if result.problems or result.extracted_at is None:
        raise HistoryImportError(result)
    ids: dict[str, set[str]] = defaultdict(set)
    rows = {spec.name: read_file(directory, spec, result, ids[spec.name]) for spec in formats.FILES}
    if result.unreadable:
        raise HistoryImportError(_sorted(result))
    # What is already in Safehub is read, checked against and written to in one transaction
    # holding the import lock: a second import cannot write between the checks and the writes.
    with import_transaction():
        the_set = _Set(rows, _known(result.source_system), ids)
        wards = _Wards()
        _check_wards(the_set, wards, result)
        _check_references(the_set, result)
        _check_periods(the_set, result)
        _check_episodes(the_set, result)
        _check_uniques(the_set, result)
        plausible.check(the_set.rows, the_set.known, result)
        if result.problems:
            raise HistoryImportError(_sorted(result))
        try:
            _write(the_set, wards, acting_user, result, progress)
        except IntegrityError:
            # Checked in this transaction moments ago: only a write made meanwhile by someone
            # else, outside the import lock (a referral entered by hand with a reference the
            # set uses).
            result.problems.append(Problem(directory.name, 0, "", RACED))
            raise HistoryImportError(result) from None
        if dry_run:
            transaction.set_rollback(True)
            return result
        audit.write(
            acting_user,
            "history:imported",
            object_type="interchange.legacyidentifier",
            object_id=result.source_system,
            reason=_summary(result)[:500],
        )
    return result


def _sorted(result: HistoryImport) -> HistoryImport:
    """Problems grouped by file in the format's order, then by row: a file's fixes together."""
    order = {spec.filename: i for i, spec in enumerate(formats.FILES)}
    result.problems.sort(key=lambda p: (order.get(p.file, -1), p.row))
    return result


def _summary(result: HistoryImport) -> str:
    return "; ".join(
        f"{name}: {result.created[name]} new, {result.corrected[name]} corrected"
        for name in formats.BY_NAME
        if result.rows_read[name]
    )


# --- checking across files ------------------------------------------------------------


def _known(source_system: str) -> dict[str, dict[str, int]]:
    known: dict[str, dict[str, int]] = defaultdict(dict)
    rows = LegacyIdentifier.objects.filter(source_system=source_system).values_list(
        "kind", "legacy_id", "object_id"
    )
    for kind, legacy_id, object_id in rows.iterator(chunk_size=20_000):
        known[kind][legacy_id] = object_id
    return known


def _check_references(the_set: _Set, result: HistoryImport) -> None:
    """Each reference names a row of this set or one imported before from the same source."""
    for spec in formats.FILES:
        for column in spec.columns:
            if column.kind is not Kind.REF:
                continue
            target = column.refers_to
            ids = the_set.ids[target] | the_set.known[target].keys()
            result.problems.extend(
                Problem(
                    spec.filename,
                    row.line,
                    column.name,
                    f"{ref!r} is not a row of {target}.csv or of an earlier import",
                )
                for row in the_set.rows[spec.name]
                if (ref := row.refs.get(column.attr)) is not None and ref not in ids
            )


def _check_periods(the_set: _Set, result: HistoryImport) -> None:
    """A child's addresses and episodes do not overlap (only one episode may be open).

    Checked among the rows of this set: an extract gives each child's whole history.
    """
    for name, start, end in (
        ("addresses", "valid_from", "valid_to"),
        ("episodes", "opened_on", "closed_on"),
    ):
        by_child: dict[str, list[Row]] = defaultdict(list)
        for row in the_set.rows[name]:
            by_child[row.refs["child"]].append(row)
        for rows in by_child.values():
            rows.sort(key=lambda r, start=start: r.values[start])  # type: ignore[misc]
            result.problems.extend(
                Problem(
                    f"{name}.csv",
                    after.line,
                    start,
                    f"overlaps row {before.line} for the same child",
                )
                for before, after in itertools.pairwise(rows)
                if before.values[end] is None or before.values[end] > after.values[start]
            )


def _check_episodes(the_set: _Set, result: HistoryImport) -> None:
    """Risk changes fall within their episode; a referral's episode is its child's."""
    episodes = {r.legacy_id: r for r in the_set.rows["episodes"]}
    for row in the_set.rows["risk_changes"]:
        episode = episodes.get(row.refs["episode"])
        if episode is None:
            continue
        on, closed = row.values["effective_on"], episode.values["closed_on"]
        if on < episode.values["opened_on"] or (closed is not None and on > closed):
            result.problems.append(
                Problem(
                    "risk_changes.csv",
                    row.line,
                    "effective_on",
                    f"is outside episode {episode.legacy_id} (row {episode.line} of episodes.csv)",
                )
            )
    result.problems.extend(
        Problem("referrals.csv", row.line, "episode_id", "is an episode of another child")
        for row in the_set.rows["referrals"]
        if (episode := episodes.get(row.refs.get("episode", ""))) is not None
        and episode.refs["child"] != row.refs["child"]
    )


def _check_uniques(the_set: _Set, result: HistoryImport) -> None:
    """One decision per referral; an external reference names one referral in Safehub."""
    seen: dict[str, int] = {}
    for row in the_set.rows["decisions"]:
        earlier = seen.setdefault(row.refs["referral"], row.line)
        if earlier != row.line:
            result.problems.append(
                Problem(
                    "decisions.csv", row.line, "referral_id", f"has a decision on row {earlier}"
                )
            )
    references: dict[str, int] = {}
    mine = the_set.known["referrals"]
    taken = dict(
        Referral.objects.filter(external_reference__isnull=False).values_list(
            "external_reference", "pk"
        )
    )
    for row in the_set.rows["referrals"]:
        reference = row.values["external_reference"]
        if reference is None:
            continue
        earlier = references.setdefault(reference, row.line)
        if earlier != row.line:
            message = f"is also on row {earlier}"
        elif reference in taken and taken[reference] != mine.get(row.legacy_id):
            message = "is already used by another referral in Safehub"
        else:
            continue
        result.problems.append(Problem("referrals.csv", row.line, "external_reference", message))


# --- writing -----------------------------------------------------------------------------


class _Wards:
    """Places an address in the ward in force on its first day, by code or postcode."""

    def __init__(self) -> None:
        self.by_code: dict[str, list[tuple[dt.date, dt.date | None, int]]] = defaultdict(list)
        for pk, code, since, until in Ward.objects.values_list(
            "pk", "code", "ward_set__valid_from", "ward_set__valid_to"
        ):
            self.by_code[code].append((since, until, pk))
        self.by_postcode: dict[str, list[tuple[dt.date, dt.date | None, int]]] = defaultdict(list)
        for postcode, ward_id, since, until in PostcodeWard.objects.values_list(
            "postcode", "ward_id", "ward_set__valid_from", "ward_set__valid_to"
        ).iterator(chunk_size=20_000):
            self.by_postcode[postcode].append((since, until, ward_id))

    @staticmethod
    def _on(candidates: list[tuple[dt.date, dt.date | None, int]], on: dt.date) -> int | None:
        for since, until, pk in candidates:
            if since <= on and (until is None or on < until):
                return pk
        # Outside every loaded set: the newest boundaries that have it, as resolve_ward does.
        return max(candidates)[2] if candidates else None

    def place(self, row: Row) -> tuple[int | None, str]:
        on = row.values["valid_from"]
        if row.ward_code:
            return self._on(self.by_code[row.ward_code], on), "import"
        if row.values["postcode"]:
            ward = self._on(self.by_postcode.get(row.values["postcode"], []), on)
            return ward, "postcode" if ward is not None else ""
        return None, ""


def _check_wards(the_set: _Set, wards: _Wards, result: HistoryImport) -> None:
    result.problems.extend(
        Problem("addresses.csv", r.line, "ward_code", f"{r.ward_code} is not a ward in Safehub")
        for r in the_set.rows["addresses"]
        if r.ward_code and r.ward_code not in wards.by_code
    )


def _write(
    the_set: _Set,
    wards: _Wards,
    acting_user: Principal,
    result: HistoryImport,
    progress: Progress | None,
) -> None:
    """Create what is new and correct what changed, kind by kind, in dependency order."""
    user = user_or_none(acting_user)
    source, extracted_at = result.source_system, result.extracted_at
    reason = f"import from {source} extracted {extracted_at:%Y-%m-%dT%H:%M:%S%z}"
    correction = f"import correction from {source} {extracted_at:%Y-%m-%dT%H:%M:%S%z}"
    for spec in formats.FILES:
        model = MODELS[spec.name]
        rows = the_set.rows[spec.name]
        known = the_set.known[spec.name]
        new: list[tuple[Row, models.Model]] = []
        existing = model._default_manager.in_bulk(  # noqa: SLF001
            [known[r.legacy_id] for r in rows if r.legacy_id in known]
        )
        done = 0
        corrections: list[tuple[Row, models.Model, dict[str, Any]]] = []
        for row in rows:
            fields = _fields(spec, row, the_set, wards)
            pk = known.get(row.legacy_id)
            if pk is None:
                obj = model(**fields)
                obj.__dict__["_history_date"] = row.recorded_at
                new.append((row, obj))
                continue
            current = existing[pk]
            # When the hub graded or recorded it stays as first imported: a correction is
            # recorded in the history, at the time the source system made it.
            fields.pop("recorded_at", None)
            changed = {k: v for k, v in fields.items() if getattr(current, k) != v}
            if not changed:
                result.unchanged[spec.name] += 1
                continue
            corrections.append((row, current, changed))
        _correct(spec, model, corrections, user=user, reason=correction, result=result)
        for start in range(0, len(new), BATCH):
            batch = new[start : start + BATCH]
            created = [obj for _, obj in batch]
            create_with_history(
                created,
                user=user,
                reason=reason,
                dates=[row.recorded_at for row, _ in batch],
                from_source=True,
            )
            LegacyIdentifier.objects.bulk_create(
                [
                    LegacyIdentifier(
                        source_system=source,
                        kind=spec.name,
                        legacy_id=row.legacy_id,
                        object_id=obj.pk,
                    )
                    for (row, _), obj in zip(batch, created, strict=True)
                ],
                batch_size=BATCH,
            )
            for (row, _), obj in zip(batch, created, strict=True):
                known[row.legacy_id] = obj.pk
            done += len(batch)
            if progress is not None:
                progress(spec.name, done, len(new))
        result.created[spec.name] = len(new)


def _recorded(model: type[models.Model], pks: list[int]) -> dict[int, dt.datetime]:
    """The newest record time in each record's history."""
    history = model.history.model  # type: ignore[attr-defined]
    newest: dict[int, dt.datetime] = {}
    for start in range(0, len(pks), 500):  # SQLite's parameter limit
        newest |= dict(
            history.objects.filter(id__in=pks[start : start + 500])
            .order_by()
            .values("id")
            .annotate(newest=Max("history_date"))
            .values_list("id", "newest")
        )
    return newest


def _correct(  # noqa: PLR0913 - the import's state, passed down
    spec: FileSpec,
    model: type[models.Model],
    corrections: list[tuple[Row, models.Model, dict[str, Any]]],
    *,
    user: Any,
    reason: str,
    result: HistoryImport,
) -> None:
    """Apply each correction with its history row at the time the source system made it.

    A correction the source dates before the newest time in the record's history here would
    land behind what Safehub already holds, so a snapshot would go on showing the old values
    (and one as known before the import would hold the correction without its record). It is
    recorded as learned now instead, with the source's time kept beside it
    (`source_recorded_at`), and listed for whoever runs the import.
    """
    newest = _recorded(model, [current.pk for _, current, _ in corrections])
    now = timezone.now()
    for row, current, changed in corrections:
        result.corrected[spec.name] += 1
        when, last = row.recorded_at, newest.get(current.pk)
        if last is not None and when < last:
            result.learned_now.append(
                Problem(
                    spec.filename,
                    row.line,
                    "recorded_at",
                    f"{when.isoformat()} is before Safehub's history of {row.legacy_id} (last "
                    f"recorded {last.isoformat()}): recorded as learned now",
                )
            )
            when = now
        for name, value in changed.items():
            setattr(current, name, value)
        # django-simple-history reads these from the instance for the history row.
        current.__dict__.update(
            _history_date=when,
            _learned_at=now,
            _source_recorded_at=row.recorded_at,
            _history_user=user,
            _change_reason=reason,
        )
        current.save()


def _fields(spec: FileSpec, row: Row, the_set: _Set, wards: _Wards) -> dict[str, Any]:
    """The model's field values (foreign keys as ids) for one row."""
    fields = dict(row.values)
    for column in spec.columns:
        if column.kind is Kind.REF:
            ref = row.refs.get(column.attr)
            fields[f"{column.attr}_id"] = (
                the_set.known[column.refers_to][ref] if ref is not None else None
            )
    if spec.name == "addresses":
        fields["ward_id"], fields["ward_method"] = wards.place(row)
    elif spec.name == "screenings":
        fields["result"] = {"level": fields["computed_level"], "source": "history import"}
    elif spec.name in {"referrals", "risk_changes"}:
        fields["recorded_at"] = row.recorded_at
    return fields
