"""Loading geography, placing an address in a ward, importing the postcode directory."""

from __future__ import annotations

import csv
import datetime as dt
import enum
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import IO, Any

from django.db import transaction

from safehub.access.policy import Principal, require
from safehub.audit import services as audit
from safehub.geo.models import AreaCommittee, LocalAuthority, PostcodeWard, Ward, WardSet
from safehub.rules.geography import (
    WardLocator,
    WardShape,
    check_boundaries,
    is_gss_code,
    normalise_postcode,
    read_ward_features,
)

DATA = resources.files("safehub.geo") / "data"


# --- reference data -------------------------------------------------------------------------


@dataclass(frozen=True)
class LoadSummary:
    ward_sets: int
    wards: int
    area_committees: int


@transaction.atomic
def load_reference_data(*, acting_user: Principal) -> LoadSummary:
    """Load the ward sets shipped in the package. Re-running updates in place; adds nothing."""
    require(acting_user, "geo:reference:manage")
    manifest = json.loads((DATA / "ward-sets.json").read_text(encoding="utf-8"))
    wards = 0
    committees: set[int] = set()
    for entry in manifest:
        boundaries = {
            feature["properties"]["code"]: feature["geometry"]
            for feature in json.loads(
                (DATA / entry["boundaries_geojson"]).read_text(encoding="utf-8")
            )["features"]
        }
        with (DATA / entry["wards_csv"]).open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        authority, _ = LocalAuthority.objects.update_or_create(
            code=entry["local_authority_code"],
            defaults={"name": rows[0]["local_authority_name"]},
        )
        # Matched on the authority and start date, not the name: a corrected end date (and the
        # name that carries it) updates the set already loaded instead of adding a second one.
        ward_set, _ = WardSet.objects.update_or_create(
            local_authority=authority,
            valid_from=dt.date.fromisoformat(entry["valid_from"]),
            defaults={
                "name": entry["name"],
                "valid_to": dt.date.fromisoformat(entry["valid_to"]) if entry["valid_to"] else None,
                "attribution": entry["attribution"],
            },
        )
        for row in rows:
            committee, _ = AreaCommittee.objects.get_or_create(
                local_authority=authority, name=row["area_committee"]
            )
            committees.add(committee.pk)
            Ward.objects.update_or_create(
                ward_set=ward_set,
                code=row["ward_code"],
                defaults={
                    "name": row["ward_name"],
                    "area_committee": committee,
                    "boundary": boundaries.get(row["ward_code"]),
                },
            )
            wards += 1
    summary = LoadSummary(ward_sets=len(manifest), wards=wards, area_committees=len(committees))
    audit.write(
        acting_user,
        "geo:reference:loaded",
        object_type="geo.wardset",
        object_id=",".join(e["name"] for e in manifest)[:64],
    )
    _locator.cache_clear()
    return summary


class WardImportError(Exception):
    """A ward boundary file was refused; nothing was loaded. `problems` says why, each one."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(f"{len(problems)} problem(s); nothing was loaded")
        self.problems = problems


@dataclass(frozen=True)
class WardImport:
    ward_set: str
    local_authority: str
    wards: int
    area_committees: int
    created: bool


@transaction.atomic
def import_wards(  # noqa: PLR0913 - the command's options, one to one
    collection: dict[str, Any],
    *,
    set_name: str,
    valid_from: dt.date,
    valid_to: dt.date | None = None,
    areas: IO[str] | None = None,
    authority_code: str = "",
    authority_name: str = "",
    acting_user: Principal,
) -> WardImport:
    """Load one council's wards from an ONS ward boundary GeoJSON, all or nothing.

    The local authority comes from the file (`LADyyCD`/`LADyyNM`), the areas CSV
    (`local_authority_code`, `local_authority_name`) or the arguments, and must be one. The
    areas CSV (`ward_code`, `area_committee`) puts each ward in its area committee; without it
    every ward is in one committee named after the authority. Re-running with the same set name
    updates the set in place; a re-import must carry every ward the set already has, since
    addresses may be placed in them.
    """
    require(acting_user, "geo:reference:manage")
    wards, problems = read_ward_features(collection)
    problems += check_boundaries(wards)
    committee_of, csv_authorities, csv_problems = _read_areas(areas, {w.code for w in wards})
    problems += csv_problems
    named = {(w.authority_code, w.authority_name) for w in wards if w.authority_code}
    named |= csv_authorities | ({(authority_code, authority_name)} if authority_code else set())
    code, name = _one_authority(named, problems)
    if valid_to is not None and valid_to <= valid_from:
        problems.append(f"--to ({valid_to}) must be after --from ({valid_from})")
    if not wards and not problems:
        problems.append("the file holds no wards")
    if problems:
        raise WardImportError(problems)
    authority, _ = LocalAuthority.objects.update_or_create(code=code, defaults={"name": name})
    problems += _overlapping_sets(authority, set_name, valid_from, valid_to)
    existing = WardSet.objects.filter(name=set_name).first()
    if existing is not None:
        if existing.local_authority_id != authority.pk:
            problems.append(f"the ward set {set_name!r} belongs to another local authority")
        missing = set(existing.wards.values_list("code", flat=True)) - {w.code for w in wards}
        if missing:
            problems.append(
                "the file leaves out wards the set already has: " + ", ".join(sorted(missing))
            )
    if problems:
        raise WardImportError(problems)
    ward_set, created = WardSet.objects.update_or_create(
        name=set_name,
        defaults={
            "local_authority": authority,
            "valid_from": valid_from,
            "valid_to": valid_to,
            "attribution": (
                "Contains National Statistics data © Crown copyright and database right. "
                "Contains OS data © Crown copyright and database right. "
                "Licensed under the Open Government Licence v3.0."
            ),
        },
    )
    committees: set[int] = set()
    for ward in wards:
        committee, _ = AreaCommittee.objects.get_or_create(
            local_authority=authority, name=committee_of.get(ward.code, authority.name)
        )
        committees.add(committee.pk)
        Ward.objects.update_or_create(
            ward_set=ward_set,
            code=ward.code,
            defaults={
                "name": ward.name,
                "area_committee": committee,
                "boundary": dict(ward.geometry),
            },
        )
    audit.write(
        acting_user, "geo:wards:imported", object_type="geo.wardset", object_id=str(ward_set.pk)
    )
    _locator.cache_clear()
    return WardImport(set_name, authority.name, len(wards), len(committees), created)


def _one_authority(named: set[tuple[str, str]], problems: list[str]) -> tuple[str, str]:
    """The one local authority the file, the areas CSV and the options name, or a problem."""
    codes = sorted({code for code, _ in named})
    names = sorted({name for _, name in named if name})
    if len(codes) > 1:
        problems.append("the wards belong to more than one local authority: " + ", ".join(codes))
    elif not codes or not names:
        problems.append(
            "the local authority is not known: give --authority-code and --authority-name, or "
            "local_authority_code and local_authority_name in the areas CSV"
        )
    return (codes[0], names[0]) if codes and names else ("", "")


def _read_areas(
    stream: IO[str] | None, codes: set[str]
) -> tuple[dict[str, str], set[tuple[str, str]], list[str]]:
    """The ward → area committee CSV: committees, any local authority it names, problems."""
    if stream is None:
        return {}, set(), []
    reader = csv.DictReader(stream)
    header = reader.fieldnames or []
    missing = [c for c in ("ward_code", "area_committee") if c not in header]
    if missing:
        return {}, set(), [f"areas CSV: column {c} is missing from the header" for c in missing]
    committee_of: dict[str, str] = {}
    authorities: set[tuple[str, str]] = set()
    problems: list[str] = []
    for line, row in enumerate(reader, start=2):
        code = (row.get("ward_code") or "").strip()
        committee = (row.get("area_committee") or "").strip()
        if code not in codes:
            problems.append(f"areas CSV, row {line}: {code or 'a blank code'} is not in the file")
        elif not committee:
            problems.append(f"areas CSV, row {line}: no area committee")
        else:
            committee_of[code] = committee
        if authority := (row.get("local_authority_code") or "").strip():
            authorities.add((authority, (row.get("local_authority_name") or "").strip()))
    problems += [
        f"areas CSV: no area committee for {code}" for code in sorted(codes - set(committee_of))
    ]
    return committee_of, authorities, problems


def _overlapping_sets(
    authority: LocalAuthority, set_name: str, valid_from: dt.date, valid_to: dt.date | None
) -> list[str]:
    """Another ward set of the same authority in force on any day of [valid_from, valid_to)."""
    others = WardSet.objects.filter(local_authority=authority).exclude(name=set_name)
    if valid_to is not None:
        others = others.filter(valid_from__lt=valid_to)
    others = others.exclude(valid_to__isnull=False, valid_to__lte=valid_from)
    return [
        f"the ward set {other.name!r} is in force from {other.valid_from} "
        f"to {other.valid_to or 'no end date'}, which overlaps"
        for other in others
    ]


def ward_set_on(on: dt.date, *, local_authority: LocalAuthority | None = None) -> WardSet | None:
    """The ward set in force on a date (for the one local authority, unless told which)."""
    sets = WardSet.objects.filter(valid_from__lte=on).exclude(valid_to__lte=on)
    if local_authority is not None:
        sets = sets.filter(local_authority=local_authority)
    return sets.order_by("-valid_from").first()


# --- placing an address in a ward ------------------------------------------------------------


class Method(enum.StrEnum):
    MANUAL = "manual"
    POSTCODE = "postcode"
    COORDINATES = "coordinates"


@dataclass(frozen=True)
class WardResolution:
    ward: Ward | None
    method: Method | None
    problem: str = ""
    note: str = ""  # e.g. that a later date was placed on the newest boundaries loaded


@lru_cache(maxsize=8)
def _locator(ward_set_id: int) -> tuple[WardLocator, dict[str, int]]:
    wards = list(
        Ward.objects.filter(ward_set_id=ward_set_id, boundary__isnull=False).values_list(
            "pk", "code", "boundary"
        )
    )
    locator = WardLocator(WardShape(code, boundary) for _, code, boundary in wards)
    return locator, {code: pk for pk, code, _ in wards}


def resolve_ward(  # noqa: PLR0911, PLR0913 - one early answer per way of placing an address
    *,
    on: dt.date,
    acting_user: Principal,
    ward_code: str | None = None,
    postcode: str | None = None,
    longitude: float | None = None,
    latitude: float | None = None,
) -> WardResolution:
    """Place an address in the ward in force on `on`.

    A ward chosen by hand wins; then the postcode directory; then the coordinates against the
    ward boundaries. When nothing places it, `problem` says why in words a user can act on.
    """
    require(acting_user, "geo:ward:resolve")
    ward_set = ward_set_on(on)
    note = ""
    if ward_set is None:
        # After the newest boundaries loaded, place the address on them and say so: better
        # than no ward at all until the next boundaries are loaded.
        ward_set = WardSet.objects.filter(valid_to__lte=on).order_by("-valid_to").first()
        if ward_set is None:
            return WardResolution(None, None, f"No ward boundaries are loaded for {on:%-d %B %Y}.")
        note = f"Placed on the {ward_set.name} boundaries: later boundaries are not loaded."
    if ward_code:
        ward = Ward.objects.filter(ward_set=ward_set, code=ward_code).first()
        if ward is None:
            return WardResolution(None, None, f"{ward_code} is not a ward of {ward_set.name}.")
        return WardResolution(ward, Method.MANUAL, note=note)
    if postcode:
        found = _by_postcode(ward_set, postcode, note=note)
        if found.ward is not None or longitude is None or latitude is None:
            return found
    if longitude is not None and latitude is not None:
        locator, ids = _locator(ward_set.pk)
        code = locator.locate(longitude=longitude, latitude=latitude)
        if code is None:
            return WardResolution(None, None, "That location is outside the district's wards.")
        return WardResolution(Ward.objects.get(pk=ids[code]), Method.COORDINATES, note=note)
    return WardResolution(None, None, "Enter a postcode or choose a ward.")


# --- the ONS postcode directory --------------------------------------------------------------


@dataclass(frozen=True)
class RowProblem:
    row: int  # the line number in the file, counting the header as line 1
    field: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}, {self.field}: {self.message}"


@dataclass
class PostcodeImport:
    rows_read: int = 0
    imported: int = 0
    unchanged: int = 0
    outside_district: int = 0
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class PostcodeImportError(Exception):
    """The file was refused; nothing was imported. `result.problems` lists every bad row."""

    def __init__(self, result: PostcodeImport) -> None:
        super().__init__(f"{len(result.problems)} problem(s); nothing imported")
        self.result = result


BATCH = 5000


def import_postcodes(
    stream: IO[str],
    *,
    ward_column: str,
    acting_user: Principal,
    progress: Callable[[int], None] | None = None,
) -> PostcodeImport:
    """Import postcode-to-ward rows from an ONS postcode directory CSV, all or nothing.

    The national directory covers every postcode in the UK; rows whose ward is not one of
    ours are counted as outside the district and skipped. Malformed postcodes or ward codes
    are problems: every one is reported and nothing is written. Re-importing the same file
    changes nothing; a postcode whose ward changed is updated in place.
    """
    require(acting_user, "geo:postcodes:import")
    result = PostcodeImport()
    reader = csv.DictReader(stream)
    header = reader.fieldnames or []
    for column in ("pcds", ward_column):
        if column not in header:
            result.problems.append(RowProblem(1, column, "column is missing from the header"))
    if result.problems:
        raise PostcodeImportError(result)

    wards = {
        code: (ward_set_id, pk)
        for pk, code, ward_set_id in Ward.objects.values_list("pk", "code", "ward_set_id")
    }
    existing = {
        (ward_set_id, postcode): ward_id
        for ward_set_id, postcode, ward_id in PostcodeWard.objects.values_list(
            "ward_set_id", "postcode", "ward_id"
        )
    }
    with transaction.atomic():
        pending: list[PostcodeWard] = []
        for line, row in enumerate(reader, start=2):
            result.rows_read += 1
            record = _postcode_row(line, row, ward_column, wards, result)
            if record is not None:
                key = (record.ward_set_id, record.postcode)
                if existing.get(key) == record.ward_id:
                    result.unchanged += 1
                else:
                    existing[key] = record.ward_id
                    pending.append(record)
            if len(pending) >= BATCH:
                _write(pending, result)
            if progress is not None and result.rows_read % 100_000 == 0:
                progress(result.rows_read)
        _write(pending, result)
        if result.problems:
            transaction.set_rollback(True)
            raise PostcodeImportError(result)
        audit.write(
            acting_user,
            "geo:postcodes:imported",
            object_type="geo.postcodeward",
            object_id=str(result.imported),
        )
    _locator.cache_clear()
    return result


def _postcode_row(
    line: int,
    row: dict[str, Any],
    ward_column: str,
    wards: dict[str, tuple[int, int]],
    result: PostcodeImport,
) -> PostcodeWard | None:
    raw_postcode = (row.get("pcds") or "").strip()
    raw_ward = (row.get(ward_column) or "").strip()
    postcode = normalise_postcode(raw_postcode)
    bad = False
    if postcode is None:
        result.problems.append(RowProblem(line, "pcds", "not a postcode"))
        bad = True
    if raw_ward and not is_gss_code(raw_ward):
        result.problems.append(RowProblem(line, ward_column, "not an ONS ward code"))
        bad = True
    if bad or postcode is None:
        return None
    if raw_ward not in wards:  # another district's ward, or a postcode with no ward
        result.outside_district += 1
        return None
    ward_set_id, ward_id = wards[raw_ward]
    return PostcodeWard(ward_set_id=ward_set_id, postcode=postcode, ward_id=ward_id)


def _write(pending: list[PostcodeWard], result: PostcodeImport) -> None:
    if pending and not result.problems:
        PostcodeWard.objects.bulk_create(
            pending,
            update_conflicts=True,
            unique_fields=("ward_set", "postcode"),
            update_fields=("ward",),
        )
        result.imported += len(pending)
    pending.clear()


def _by_postcode(ward_set: WardSet, postcode: str, *, note: str) -> WardResolution:
    normalised = normalise_postcode(postcode)
    if normalised is None:
        return WardResolution(None, None, "Enter a real postcode, like BD5 0AA.")
    found = (
        PostcodeWard.objects.filter(ward_set=ward_set, postcode=normalised)
        .select_related("ward")
        .first()
    )
    if found is None:
        return WardResolution(None, None, f"{normalised} is not in the postcode directory.")
    return WardResolution(found.ward, Method.POSTCODE, note=note)
