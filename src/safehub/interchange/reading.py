"""Reading a history set: the manifest, then each file's rows, each value checked.

Every problem is kept with its file, row and column (`Problem`); the caller decides, once all
files are read, whether anything may be written. Cross-file checks are in `importer`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils import timezone

from safehub.interchange import formats
from safehub.interchange.formats import Column, FileSpec, Kind
from safehub.rules import codes, spreadsheet, textfiles
from safehub.rules.geography import is_gss_code, normalise_postcode

CLOCK_SKEW = dt.timedelta(minutes=5)
EARLIEST_YEAR, LATEST_YEAR = 1900, 2199
LARGEST_INT = 2_147_483_647  # an integer column's largest value on every database
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
    # Corrections dated by the source before Safehub's history of the record: imported, and
    # recorded as learned at the import (importer._correct), each listed with its file and row.
    learned_now: list[Problem] = field(default_factory=list)
    # Files that could not be read to their end (not UTF-8, not CSV): checks across files
    # would only repeat their problems as broken references, so they are not made.
    unreadable: list[str] = field(default_factory=list)

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
    if not directory.is_dir():
        result.problems.append(Problem(str(directory), 0, "", "is not a folder"))
        return
    manifest = _manifest_object(directory / name, result)
    if manifest is None:
        return
    for key in sorted(set(manifest) - set(formats.MANIFEST_KEYS)):
        result.problems.append(Problem(name, 1, _shown(key), "is not a key of the manifest"))
    if manifest.get("format") != formats.FORMAT_NAME:
        result.problems.append(Problem(name, 1, "format", f"must be {formats.FORMAT_NAME!r}"))
    if manifest.get("version") != formats.FORMAT_VERSION:
        result.problems.append(
            Problem(name, 1, "version", f"must be {formats.FORMAT_VERSION} (this Safehub's)")
        )
    _manifest_source(manifest.get("source_system"), result)
    _manifest_time(manifest.get("extracted_at"), result)


def _manifest_object(path: Path, result: HistoryImport) -> dict[str, Any] | None:
    """The manifest's JSON object, or None with a problem saying what is wrong with it."""
    name = path.name
    if not path.is_file():
        problem = "is missing: it names the source system"
    elif path.stat().st_size > textfiles.MAX_MANIFEST_BYTES:
        problem = f"is larger than {textfiles.MAX_MANIFEST_BYTES:,} bytes: not a manifest"
    elif (text := _text(path, name, result)) is None:
        return None
    else:
        try:
            manifest = json.loads(text)
        except json.JSONDecodeError as error:
            problem = f"is not valid JSON ({error.msg} on line {error.lineno})"
        except (ValueError, RecursionError):  # a number too long to read, nesting too deep
            problem = "is not JSON Safehub can read"
        else:
            if isinstance(manifest, dict):
                return manifest
            problem = "is not a JSON object"
    result.problems.append(Problem(name, 0, "", problem))
    return None


def _shown(name: str) -> str:
    """A column or key name as given, quoted when it holds what would not show plainly."""
    return name if name.isprintable() and len(name) <= 60 else repr(name)[:60]  # noqa: PLR2004


def _manifest_source(source: object, result: HistoryImport) -> None:
    if (
        isinstance(source, str)
        and SOURCE_NAME.fullmatch(source)
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


def _text(path: Path, name: str, result: HistoryImport) -> str | None:
    """The file's text, or None with a problem saying why it is not UTF-8 text."""
    try:
        return textfiles.decode(path.read_bytes())
    except textfiles.NotUtf8Error as error:
        result.problems.append(Problem(name, 0, "", error.message))
        result.unreadable.append(name)
        return None


def read_file(directory: Path, spec: FileSpec, result: HistoryImport, ids: set[str]) -> list[Row]:
    """The file's checked rows; a missing file is a kind the source has none of."""
    path = directory / spec.filename
    if not path.is_file():
        return []
    text = _text(path, spec.filename, result)
    if text is None:
        return []
    reader = csv.reader(io.StringIO(text, newline=""))
    line = 0  # the last row read, counting the header as row 1
    try:
        header = [name.strip() for name in next(reader, [])]
        line = 1
        problems = _header_problems(spec, header)
        if problems:
            result.problems.extend(problems)
            if spec.id_column.name in header:
                at = header.index(spec.id_column.name)
                ids.update(raw[at].strip() for raw in reader if len(raw) > at)
            return []
        checker = _RowChecker(spec, result)
        rows: list[Row] = []
        first_seen: dict[str, int] = {}
        for raw in reader:
            line += 1
            result.rows_read[spec.name] += 1
            if len(raw) > len(header):
                result.problems.append(
                    Problem(spec.filename, line, "", "has more values than the header")
                )
                continue
            values = dict(zip(header, raw, strict=False))
            ids.add((values.get(spec.id_column.name) or "").strip())
            row = checker.check(line, values)
            if row is None:
                continue
            earlier = first_seen.setdefault(row.legacy_id, line)
            if earlier != line:
                result.problems.append(
                    Problem(spec.filename, line, spec.id_column.name, f"is also on row {earlier}")
                )
                continue
            rows.append(row)
    except csv.Error as error:
        # The reader cannot tell where the next row starts after this: stop reading the file.
        text = str(error)
        message = (
            f"has a value longer than {textfiles.MAX_VALUE:,} characters, the most one may hold"
            if "field larger than field limit" in text
            else f"is not readable as CSV ({text})"
        )
        result.problems.append(
            Problem(spec.filename, line + 1, "", f"{message}; nothing after it was read")
        )
        result.unreadable.append(spec.filename)
        return []
    return rows


def _header_problems(spec: FileSpec, header: list[str]) -> list[Problem]:
    return (
        [
            Problem(spec.filename, 1, name, "column is missing from the header")
            for name in spec.required
            if name not in header
        ]
        + [
            Problem(spec.filename, 1, _shown(name), "is not a column of the format")
            for name in header
            if name not in spec.names
        ]
        + [
            Problem(spec.filename, 1, name, "is in the header more than once")
            for name, count in Counter(header).items()
            if count > 1 and name in spec.names
        ]
    )


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

    def check(self, line: int, raw: dict[str, str]) -> Row | None:
        self.line, self.bad = line, False
        row = Row(line, "", {}, {}, self.extracted_at)
        for column in self.spec.columns:
            text = (raw.get(column.name) or "").strip()
            if column.kind in formats.TEXTUAL:
                text = spreadsheet.restore(text)  # an export's neutralised formula, as it was
            if (why := textfiles.bad_character(text)) is not None:
                self.problem(column.name, why)
            elif column.required and not text:
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
            day = dt.date.fromisoformat(text)
        except ValueError:
            self.problem(column.name, f"{text!r} is not a real date like 2009-03-14")
            return None
        return day if self._in_range(column, day) else None

    def _in_range(self, column: Column, day: dt.date) -> bool:
        """A year a hub's record can hold; far-off ones are typing mistakes and may not store."""
        if EARLIEST_YEAR <= day.year <= LATEST_YEAR:
            return True
        self.problem(column.name, f"must be between {EARLIEST_YEAR} and {LATEST_YEAR}")
        return False

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
            return None
        return moment if self._in_range(column, moment.date()) else None

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
        # ASCII only: "²" and other digits Unicode knows are not numbers int() reads.
        if not (text.isascii() and text.isdigit()) or int(text) > LARGEST_INT:
            self.problem(column.name, f"{text!r} is not a whole number up to {LARGEST_INT:,}")
            return None
        return int(text)

    def _json(self, column: Column, text: str) -> dict[str, Any]:
        try:
            value = json.loads(text)
        except json.JSONDecodeError as error:
            self.problem(column.name, f"is not valid JSON ({error.msg})")
            return {}
        except (ValueError, RecursionError):  # a number too long to read, nesting too deep
            self.problem(column.name, "is not JSON Safehub can read")
            return {}
        if not isinstance(value, dict):
            self.problem(column.name, "must be a JSON object")
            return {}
        # JSON's escapes can spell what the file's bytes could not (\u0000): checked again.
        why = next(filter(None, map(textfiles.bad_character, _strings(value))), None)
        if why is not None:
            self.problem(column.name, why)
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


def _strings(value: Any) -> Iterator[str]:
    """Every string in a parsed JSON value, keys included."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


_EMPTY: dict[Kind, Any] = {Kind.BOOL: False, Kind.CODE: "", Kind.CODES: [], Kind.JSON: {}}


def _list(allowed: Iterable[Any]) -> str:
    values = [str(c.value) for c in allowed]
    shown = 12
    return ", ".join(values) if len(values) <= shown else f"{', '.join(values[:shown])} …"
