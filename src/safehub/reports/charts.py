"""Static charts and the ward map, drawn with matplotlib: SVG data URIs in the page, PNG files
in the PDF.

Static images, because the same HTML becomes the PDF and the committee papers are printed:
nothing may depend on JavaScript. Colours are the GOV.UK palette; text is large enough to read
on paper at a glance. In the public edition a suppressed value is drawn as a hatched "c" band,
never as its true size.

Drawing them is a sixth of a PDF's time, so each chart is kept in `SAFEHUB_VAR_DIR/cache/charts`
under a digest of what it draws (the very values, labels and boundaries, as this edition shows
them), the format and the drawing code (this module and matplotlib's version): the same report
asked again gets the same bytes, and any change to a figure, a parameter or the code draws afresh.
A kept chart holds aggregate figures as its edition prints them, nothing about a child; the
restricted edition's are as confidential as that edition, in the folder beside the snapshots.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import io
import itertools
import json
import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from safehub.reports.committee import Report
from safehub.reports.tables import Value
from safehub.rules import disclosure

if TYPE_CHECKING:
    from types import ModuleType

BLUE, DARK_BLUE, LIGHT_BLUE = "#1d70b8", "#003078", "#5694ca"
RED, ORANGE, GREEN, GREY = "#d4351c", "#f47738", "#00703c", "#b1b4b6"
LEVEL_COLOURS = {"high": RED, "medium": ORANGE, "low": LIGHT_BLUE}
# Sequential blues, light to dark, for the choropleth.
SCALE = ["#f3f2f1", "#d2e2f1", "#9ec3e6", "#5694ca", "#1d70b8", "#003078"]


@functools.cache
def _pyplot() -> ModuleType:
    """matplotlib, set up once when the first chart is drawn: importing it takes longer than
    most `safehub` commands, which never draw one."""
    import matplotlib as mpl  # noqa: PLC0415

    mpl.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    plt.rcParams.update(
        {
            "font.family": "DejaVu Sans",
            "font.size": 11,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "svg.fonttype": "path",
            "svg.hashsalt": "safehub",
        }
    )
    return plt


# SVG for the page (sharp at any zoom); PNG for the PDF, which WeasyPrint lays out in less than
# half the time of the same charts as SVG paths (bench/RESULTS.md).
_FORMAT = {"value": "svg"}
MIME = {"svg": "image/svg+xml", "png": "image/png"}


# zlib's usual level for a PNG: the PDF embeds the PNG's compressed pixels as they are
# (`safehub.reports.pdf`), so this is the size they take in the PDF too. The fastest level would
# draw a chart about 5 ms sooner (once per snapshot; charts are kept) for a PDF 7% larger.
_PNG_LEVEL = 6


def _image(fig: Any) -> bytes:
    """The figure as the file the page embeds. A PNG is saved without its alpha channel (the
    charts are opaque): WeasyPrint would otherwise split it out into a mask of its own."""
    fmt = _FORMAT["value"]
    buffer = io.BytesIO()
    options: dict[str, Any] = (
        {"metadata": {"Date": None}}
        if fmt == "svg"
        else {"pil_kwargs": {"compress_level": 0}}  # read back at once, below
    )
    fig.savefig(buffer, format=fmt, bbox_inches="tight", dpi=150, **options)
    _pyplot().close(fig)
    if fmt != "png":
        return buffer.getvalue()
    from PIL import Image  # noqa: PLC0415 - matplotlib depends on Pillow

    opaque = io.BytesIO()
    Image.open(buffer).convert("RGB").save(opaque, format="PNG", compress_level=_PNG_LEVEL)
    return opaque.getvalue()


def _number(value: Value | None) -> int | None:
    return value if isinstance(value, int) else None


def trend_chart(report: Report) -> bytes:
    """Children at risk at each month end over three years.

    The restricted edition stacks the risk levels; the public edition draws the total only,
    since monthly counts by level are mostly small and would be shown as gaps.
    """
    import matplotlib.dates as mdates  # noqa: PLC0415

    fig, ax = _pyplot().subplots(figsize=(8, 3.4))
    months = [row["month_end"] for row in report.trend]
    if report.public:
        totals = [_number(row["total"]) for row in report.trend]
        ax.bar(months, [t or 0 for t in totals], width=25, color=BLUE, label="Children at risk")
        for month, total in zip(months, totals, strict=True):
            if total is None:
                ax.annotate("c", (month, 0), ha="center", va="bottom", fontsize=9)
    else:
        bottom = [0] * len(months)
        for level in ("high", "medium", "low"):
            values = [_number(row[level]) or 0 for row in report.trend]
            ax.bar(
                months,
                values,
                width=25,
                bottom=bottom,
                color=LEVEL_COLOURS[level],
                label=level.title(),
            )
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    ax.xaxis.set_major_locator(mdates.MonthLocator(bymonth=(1, 4, 7, 10)))  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b\n%Y"))  # type: ignore[no-untyped-call]
    ax.set_ylabel("Children at risk")
    ax.legend(loc="upper left", frameon=False, ncols=3)
    ax.grid(axis="y", color="#dddddd")
    ax.set_axisbelow(True)
    return _image(fig)


def referrals_chart(report: Report) -> bytes:
    table = report.tables["referrals_by_financial_year"]
    fig, ax = _pyplot().subplots(figsize=(6, 3.2))
    labels = table.row_keys
    shown = table.shown()
    series = [
        ("Referrals", 0, BLUE),
        ("Individual children", 1, LIGHT_BLUE),
        ("Referred more than once", 2, DARK_BLUE),
    ]
    width = 0.26
    for k, (label, column, colour) in enumerate(series):
        xs = [i + (k - 1) * width for i in range(len(labels))]
        values = [_number(row[column]) for row in shown]
        bars = ax.bar(xs, [v or 0 for v in values], width=width, color=colour, label=label)
        for bar, value in zip(bars, values, strict=True):
            ax.annotate(
                "c" if value is None else f"{value:,}",
                (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                ha="center",
                va="bottom",
                fontsize=8,
            )
    ax.set_xticks(range(len(labels)), labels)
    ax.legend(frameon=False, fontsize=9, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncols=3)
    ax.set_ylabel("Number")
    return _image(fig)


def age_sex_chart(report: Report) -> bytes:
    table = report.tables["age_sex"]
    fig, ax = _pyplot().subplots(figsize=(6, 3))
    shown = table.shown()
    colours = [RED, BLUE, GREY]
    left = [0] * len(table.row_labels)
    for j, sex in enumerate(table.columns):
        values = [_number(row[j]) or 0 for row in shown]
        ax.barh(table.row_labels, values, left=left, color=colours[j % 3], label=sex)
        left = [a + b for a, b in zip(left, values, strict=True)]
    ax.invert_yaxis()
    ax.set_xlabel("Children at risk")
    ax.legend(frameon=False)
    return _image(fig)


def _rings(geometry: dict[str, Any]) -> list[list[list[float]]]:
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"][0]]
    if geometry["type"] == "MultiPolygon":
        return [poly[0] for poly in geometry["coordinates"]]
    return []


def ward_values_shown(report: Report) -> dict[str, Value]:
    """Each ward's figure as this edition may show it: its row total, "c" when suppressed."""
    table = report.tables["by_ward"]
    shown: dict[str, Value] = {}
    for i, code in enumerate(table.row_keys):
        if code in report.ward_values:
            shown[code] = table.shown()[i][0] if table.coarsened else table.shown_row_total(i)
    return {code: shown.get(code, 0) for code in report.ward_values}


def ward_numbers(report: Report) -> dict[str, str]:
    """Each ward's number on the map: the one printed beside it in the ward table."""
    table = report.tables["by_ward"]
    return {code: mark for code, mark in zip(table.row_keys, table.row_marks, strict=False) if mark}


def _label_point(rings: list[list[list[float]]]) -> tuple[float, float]:
    """Where a ward's number goes: inside its largest part, as far from its edges as can be
    (a centroid may fall outside a crescent-shaped ward, or in its neighbour)."""
    from shapely.geometry import Polygon as ShapelyPolygon  # noqa: PLC0415
    from shapely.ops import polylabel  # noqa: PLC0415

    parts = [ShapelyPolygon(ring) for ring in rings if len(ring) >= 4]  # noqa: PLR2004
    parts = [p if p.is_valid else p.buffer(0) for p in parts]
    largest = max(parts, key=lambda p: p.area)
    if largest.geom_type != "Polygon" or largest.is_empty:
        point = largest.representative_point()
    else:
        point = polylabel(largest, tolerance=largest.length / 1000)
    return point.x, point.y


def ward_map(report: Report) -> bytes:
    """A choropleth of children at risk by ward from the wards' own boundaries.

    Each ward carries its number in the ward table (the map's key), drawn with a white halo so
    it reads on any shade; the legend sits under the map so the map takes the page's width.
    """
    from matplotlib import patheffects  # noqa: PLC0415
    from matplotlib.collections import PatchCollection  # noqa: PLC0415
    from matplotlib.colors import BoundaryNorm, ListedColormap  # noqa: PLC0415
    from matplotlib.patches import Patch, Polygon  # noqa: PLC0415

    values = ward_values_shown(report)
    numbers = [v for v in values.values() if isinstance(v, int)]
    keys = ward_numbers(report)
    top = max(numbers, default=0)
    # The public edition shows no number from 1 to the threshold, so its scale starts above it.
    lowest = disclosure.DEFAULT_THRESHOLD + 1 if report.public else 1
    inner = {max(lowest + 1, round(top * f)) for f in (0.25, 0.5, 0.75)}
    bounds = sorted({0, lowest, *inner, top + 1})
    bounds = [b for b in bounds if b <= max(top + 1, lowest)]
    cmap = ListedColormap(SCALE[: len(bounds) - 1])
    norm = BoundaryNorm(bounds, cmap.N)
    fig, ax = _pyplot().subplots(figsize=(8, 7))
    patches, colours, labels = [], [], []
    for ward in report.ward_boundaries:
        if not ward.get("boundary_geojson"):
            continue
        geometry = json.loads(ward["boundary_geojson"])
        value = values.get(ward["ward_code"], 0)
        colour = GREY if not isinstance(value, int) else cmap(norm(value))
        rings = _rings(geometry)
        for ring in rings:
            patches.append(Polygon(ring, closed=True))
            colours.append(colour)
        if rings:
            x, y = _label_point(rings)
            labels.append((x, y, keys.get(ward["ward_code"], "")))
    collection = PatchCollection(patches, facecolors=colours, edgecolors="white", linewidths=0.8)
    ax.add_collection(collection)
    halo = [patheffects.withStroke(linewidth=2.5, foreground="white")]
    for x, y, key in labels:
        ax.annotate(
            key,
            (x, y),
            ha="center",
            va="center",
            fontsize=9,
            fontweight="bold",
            color="#0b0c0c",
            path_effects=halo,
        )
    ax.autoscale_view()
    if labels:
        # A degree of longitude shrinks with the cosine of the latitude: this keeps the
        # council's wards in proportion wherever it is.
        latitude = sum(y for _, y, _ in labels) / len(labels)
        ax.set_aspect(1 / math.cos(math.radians(latitude)))
    ax.axis("off")
    legend = [
        Patch(facecolor=cmap(i), label=f"{lo}" if hi - lo == 1 or lo == 0 else f"{lo}–{hi - 1}")
        for i, (lo, hi) in enumerate(itertools.pairwise(bounds))
    ]
    if report.public:
        legend.append(Patch(facecolor=GREY, label="c (1–5 or withheld)"))
    ax.legend(
        handles=legend,
        title="Children at risk (the number in each ward is its row in the ward table)",
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        ncols=min(len(legend), 4),
        frameon=False,
        fontsize=9,
        title_fontsize=9,
    )
    return _image(fig)


def _all_withheld(report: Report, key: str) -> bool:
    """Whether a table shows no number but 0: a chart of it would be an empty axis."""
    return not any(isinstance(v, int) and v > 0 for row in report.tables[key].shown() for v in row)


def _table_drawn(report: Report, key: str) -> list[Any]:
    table = report.tables[key]
    return [table.row_keys, table.row_labels, table.columns, table.shown(), table.coarsened]


def _drawn(report: Report) -> dict[str, Any]:
    """What each chart draws: its cache key, with the format and the drawing code."""
    return {
        "trend": [report.public, report.trend],
        "referrals": _table_drawn(report, "referrals_by_financial_year"),
        "age_sex": _table_drawn(report, "age_sex"),
        "map": [
            report.public,
            disclosure.DEFAULT_THRESHOLD,
            ward_values_shown(report),
            ward_numbers(report),
            [[w["ward_code"], w.get("boundary_geojson")] for w in report.ward_boundaries],
        ],
    }


@functools.cache
def _code_digest() -> str:
    import matplotlib as mpl  # noqa: PLC0415

    digest = hashlib.sha256(Path(__file__).read_bytes())
    digest.update(mpl.__version__.encode())
    return digest.hexdigest()


def cache_dir() -> Path:
    from django.conf import settings  # noqa: PLC0415

    return Path(settings.VAR_DIR) / "cache" / "charts"


# Enough for a few hundred reports; the oldest charts go first.
CACHE_LIMIT = 1000


def _cached(name: str, fmt: str, drawn: Any, draw: Callable[[], bytes]) -> bytes:
    """The chart from the cache, or drawn and kept there (a cache that cannot be written, a
    read-only folder say, only costs the drawing)."""
    key = json.dumps([_code_digest(), name, fmt, drawn], sort_keys=True, default=str)
    folder = cache_dir()
    path = folder / f"{hashlib.sha256(key.encode()).hexdigest()}.{fmt}"
    try:
        return path.read_bytes()
    except OSError:
        pass
    image = draw()
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)  # as private as the reports
        partial = path.with_suffix(f".{os.getpid()}.part")
        partial.write_bytes(image)
        partial.replace(path)  # whole or not at all, for a reader in another process
        _prune(folder)
    except OSError:
        pass
    return image


def _prune(folder: Path) -> None:
    kept = list(folder.iterdir())
    if len(kept) <= CACHE_LIMIT:
        return
    kept.sort(key=lambda p: p.stat().st_mtime)
    for old in kept[: len(kept) - CACHE_LIMIT]:
        old.unlink(missing_ok=True)


def images(report: Report, *, fmt: str = "svg") -> dict[str, bytes]:
    """Every chart as the file the page or the PDF embeds, by name; a chart whose values are
    all withheld is left out, and the page says so in a sentence instead."""
    draw: dict[str, Callable[[Report], bytes]] = {
        "trend": trend_chart,
        "referrals": referrals_chart,
        "age_sex": age_sex_chart,
        "map": ward_map,
    }
    if _all_withheld(report, "age_sex"):
        del draw["age_sex"]
    drawn = _drawn(report)
    _FORMAT["value"] = fmt
    try:
        return {
            name: _cached(name, fmt, drawn[name], functools.partial(chart, report))
            for name, chart in draw.items()
        }
    finally:
        _FORMAT["value"] = "svg"


NAMES = ("trend", "referrals", "age_sex", "map")


def data_uris(found: dict[str, bytes], fmt: str) -> dict[str, str]:
    """Each chart as a data URI; a chart left out (see `images`) is ""."""
    return {
        name: f"data:{MIME[fmt]};base64,{base64.b64encode(found[name]).decode()}"
        if name in found
        else ""
        for name in NAMES
    }


def draw_all(report: Report, *, fmt: str = "svg") -> dict[str, str]:
    """Every chart as a data URI, kept in `report.charts` for the page."""
    report.charts = data_uris(images(report, fmt=fmt), fmt)
    return report.charts
