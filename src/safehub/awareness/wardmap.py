"""An SVG choropleth of one programme's coverage by ward, drawn from the wards' own boundaries.

Drawn as markup in the page (no image library on a request, nothing fetched): each ward is a
path filled by its coverage band, with a <title> naming the ward and its figure, and the page's
table holds the same figures for anyone who cannot see the colours.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from safehub.awareness.queries import Cell
from safehub.geo.models import Ward

# Light to dark: no target, then coverage bands (GOV.UK blues).
NO_TARGET = "#f3f2f1"
BANDS = ((25, "#d2e2f1"), (50, "#9ec3e6"), (75, "#5694ca"), (100, "#1d70b8"), (None, "#003078"))
WIDTH = 640


@dataclass(frozen=True)
class Shape:
    path: str
    colour: str
    title: str


@dataclass(frozen=True)
class WardMap:
    width: int
    height: int
    shapes: list[Shape]
    legend: list[tuple[str, str]]


def band(cell: Cell) -> str:
    percent = cell.percent
    if percent is None:
        return NO_TARGET
    for top, colour in BANDS:
        if top is None or percent < top:
            return colour
    return BANDS[-1][1]


def _rings(geometry: dict[str, Any]) -> list[list[list[float]]]:
    if geometry.get("type") == "Polygon":
        return [geometry["coordinates"][0]]
    if geometry.get("type") == "MultiPolygon":
        return [poly[0] for poly in geometry["coordinates"]]
    return []


def draw(wards: list[Ward], cells: dict[str, Cell]) -> WardMap | None:
    """The map, or None when no ward has a boundary to draw."""
    rings = {w.code: _rings(w.boundary or {}) for w in wards}
    points = [p for rs in rings.values() for ring in rs for p in ring]
    if not points:
        return None
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    # A degree of longitude shrinks with the cosine of the latitude.
    squash = math.cos(math.radians((min(ys) + max(ys)) / 2))
    span_x = (max(xs) - min(xs)) * squash or 1.0
    span_y = max(ys) - min(ys) or 1.0
    scale = WIDTH / span_x
    height = round(span_y * scale)

    def xy(p: list[float]) -> str:
        return f"{(p[0] - min(xs)) * squash * scale:.1f},{(max(ys) - p[1]) * scale:.1f}"

    shapes = []
    for ward in wards:
        if not rings[ward.code]:
            continue
        cell = cells.get(ward.code, Cell())
        path = " ".join("M" + " L".join(xy(p) for p in ring) + " Z" for ring in rings[ward.code])
        figure = (
            f"{cell.reached:,} of {cell.target:,} ({cell.percent}%)"
            if cell.target
            else f"{cell.reached:,} reached, no target"
        )
        shapes.append(Shape(path, band(cell), f"{ward.name}: {figure}"))
    legend = [(NO_TARGET, "No target")]
    low = 0
    for top, colour in BANDS:
        legend.append((colour, f"{low}% to {top - 1}%" if top else f"{low}% or more"))
        low = top or low
    return WardMap(WIDTH, height, shapes, legend)
