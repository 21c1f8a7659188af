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
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import IO, Any, Literal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from safehub.access.models import Agency
from safehub.access.policy import Principal, require
from safehub.audit import services as audit
from safehub.people import services as people
from safehub.people.models import Child
from safehub.people.queries import children_for
from safehub.referrals import queries
from safehub.referrals import services as referrals
from safehub.rules import codes, plausibility
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

NAME_LENGTH = 100  # people.Child.given_name / family_name
REFERENCE_LENGTH = 100  # referrals.Referral.external_reference
# The referral service allows a little clock skew; a file is checked the same way.
CLOCK_SKEW = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class RowProblem:
    row: int  # CSV: the row counting the header as row 1; JSON Lines: the line number
    field: str  # the column or key at fault; empty when the whole row is unreadable
    message: str

    def __str__(self) -> str:
        where = f"row {self.row}, {self.field}" if self.field else f"row {self.row}"
        return f"{where}: {self.message}"


@dataclass
class ReferralImport:
    """What an import did, or (for a dry run) would do."""

    dry_run: bool = False
    rows_read: int = 0
    referrals: int = 0
    new_children: int = 0
    matched_children: int = 0
    already_imported: int = 0
    addresses: int = 0
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class ReferralImportError(Exception):
    """The file was refused; nothing was imported. `result.problems` lists every problem."""

    def __init__(self, result: ReferralImport) -> None:
        super().__init__(f"{len(result.problems)} problem(s); nothing imported")
        self.result = result


@dataclass(frozen=True)
class Row:
    """One checked row: every value parsed and known to be acceptable."""

    row: int
    external_reference: str
    received_at: dt.datetime
    source: str
    exploitation_types: tuple[str, ...]
    concerns: str
    referring_agency: Agency | None
    given_name: str
    family_name: str
    date_of_birth: dt.date
    sex: str
    ethnicity: str
    ethnicity_source: str
    nhs_number: str
    postcode: str

    def identity(self) -> dict[str, Any]:
        return {
            "given_name": self.given_name,
            "family_name": self.family_name,
            "date_of_birth": self.date_of_birth,
            "sex": self.sex,
            "ethnicity": self.ethnicity,
            "ethnicity_source": self.ethnicity_source,
            "nhs_number": self.nhs_number,
        }


@dataclass
class _NewChild:
    """A child to be registered by this import, from the first row that names them."""

    first: Row
    child: Child | None = None


@dataclass(frozen=True)
class _Planned:
    row: Row
    existing: Child | None
    new: _NewChild | None


def format_for(path: Path) -> FileFormat:
    """The file's format from its extension: .csv, or .jsonl (also .ndjson)."""
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        raise ValueError(
            f"{path.name}: use a .csv or .jsonl file (the extension says which)"
        ) from None


def import_referrals(
    stream: IO[str],
    *,
    file_format: FileFormat,
    acting_user: Principal,
    dry_run: bool = False,
) -> ReferralImport:
    """Check every row, then import them all in one transaction, or nothing.

    Raises ReferralImportError listing every problem. A dry run checks and counts exactly as
    an import would, and writes nothing.
    """
    # The import registers children and records referrals through their services, which
    # check these again; asking first refuses a user who may not before any row is read.
    for permission in ("referral:import", "referral:create", "child:create"):
        require(acting_user, permission)
    result = ReferralImport(dry_run=dry_run)
    rows = _checked_rows(stream, file_format, result)
    already = queries.existing_external_references(
        acting_user, (r.external_reference for r in rows)
    )
    planned = _plan(rows, already, acting_user, result)
    if result.problems:
        raise ReferralImportError(result)
    if dry_run:
        return result
    with transaction.atomic():
        _write(planned, acting_user, result)
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
    reader = csv.DictReader(stream)
    _check_columns(list(reader.fieldnames or []), result)
    if result.problems:
        return
    for index, raw in enumerate(reader):
        row = index + 2  # the header is row 1, as a spreadsheet shows it
        if None in raw:
            result.problems.append(RowProblem(row, "", "has more values than the header"))
            continue
        values: dict[str, Any] = dict(raw)
        values["exploitation_types"] = (raw.get("exploitation_types") or "").split(";")
        yield row, values


def _jsonl_records(stream: IO[str], result: ReferralImport) -> Iterator[tuple[int, dict[str, Any]]]:
    for line_number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            result.problems.append(RowProblem(line_number, "", f"is not valid JSON ({error.msg})"))
            continue
        if not isinstance(record, dict):
            result.problems.append(RowProblem(line_number, "", "is not a JSON object"))
            continue
        unknown = sorted(set(record) - set(COLUMNS))
        result.problems.extend(
            RowProblem(line_number, key, "is not a field of the format") for key in unknown
        )
        if not unknown:
            yield line_number, record


def _check_columns(header: list[str], result: ReferralImport) -> None:
    for column in REQUIRED:
        if column not in header:
            result.problems.append(RowProblem(1, column, "column is missing from the header"))
    # A misspelt optional column would otherwise be ignored and its values silently lost.
    result.problems.extend(
        RowProblem(1, column, "is not a column of the format")
        for column in header
        if column not in COLUMNS
    )


def _checked_rows(stream: IO[str], file_format: FileFormat, result: ReferralImport) -> list[Row]:
    rows: list[Row] = []
    first_seen: dict[str, int] = {}
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
        row = _check(number, values, result)
        if row is not None:
            rows.append(row)
    return rows


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
        if required and not value:
            self.problem(name, "is required")
        elif max_length is not None and len(value) > max_length:
            self.problem(name, f"must be at most {max_length} characters")
        return value

    def code(self, name: str, allowed: type[StrEnum]) -> str:
        value = self.text(name)
        if value and value not in set(allowed):
            self.problem(name, f"{value!r} is not a {_describe(allowed)} code")
        return value

    def date(self, name: str) -> dt.date | None:
        value = self.text(name)
        if not value:
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            self.problem(name, f"{value!r} is not a date like 2009-03-14")
            return None

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
        unknown = [p for p in parts if p not in set(codes.ExploitationType)]
        if unknown:
            known = ", ".join(codes.ExploitationType)
            self.problem(name, f"{', '.join(unknown)}: not an exploitation type ({known})")
        return tuple(sorted(set(parts)))


def _describe(allowed: type[StrEnum]) -> str:
    return {
        codes.ReferralSource: "CIN referral source",
        codes.Sex: "sex",
        codes.Ethnicity: "DfE ethnicity",
        codes.EthnicityRecordingSource: "ethnicity recording source",
    }.get(allowed, allowed.__name__)


def _check(number: int, values: Mapping[str, Any], result: ReferralImport) -> Row | None:
    c = _Checker(number, values, result)
    reference = c.text("external_reference", max_length=REFERENCE_LENGTH)
    received_at = c.moment("received_at")
    source = c.code("source", codes.ReferralSource)
    types = c.types("exploitation_types")
    concerns = c.text("concerns")
    agency_name = c.text("referring_agency", required=False)
    agency = queries.agency_named(agency_name) if agency_name else None
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


# --- matching children -------------------------------------------------------------------


def _plan(
    rows: list[Row], already: set[str], acting_user: Principal, result: ReferralImport
) -> list[_Planned]:
    """Which rows to import and whose referral each is: a known child, or one to register.

    Rows go in the order they were received, so a child's addresses are recorded in order.
    """
    planned: list[_Planned] = []
    new_children: list[_NewChild] = []
    matched: set[int] = set()
    for row in sorted(rows, key=lambda r: (r.received_at, r.row)):
        if row.external_reference in already:
            result.already_imported += 1
            continue
        existing, new = _match(row, acting_user, new_children, result)
        if existing is None and new is None:
            continue  # the match was ambiguous: a problem is recorded
        if existing is not None:
            matched.add(existing.pk)
        elif new is not None and new.first is row:
            new_children.append(new)
        planned.append(_Planned(row, existing, new))
    result.referrals = len(planned)
    result.new_children = len(new_children)
    result.matched_children = len(matched)
    return planned


def _match(
    row: Row, acting_user: Principal, new_children: list[_NewChild], result: ReferralImport
) -> tuple[Child | None, _NewChild | None]:
    """The child a row is about, by NHS number, else by exact names and date of birth.

    Children this import registers count as candidates too, so two rows about a new child
    make one child. Names match ignoring case. A child recorded with a different NHS number
    is a different child, however alike the names; more than one candidate is a problem to
    resolve by hand (give the NHS number), never a guess.
    """
    scope = children_for(acting_user)
    if row.nhs_number:
        known = list(scope.filter(nhs_number=row.nhs_number)[:2])
        planned = [n for n in new_children if n.first.nhs_number == row.nhs_number]
        if len(known) + len(planned) > 1:
            return _ambiguous(row, "nhs_number", result)
        if known or planned:
            return (known[0], None) if known else (None, planned[0])
    by_name = scope.filter(
        given_name__iexact=row.given_name,
        family_name__iexact=row.family_name,
        date_of_birth=row.date_of_birth,
    )
    same = [n for n in new_children if _same_person(n.first, row)]
    if row.nhs_number:
        by_name = by_name.filter(nhs_number="")
        same = [n for n in same if not n.first.nhs_number]
    known = list(by_name[:2])
    if len(known) + len(same) > 1:
        return _ambiguous(row, "given_name", result)
    if known:
        return known[0], None
    if same:
        return None, same[0]
    return None, _NewChild(first=row)


def _same_person(a: Row, b: Row) -> bool:
    return (
        a.given_name.casefold() == b.given_name.casefold()
        and a.family_name.casefold() == b.family_name.casefold()
        and a.date_of_birth == b.date_of_birth
    )


def _ambiguous(row: Row, name: str, result: ReferralImport) -> tuple[None, None]:
    result.problems.append(
        RowProblem(row.row, name, "matches more than one child; give the NHS number to choose")
    )
    return None, None


# --- writing -----------------------------------------------------------------------------


def _write(planned: list[_Planned], acting_user: Principal, result: ReferralImport) -> None:
    """Register, record and receive through the services, each row in a savepoint of its own.

    The rows were checked already; a service may still refuse one (a rule only it knows, or a
    referral out of the importer's sight with the same reference). Its problem is kept, the
    rest carry on being tried so that all are reported, and the caller rolls everything back.
    """
    for item in planned:
        try:
            with transaction.atomic():
                child = _child_for(item, acting_user, result)
                referrals.receive_referral(
                    child=child,
                    received_at=item.row.received_at,
                    source=item.row.source,
                    concerns=item.row.concerns,
                    exploitation_types=item.row.exploitation_types,
                    referring_agency=item.row.referring_agency,
                    external_reference=item.row.external_reference,
                    acting_user=acting_user,
                )
        except ValidationError as error:
            result.problems.extend(
                RowProblem(item.row.row, _column(name), message)
                for name, message in _messages(error)
            )
        except IntegrityError:
            result.problems.append(
                RowProblem(item.row.row, "external_reference", "is already used by a referral")
            )


def _child_for(item: _Planned, acting_user: Principal, result: ReferralImport) -> Child:
    if item.existing is not None:
        child = item.existing
    else:
        new = item.new
        if new is None:  # pragma: no cover - _plan gives every row one or the other
            raise AssertionError("a planned row has no child")
        if new.child is None:
            new.child = people.register_child(acting_user=acting_user, **new.first.identity())
        child = new.child
    _record_postcode(child, item.row, acting_user, result)
    return child


def _record_postcode(
    child: Child, row: Row, acting_user: Principal, result: ReferralImport
) -> None:
    """Where the child lived when referred, if the file says and the record does not yet.

    Only a postcode different from the child's latest address, and later than it, is recorded:
    an import never rewrites the address history a practitioner has kept.
    """
    if not row.postcode:
        return
    on = timezone.localtime(row.received_at).date()
    latest = child.addresses.order_by("-valid_from").first()
    if latest is not None and (latest.postcode == row.postcode or latest.valid_from >= on):
        return
    people.record_address(child, valid_from=on, postcode=row.postcode, acting_user=acting_user)
    result.addresses += 1


def _messages(error: ValidationError) -> list[tuple[str, str]]:
    if hasattr(error, "error_dict"):
        return [(name, " ".join(messages)) for name, messages in error.message_dict.items()]
    return [("", " ".join(error.messages))]


def _column(service_field: str) -> str:
    """The file's column for a field a service names in its ValidationError."""
    return {"valid_from": "postcode", "__all__": ""}.get(service_field, service_field)
