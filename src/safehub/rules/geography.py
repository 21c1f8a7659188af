"""Postcodes, ward codes and point-in-polygon ward lookup. Pure: no Django, no database."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import shapely
from shapely.geometry import Point, shape
from shapely.strtree import STRtree

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
        point = Point(longitude, latitude)
        candidates = sorted(int(i) for i in self._tree.query(point, predicate="covered_by"))
        return self._codes[candidates[0]] if candidates else None
