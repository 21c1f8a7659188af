"""Importing referrals from a file: all or nothing, idempotent, every problem reported at once.

A hub that moves to Safehub, or that takes referrals from a partner's system, has them in a
spreadsheet or an export. The file is read and every row checked before anything is written,
so whoever prepared it can fix every problem in one pass; any problem means nothing at all is
imported. Each row carries an `external_reference`, the referral's id in the system it came
from, so importing the same file again (or a later export that overlaps it) skips what is
already here. The format is documented in docs/import-format.md.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import json
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from enum import StrEnum
from pathlib import Path
from typing import IO, Any, Literal

from django.db import transaction
from django.utils import timezone

from safehub.access.models import Agency
from safehub.access.policy import Principal, require
from safehub.audit import services as audit
from safehub.referrals import import_writing as writing
from safehub.referrals import queries
from safehub.referrals.import_lock import import_transaction
from safehub.referrals.import_records import ReferralImport, ReferralImportError, Row, RowProblem
from safehub.rules import codes, plausibility, textfiles
from safehub.rules.geography import normalise_postcode

FileFormat = Literal["csv", "jsonl"]
FORMATS: Mapping[str, FileFormat] = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}

REQUIRED = (
    "external_reference",
    "received_at",
    "source",
    "exploitation_types",
    "concerns",
    "given_name",
    "family_name",
    "date_of_birth",
    "sex",
    "ethnicity",
    "ethnicity_source",
)
OPTIONAL = ("referring_agency", "nhs_number", "postcode")
COLUMNS = REQUIRED + OPTIONAL
__all__ = ["ReferralImport", "ReferralImportError", "Row", "RowProblem", "import_referrals"]

NAME_LENGTH = 100  # people.Child.given_name / family_name
REFERENCE_LENGTH = 100  # referrals.Referral.external_reference
# The referral service allows a little clock skew; a file is checked the same way.
CLOCK_SKEW = dt.timedelta(minutes=5)
# Dates outside these years are typing mistakes (and far-off ones cannot be stored everywhere).
EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2199, 12, 31)


Progress = Callable[[str, int, int], None]


def format_for(path: Path) -> FileFormat:
    """The file's format from its extension: .csv, or .jsonl (also .ndjson)."""
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        raise ValueError(
            f"{path.name}: use a .csv or .jsonl file (the extension says which)"
        ) from None


def import_referrals(
    source: IO[str] | bytes,
    *,
    file_format: FileFormat,
    acting_user: Principal,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ReferralImport:
    """Check every row, then import them all in one transaction, or nothing.

    `source` is the file's bytes (checked to be UTF-8 here) or a text stream. Raises
    ReferralImportError listing every problem, and ImportBusyError when another import is
    running. A dry run checks and counts exactly as an import would, and writes nothing.
    """
    # The import registers children and records referrals as their services would; asking
    # first refuses a user who may not before any row is read.
    for permission in ("referral:import", "referral:create", "child:create"):
        require(acting_user, permission)
    result = ReferralImport(dry_run=dry_run)
    if isinstance(source, bytes):
        try:
            stream: IO[str] = io.StringIO(textfiles.decode(source), newline="")
        except textfiles.NotUtf8Error as error:
            result.problems.append(RowProblem(0, "", error.message))
            raise ReferralImportError(result) from None
    else:
        stream = source
    rows = _checked_rows(stream, file_format, result)
    if result.problems:
        raise ReferralImportError(result)
    # Matching and writing read and write in one transaction that holds the import lock, so
    # what was matched is still so when written, and a second import cannot interleave.
    with import_transaction():
        planned = writing.plan(rows, acting_user, result)
        if result.problems:
            raise ReferralImportError(result)
        if dry_run:
            return result
        writing.write(planned, acting_user, result, progress)
        if result.problems:
            transaction.set_rollback(True)
            raise ReferralImportError(result)
        audit.write(
            acting_user,
            "referral:imported",
            object_type="referrals.referral",
            object_id=str(result.referrals),
        )
    return result


# --- reading and checking ----------------------------------------------------------------


def _records(
    stream: IO[str], file_format: FileFormat, result: ReferralImport
) -> Iterator[tuple[int, dict[str, Any]]]:
    """(row number, raw values) for each record; unreadable records become problems."""
    if file_format == "csv":
        return _csv_records(stream, result)
    return _jsonl_records(stream, result)


def _csv_records(stream: IO[str], result: ReferralImport) -> Iterator[tuple[int, dict[str, Any]]]:
    reader = csv.reader(stream)
    row = 0  # the last row read, as a spreadsheet numbers them: the header is row 1
    try:
        header = [name.strip() for name in next(reader, [])]
        row = 1
        _check_columns(header, result)
        if result.problems:
            return
        for raw in reader:
            row += 1
            if len(raw) > len(header):
                result.problems.append(RowProblem(row, "", "has more values than the header"))
                continue
            values: dict[str, Any] = dict(zip(header, raw, strict=False))
            values["exploitation_types"] = (values.get("exploitation_types") or "").split(";")
            yield row, values
    except csv.Error as error:
        # The reader cannot tell where the next row starts after this: stop here.
        result.problems.append(
            RowProblem(row + 1, "", f"{_csv_error(error)}; nothing after it was read")
        )


def _csv_error(error: csv.Error) -> str:
    text = str(error)
    if "field larger than field limit" in text:
        return f"has a value longer than {textfiles.MAX_VALUE:,} characters, the most one may hold"
    return f"is not readable as CSV ({text})"


def _jsonl_records(stream: IO[str], result: ReferralImport) -> Iterator[tuple[int, dict[str, Any]]]:
    for line_number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            result.problems.append(RowProblem(line_number, "", f"is not valid JSON ({error.msg})"))
            continue
        except (ValueError, RecursionError):  # a number too long to read, nesting too deep
            result.problems.append(RowProblem(line_number, "", "is not JSON Safehub can read"))
            continue
        if not isinstance(record, dict):
            result.problems.append(RowProblem(line_number, "", "is not a JSON object"))
            continue
        unknown = sorted(set(record) - set(COLUMNS))
        result.problems.extend(
            RowProblem(line_number, _shown(key), "is not a field of the format") for key in unknown
        )
        if not unknown:
            yield line_number, record


def _check_columns(header: list[str], result: ReferralImport) -> None:
    for column in REQUIRED:
        if column not in header:
            result.problems.append(RowProblem(1, column, "column is missing from the header"))
    # A misspelt optional column would otherwise be ignored and its values silently lost.
    result.problems.extend(
        RowProblem(1, _shown(column), "is not a column of the format")
        for column in header
        if column not in COLUMNS
    )
    result.problems.extend(
        RowProblem(1, column, "is in the header more than once")
        for column, count in Counter(header).items()
        if count > 1 and column in COLUMNS
    )


def _shown(name: str) -> str:
    """A column or key name as given, quoted when it holds what would not show plainly."""
    return name if name.isprintable() and len(name) <= NAME_LENGTH else repr(name)[:NAME_LENGTH]


def _checked_rows(stream: IO[str], file_format: FileFormat, result: ReferralImport) -> list[Row]:
    rows: list[Row] = []
    first_seen: dict[str, int] = {}
    agencies = _Agencies()
    for number, values in _records(stream, file_format, result):
        result.rows_read += 1
        reference = values.get("external_reference")
        if isinstance(reference, str) and reference.strip():
            earlier = first_seen.setdefault(reference.strip(), number)
            if earlier != number:
                result.problems.append(
                    RowProblem(number, "external_reference", f"is also on row {earlier}")
                )
                continue
        row = _check(number, values, result, agencies)
        if row is not None:
            rows.append(row)
    return rows


class _Agencies:
    """Agencies by exact name, each name looked up once however many rows give it."""

    def __init__(self) -> None:
        self.known: dict[str, Agency | None] = {}

    def named(self, name: str) -> Agency | None:
        if name not in self.known:
            self.known[name] = queries.agency_named(name)
        return self.known[name]


class _Checker:
    """Reads one record's values, noting a problem for each one that will not do."""

    def __init__(self, number: int, values: Mapping[str, Any], result: ReferralImport) -> None:
        self.number = number
        self.values = values
        self.result = result
        self.bad = False

    def problem(self, name: str, message: str) -> None:
        self.result.problems.append(RowProblem(self.number, name, message))
        self.bad = True

    def text(self, name: str, *, required: bool = True, max_length: int | None = None) -> str:
        value = self.values.get(name)
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.problem(name, "must be text")
            return ""
        value = value.strip()
        if (why := textfiles.bad_character(value) or textfiles.too_long(value)) is not None:
            self.problem(name, why)
            return ""
        if required and not value:
            self.problem(name, "is required")
        elif max_length is not None and len(value) > max_length:
            self.problem(name, f"must be at most {max_length} characters")
        return value

    def code(self, name: str, allowed: type[StrEnum]) -> str:
        value = self.text(name)
        if value and value not in _values(allowed):
            self.problem(name, f"{value!r} is not a {_describe(allowed)} code")
        return value

    def date(self, name: str) -> dt.date | None:
        value = self.text(name)
        if not value:
            return None
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            self.problem(name, f"{value!r} is not a date like 2009-03-14")
            return None
        if not EARLIEST.year <= day.year <= LATEST.year:
            self.problem(name, f"must be between {EARLIEST.year} and {LATEST.year}")
            return None
        return day

    def moment(self, name: str) -> dt.datetime | None:
        value = self.text(name)
        if not value:
            return None
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            moment = None
        if moment is None or moment.tzinfo is None:
            self.problem(
                name,
                f"{value!r} is not a date and time with an offset, like 2016-10-03T10:15:00+01:00",
            )
            return None
        if moment.year < EARLIEST.year:
            self.problem(name, f"must not be before {EARLIEST.year}")
            return None
        if moment > timezone.now() + CLOCK_SKEW:
            self.problem(name, "must not be in the future")
            return None
        return moment

    def types(self, name: str) -> tuple[str, ...]:
        value = self.values.get(name)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(name, "must be a list of exploitation type codes")
            return ()
        parts = [v.strip() for v in value if v.strip()]
        if not parts:
            self.problem(name, "is required: at least one exploitation type")
            return ()
        unknown = [p for p in parts if p not in _values(codes.ExploitationType)]
        if unknown:
            known = ", ".join(codes.ExploitationType)
            self.problem(name, f"{', '.join(unknown)}: not an exploitation type ({known})")
        return tuple(sorted(set(parts)))


@functools.cache
def _values(allowed: type[StrEnum]) -> frozenset[str]:
    return frozenset(allowed)


def _describe(allowed: type[StrEnum]) -> str:
    return {
        codes.ReferralSource: "CIN referral source",
        codes.Sex: "sex",
        codes.Ethnicity: "DfE ethnicity",
        codes.EthnicityRecordingSource: "ethnicity recording source",
    }.get(allowed, allowed.__name__)


def _check(
    number: int, values: Mapping[str, Any], result: ReferralImport, agencies: _Agencies
) -> Row | None:
    """One record's values checked and parsed; each problem noted with its column."""
    c = _Checker(number, values, result)
    reference = c.text("external_reference", max_length=REFERENCE_LENGTH)
    received_at = c.moment("received_at")
    source = c.code("source", codes.ReferralSource)
    types = c.types("exploitation_types")
    concerns = c.text("concerns")
    agency_name = c.text("referring_agency", required=False)
    agency = agencies.named(agency_name) if agency_name else None
    if agency_name and agency is None:
        c.problem("referring_agency", f"no agency is called {agency_name!r}")
    given_name = c.text("given_name", max_length=NAME_LENGTH)
    family_name = c.text("family_name", max_length=NAME_LENGTH)
    date_of_birth = c.date("date_of_birth")
    if date_of_birth and received_at:
        birth = plausibility.Birth(date_of_birth)
        for name, message in plausibility.referral(birth, received_at, field="received_at"):
            c.problem(name, message)
    sex = c.code("sex", codes.Sex)
    ethnicity = c.code("ethnicity", codes.Ethnicity)
    ethnicity_source = c.code("ethnicity_source", codes.EthnicityRecordingSource)
    nhs_number = c.text("nhs_number", required=False).replace(" ", "")
    if nhs_number and not codes.nhs_number_is_valid(nhs_number):
        c.problem("nhs_number", "is not a valid NHS number (10 digits with a correct check digit)")
    raw_postcode = c.text("postcode", required=False)
    postcode = normalise_postcode(raw_postcode) if raw_postcode else ""
    if postcode is None:
        c.problem("postcode", f"{raw_postcode!r} is not a postcode")
    if c.bad or received_at is None or date_of_birth is None or postcode is None:
        return None
    return Row(
        row=number,
        external_reference=reference,
        received_at=received_at,
        source=source,
        exploitation_types=types,
        concerns=concerns,
        referring_agency=agency,
        given_name=given_name,
        family_name=family_name,
        date_of_birth=date_of_birth,
        sex=sex,
        ethnicity=ethnicity,
        ethnicity_source=ethnicity_source,
        nhs_number=nhs_number,
        postcode=postcode,
    )
