"""Postcodes, ward codes and point-in-polygon ward lookup. Pure: no Django, no database."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

# The shapes of a UK postcode's outward code (A9, A99, A9A, AA9, AA99, AA9A) followed by the
# inward code (9AA). GIR 0AA is the one historic exception still in the directory.
_POSTCODE = re.compile(r"^(?P<outward>[A-Z]{1,2}[0-9][A-Z0-9]?|GIR)\s*(?P<inward>[0-9][A-Z]{2})$")
# ONS GSS codes: a letter for the nation, two digits for the entity type, six for the area.
_GSS_CODE = re.compile(r"^[EWSNL][0-9]{8}$")


def normalise_postcode(text: str) -> str | None:
    """`bd5 0aa` -> `BD5 0AA`; None when the text is not shaped like a postcode."""
    match = _POSTCODE.match(text.strip().upper())
    if match is None:
        return None
    return f"{match['outward']} {match['inward']}"


def is_gss_code(text: str) -> bool:
    return bool(_GSS_CODE.match(text))


@dataclass(frozen=True)
class WardShape:
    code: str
    geometry: Mapping[str, Any]  # a GeoJSON geometry: Polygon or MultiPolygon


class WardLocator:
    """Which ward contains a point, by an R-tree over the ward boundaries.

    Coordinates are WGS84 longitude/latitude, as in the boundaries file. A point exactly on a
    shared boundary belongs to the ward listed first, so the answer is deterministic.
    """

    def __init__(self, wards: Iterable[WardShape]) -> None:
        # shapely (and numpy under it) is imported when a ward is looked up, not at start.
        import shapely  # noqa: PLC0415
        from shapely.geometry import shape  # noqa: PLC0415
        from shapely.strtree import STRtree  # noqa: PLC0415

        self._codes: list[str] = []
        geometries = []
        for ward in wards:
            geometry = shape(ward.geometry)
            if not geometry.is_valid:
                geometry = shapely.make_valid(geometry)
            shapely.prepare(geometry)
            self._codes.append(ward.code)
            geometries.append(geometry)
        self._geometries = geometries
        self._tree = STRtree(geometries)

    def __len__(self) -> int:
        return len(self._codes)

    def locate(self, *, longitude: float, latitude: float) -> str | None:
        """The ward code containing the point, or None when it lies outside every ward."""
        if not (-180 <= longitude <= 180 and -90 <= latitude <= 90):  # noqa: PLR2004
            raise ValueError("longitude must be within ±180 and latitude within ±90")
        from shapely.geometry import Point  # noqa: PLC0415

        point = Point(longitude, latitude)
        candidates = sorted(int(i) for i in self._tree.query(point, predicate="covered_by"))
        return self._codes[candidates[0]] if candidates else None


# --- checking a ward boundary file ----------------------------------------------------------

_WARD_CODE_PROPERTY = re.compile(r"^WD(?P<year>[0-9]{2})CD$", re.IGNORECASE)
_AUTHORITY_CODE_PROPERTY = re.compile(r"^LAD(?P<year>[0-9]{2})CD$", re.IGNORECASE)
# Boundaries drawn to the same line still overlap by slivers where they are generalised; a
# shared area above this share of the smaller ward is a real overlap.
OVERLAP_TOLERANCE = 0.001


@dataclass(frozen=True)
class BoundaryWard:
    code: str
    name: str
    geometry: Mapping[str, Any]
    authority_code: str = ""
    authority_name: str = ""


def read_ward_features(collection: Mapping[str, Any]) -> tuple[list[BoundaryWard], list[str]]:
    """The wards of a GeoJSON FeatureCollection, and every problem with them.

    Codes and names come from ONS's `WDyyCD` / `WDyyNM` of any year, or from `code` / `name`;
    a local authority from `LADyyCD` / `LADyyNM` or `local_authority_code` /
    `local_authority_name` when the file carries one.
    """
    if collection.get("type") != "FeatureCollection" or not isinstance(
        collection.get("features"), list
    ):
        return [], ["the file is not a GeoJSON FeatureCollection"]
    wards: list[BoundaryWard] = []
    problems: list[str] = []
    for number, feature in enumerate(collection["features"], start=1):
        properties = feature.get("properties") or {}
        code = name = authority = authority_name = ""
        for key, value in properties.items():
            if match := _WARD_CODE_PROPERTY.match(key):
                code = str(value or "").strip()
                name = str(properties.get(f"WD{match['year']}NM", "") or "").strip()
            elif match := _AUTHORITY_CODE_PROPERTY.match(key):
                authority = str(value or "").strip()
                authority_name = str(properties.get(f"LAD{match['year']}NM", "") or "").strip()
        code = code or str(properties.get("code", "") or "").strip()
        name = name or str(properties.get("name", "") or "").strip()
        authority = authority or str(properties.get("local_authority_code", "") or "").strip()
        authority_name = (
            authority_name or str(properties.get("local_authority_name", "") or "").strip()
        )
        where = f"feature {number}" + (f" ({code})" if code else "")
        if not is_gss_code(code):
            problems.append(f"{where}: no ONS ward code (WDyyCD or code)")
            continue
        if not name:
            problems.append(f"{where}: no ward name (WDyyNM or name)")
            continue
        geometry = feature.get("geometry") or {}
        if geometry.get("type") not in {"Polygon", "MultiPolygon"}:
            problems.append(f"{where}: the boundary is not a Polygon or MultiPolygon")
            continue
        wards.append(BoundaryWard(code, name, geometry, authority, authority_name))
    return wards, problems


def check_boundaries(wards: Iterable[BoundaryWard]) -> list[str]:
    """Problems that make a set of ward boundaries unusable, in words a person can act on.

    Each code once; every polygon valid (no self-intersection) and not empty; no two wards
    sharing more than `OVERLAP_TOLERANCE` of the smaller one's area.
    """
    import shapely  # noqa: PLC0415
    from shapely.geometry import shape  # noqa: PLC0415
    from shapely.strtree import STRtree  # noqa: PLC0415

    problems: list[str] = []
    seen: set[str] = set()
    shapes: list[tuple[BoundaryWard, Any]] = []
    for ward in wards:
        if ward.code in seen:
            problems.append(f"{ward.code} appears more than once")
            continue
        seen.add(ward.code)
        try:
            geometry = shape(ward.geometry)
        except (ValueError, TypeError, IndexError, AttributeError, shapely.errors.ShapelyError):
            problems.append(f"{ward.code} {ward.name}: the boundary cannot be read")
            continue
        if geometry.is_empty or not geometry.is_valid:
            reason = shapely.is_valid_reason(geometry)
            problems.append(
                f"{ward.code} {ward.name}: the boundary is not a valid polygon ({reason})"
            )
            continue
        shapes.append((ward, geometry))
    tree = STRtree([g for _, g in shapes])
    for i, (ward, geometry) in enumerate(shapes):
        for j in tree.query(geometry):
            if j <= i:
                continue
            other, other_geometry = shapes[j]
            shared = geometry.intersection(other_geometry).area
            smaller = min(geometry.area, other_geometry.area)
            if smaller > 0 and shared / smaller > OVERLAP_TOLERANCE:
                problems.append(
                    f"{ward.code} {ward.name} and {other.code} {other.name} overlap "
                    f"({shared / smaller:.1%} of the smaller ward)"
                )
    return problems
