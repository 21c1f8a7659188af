"""Reading a history set: the manifest, then each file's rows, each value checked.

Every problem is kept with its file, row and column (`Problem`); the caller decides, once all
files are read, whether anything may be written. Cross-file checks are in `importer`.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils import timezone

from safehub.interchange import formats
from safehub.interchange.formats import Column, FileSpec, Kind
from safehub.rules import codes, spreadsheet
from safehub.rules.geography import is_gss_code, normalise_postcode

CLOCK_SKEW = dt.timedelta(minutes=5)
SOURCE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


@dataclass(frozen=True)
class Problem:
    file: str
    row: int  # counting the header as row 1, as a spreadsheet shows it; 0 for the whole file
    field: str
    message: str

    def __str__(self) -> str:
        if not self.row:
            return f"{self.file}: {self.message}"
        where = f"row {self.row}, {self.field}" if self.field else f"row {self.row}"
        return f"{self.file}: {where}: {self.message}"


@dataclass
class HistoryImport:
    """What an import did, or (for a dry run) would do, per file."""

    dry_run: bool = False
    source_system: str = ""
    extracted_at: dt.datetime | None = None
    rows_read: Counter[str] = field(default_factory=Counter)
    created: Counter[str] = field(default_factory=Counter)
    corrected: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class HistoryImportError(Exception):
    """The set was refused; nothing was imported. `result.problems` lists every problem."""

    def __init__(self, result: HistoryImport) -> None:
        super().__init__(f"{len(result.problems)} problem(s); nothing imported")
        self.result = result


@dataclass(slots=True)
class Row:
    """One checked row: model field values parsed, references still as source ids."""

    line: int
    legacy_id: str
    values: dict[str, Any]
    refs: dict[str, str]  # model field (e.g. "child") -> the source id it names
    recorded_at: dt.datetime
    ward_code: str = ""


def read_manifest(directory: Path, result: HistoryImport) -> None:
    name = formats.MANIFEST
    path = directory / name
    if not directory.is_dir():
        result.problems.append(Problem(str(directory), 0, "", "is not a folder"))
        return
    if not path.is_file():
        result.problems.append(Problem(name, 0, "", "is missing: it names the source system"))
        return
    try:
        manifest = json.loads(path.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as error:
        result.problems.append(Problem(name, 0, "", f"is not valid JSON ({error.msg})"))
        return
    if not isinstance(manifest, dict):
        result.problems.append(Problem(name, 0, "", "is not a JSON object"))
        return
    for key in sorted(set(manifest) - set(formats.MANIFEST_KEYS)):
        result.problems.append(Problem(name, 1, key, "is not a key of the manifest"))
    if manifest.get("format") != formats.FORMAT_NAME:
        result.problems.append(Problem(name, 1, "format", f"must be {formats.FORMAT_NAME!r}"))
    if manifest.get("version") != formats.FORMAT_VERSION:
        result.problems.append(
            Problem(name, 1, "version", f"must be {formats.FORMAT_VERSION} (this Safehub's)")
        )
    _manifest_source(manifest.get("source_system"), result)
    _manifest_time(manifest.get("extracted_at"), result)


def _manifest_source(source: object, result: HistoryImport) -> None:
    if (
        isinstance(source, str)
        and SOURCE_NAME.match(source)
        and len(source) <= formats.SOURCE_LENGTH
    ):
        result.source_system = source
        return
    result.problems.append(
        Problem(
            formats.MANIFEST,
            1,
            "source_system",
            f"must be a name of at most {formats.SOURCE_LENGTH} letters, digits, '.', '-', '_'",
        )
    )


def _manifest_time(extracted: object, result: HistoryImport) -> None:
    moment = _moment(extracted) if isinstance(extracted, str) else None
    if moment is None:
        message = "must be a date and time with an offset, like 2024-03-31T18:00:00+01:00"
    elif moment > timezone.now() + CLOCK_SKEW:
        message = "must not be in the future"
    else:
        result.extracted_at = moment
        return
    result.problems.append(Problem(formats.MANIFEST, 1, "extracted_at", message))


def _moment(text: str) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def read_file(directory: Path, spec: FileSpec, result: HistoryImport, ids: set[str]) -> list[Row]:
    """The file's checked rows; a missing file is a kind the source has none of."""
    path = directory / spec.filename
    if not path.is_file():
        return []
    checker = _RowChecker(spec, result)
    rows: list[Row] = []
    first_seen: dict[str, int] = {}
    with path.open(encoding="utf-8-sig", newline="") as stream:
        reader = csv.DictReader(stream)
        header = list(reader.fieldnames or [])
        problems = [
            Problem(spec.filename, 1, name, "column is missing from the header")
            for name in spec.required
            if name not in header
        ] + [
            Problem(spec.filename, 1, name, "is not a column of the format")
            for name in header
            if name not in spec.names
        ]
        if problems:
            result.problems.extend(problems)
            ids.update((raw.get(spec.id_column.name) or "").strip() for raw in reader)
            return []
        for line, raw in enumerate(reader, start=2):
            result.rows_read[spec.name] += 1
            if None in raw:
                result.problems.append(
                    Problem(spec.filename, line, "", "has more values than the header")
                )
                continue
            ids.add((raw.get(spec.id_column.name) or "").strip())
            row = checker.check(line, raw)
            if row is None:
                continue
            earlier = first_seen.setdefault(row.legacy_id, line)
            if earlier != line:
                result.problems.append(
                    Problem(spec.filename, line, spec.id_column.name, f"is also on row {earlier}")
                )
                continue
            rows.append(row)
    return rows


class _RowChecker:
    """Reads one row's values by the file's columns, noting a problem for each bad one."""

    def __init__(self, spec: FileSpec, result: HistoryImport) -> None:
        if result.extracted_at is None:  # pragma: no cover - the manifest was read first
            raise AssertionError("the manifest gives the extract's time")
        self.spec = spec
        self.result = result
        self.extracted_at: dt.datetime = result.extracted_at
        self.today = timezone.localdate()
        self.line = 0
        self.bad = False
        self.parsers: dict[Kind, Callable[[Column, str], Any]] = {
            Kind.DATE: self._date,
            Kind.MOMENT: self._moment,
            Kind.MOMENT_OR_DATE: self._moment,
            Kind.BOOL: self._bool,
            Kind.CODE: self._code,
            Kind.CODES: self._codes,
            Kind.INT: self._int,
            Kind.JSON: self._json,
        }
        self.rules: dict[str, Callable[[dict[str, Any]], None]] = {
            "children": self._child_rules,
            "addresses": self._address_rules,
            "episodes": lambda v: self._period(v, "opened_on", "closed_on", strict=False),
            "screenings": self._screening_rules,
            "missing_episodes": self._missing_rules,
            "referrals": self._referral_rules,
        }

    def problem(self, column: str, message: str) -> None:
        self.result.problems.append(Problem(self.spec.filename, self.line, column, message))
        self.bad = True

    def check(self, line: int, raw: dict[str, str | None]) -> Row | None:
        self.line, self.bad = line, False
        row = Row(line, "", {}, {}, self.extracted_at)
        for column in self.spec.columns:
            text = (raw.get(column.name) or "").strip()
            if column.kind in formats.TEXTUAL:
                text = spreadsheet.restore(text)  # an export's neutralised formula, as it was
            if column.required and not text:
                self.problem(column.name, "is required")
            elif column.max_length is not None and len(text) > column.max_length:
                self.problem(column.name, f"must be at most {column.max_length} characters")
            else:
                self._take(row, column, text)
        rule = self.rules.get(self.spec.name)
        if rule is not None and not self.bad:
            rule(row.values)
        return None if self.bad else row

    def _take(self, row: Row, column: Column, text: str) -> None:
        if column.kind is Kind.ID:
            row.legacy_id = text
        elif column.kind is Kind.REF:
            if text:
                row.refs[column.attr] = text
        elif column is formats.RECORDED_AT:
            if text:
                moment = self._moment(column, text)
                if moment is not None and moment > self.extracted_at:
                    self.problem(column.name, "must not be after the manifest's extracted_at")
                row.recorded_at = moment or self.extracted_at
        elif column.name == "ward_code":
            if text and not is_gss_code(text):
                self.problem(column.name, f"{text!r} is not an ONS ward code")
            row.ward_code = text
        else:
            row.values[column.attr] = self.value(column, text)

    def value(self, column: Column, text: str) -> Any:
        if column.kind is Kind.TEXT:
            return text
        if not text:
            return _EMPTY.get(column.kind)
        return self.parsers[column.kind](column, text)

    def _date(self, column: Column, text: str) -> dt.date | None:
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            self.problem(column.name, f"{text!r} is not a real date like 2009-03-14")
            return None

    def _moment(self, column: Column, text: str) -> dt.datetime | None:
        moment = _moment(text)
        if moment is None and column.kind is Kind.MOMENT_OR_DATE:
            try:
                day = dt.date.fromisoformat(text)
            except ValueError:
                pass
            else:
                return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())
        if moment is None:
            self.problem(
                column.name,
                f"{text!r} is not a real date and time with an offset, "
                "like 2016-10-03T10:15:00+01:00",
            )
        return moment

    def _bool(self, column: Column, text: str) -> bool:
        if text.lower() not in {"true", "false"}:
            self.problem(column.name, "must be true or false")
        return text.lower() == "true"

    def _code(self, column: Column, text: str) -> str:
        allowed = column.codes
        if allowed is not None and text not in {str(c.value) for c in allowed}:
            self.problem(column.name, f"{text!r} is not a known code ({_list(allowed)})")
        return text

    def _codes(self, column: Column, text: str) -> list[str]:
        parts = sorted({p.strip() for p in text.split(";") if p.strip()})
        for part in parts:
            self._code(column, part)
        return parts

    def _int(self, column: Column, text: str) -> int | None:
        if not text.isdigit():
            self.problem(column.name, f"{text!r} is not a whole number")
            return None
        return int(text)

    def _json(self, column: Column, text: str) -> dict[str, Any]:
        try:
            value = json.loads(text)
        except json.JSONDecodeError as error:
            self.problem(column.name, f"is not valid JSON ({error.msg})")
            return {}
        if not isinstance(value, dict):
            self.problem(column.name, "must be a JSON object")
            return {}
        return value

    # Rules between the columns of one row, per file.

    def _child_rules(self, values: dict[str, Any]) -> None:
        nhs = values["nhs_number"].replace(" ", "")
        values["nhs_number"] = nhs
        if nhs and not codes.nhs_number_is_valid(nhs):
            self.problem("nhs_number", "is not a valid NHS number")
        born = values.get("date_of_birth")
        if born is not None and born > self.today:
            self.problem("date_of_birth", "must not be in the future")
        values["ethnicity"] = values["ethnicity"] or "NOBT"
        values["ethnicity_source"] = values["ethnicity_source"] or "not_obtained"

    def _address_rules(self, values: dict[str, Any]) -> None:
        self._period(values, "valid_from", "valid_to", strict=True)
        if values["postcode"]:
            postcode = normalise_postcode(values["postcode"])
            if postcode is None:
                self.problem("postcode", f"{values['postcode']!r} is not a postcode")
            values["postcode"] = postcode or ""

    def _screening_rules(self, values: dict[str, Any]) -> None:
        if not values["tool_id"]:
            values["tool_id"] = formats.RECORDED_LEVEL_TOOL
            values["tool_version"] = values["tool_version"] or 0
        elif values["tool_version"] is None:
            self.problem("tool_version", "is required when tool_id is given")
        values["final_level"] = values["final_level"] or values["computed_level"]

    def _missing_rules(self, values: dict[str, Any]) -> None:
        values["kind"] = values["kind"] or "missing"
        self._period(values, "started_at", "ended_at", strict=False)

    def _referral_rules(self, values: dict[str, Any]) -> None:
        values["external_reference"] = values["external_reference"] or None
        if values["received_at"] > self.extracted_at:
            self.problem("received_at", "must not be after the manifest's extracted_at")

    def _period(self, values: dict[str, Any], start: str, end: str, *, strict: bool) -> None:
        begins, ends = values.get(start), values.get(end)
        if begins is None or ends is None:
            return
        if ends < begins or (strict and ends == begins):
            after = "after" if strict else "on or after"
            self.problem(end, f"must be {after} {start}")


_EMPTY: dict[Kind, Any] = {Kind.BOOL: False, Kind.CODE: "", Kind.CODES: [], Kind.JSON: {}}


def _list(allowed: Iterable[Any]) -> str:
    values = [str(c.value) for c in allowed]
    shown = 12
    return ", ".join(values) if len(values) <= shown else f"{', '.join(values[:shown])} …"
