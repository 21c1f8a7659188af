"""The committee report's year-earlier comparisons, exploitation types and ward map key, and how
its PDF reads on paper (headings kept with their content, no page of leftovers).

The figures are checked against the demo oracle (the ORM over the case tables, computed while
the demo was loaded), not against the report's own SQL.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from safehub.analytics import snapshot
from safehub.reports import charts, committee, render
from safehub.rules import codes
from tests.integration.conftest import DemoHistory

WEST_DAY = dt.date(2016, 10, 31)


@pytest.fixture(scope="module")
def manifest(demo_history: DemoHistory) -> snapshot.Manifest:
    return snapshot.load("demo", root=demo_history.root)


def _build(manifest: snapshot.Manifest, area: str, day: dt.date, edition: str) -> Any:
    return committee.build(manifest, area=area, as_of=day, edition=edition)


def _rows(table: dict[str, Any]) -> dict[str, list[Any]]:
    return {row["label"]: row["values"] for row in table["rows"]}


def _signed(change: int) -> str:
    return f"+{change}" if change > 0 else f"\u2212{-change}" if change < 0 else "0"


def test_the_year_earlier_by_risk_level_matches_the_case_tables(
    manifest: snapshot.Manifest, demo_history: DemoHistory
) -> None:
    tables = render.to_json(_build(manifest, "Bradford West", WEST_DAY, "restricted"))["tables"]
    table = tables["year_earlier_by_level"]
    assert table["columns"] == ["31 Oct 2015", "31 Oct 2016", "Change"]
    then = Counter(level for _, level in demo_history.figures["west_year_earlier"])
    now = Counter(level for _, level, *_ in demo_history.figures["west"])
    assert then
    assert now
    assert _rows(table) == {
        level.capitalize(): [then[level], now[level], _signed(now[level] - then[level])]
        for level in ("high", "medium", "low")
    }
    total_then, total_now = then.total(), now.total()
    assert table["totals"] == [total_then, total_now, _signed(total_now - total_then)]


def test_the_year_earlier_by_ward_keeps_the_ward_table_s_rows_and_map_numbers(
    manifest: snapshot.Manifest, demo_history: DemoHistory
) -> None:
    report = render.to_json(_build(manifest, "Bradford West", WEST_DAY, "restricted"))
    table = report["tables"]["year_earlier_by_ward"]
    wards = report["tables"]["by_ward"]
    assert [r["label"] for r in table["rows"]] == [r["label"] for r in wards["rows"]]
    assert [r["mark"] for r in table["rows"]] == [r["mark"] for r in wards["rows"]]
    then = Counter(ward for ward, _ in demo_history.figures["west_year_earlier"])
    now = Counter(ward for ward, *_ in demo_history.figures["west"])
    for label, (before, after, change) in _rows(table).items():
        assert (before, after) == (then[label], now[label]), label
        assert change == _signed(after - before)


def test_the_public_comparison_prints_today_s_figures_exactly_as_the_ward_table_does(
    manifest: snapshot.Manifest,
) -> None:
    """Linked, not suppressed again: two patterns for one count would disclose it."""
    report = render.to_json(_build(manifest, "Bradford West", WEST_DAY, "public"))
    tables = report["tables"]
    wards = tables["by_ward"]
    ward_totals = {row["label"]: row["total"] for row in wards["rows"]}
    by_ward = tables["year_earlier_by_ward"]
    assert {label: values[1] for label, values in _rows(by_ward).items()} == ward_totals
    level_totals = dict(zip(wards["columns"], wards["totals"], strict=False))
    by_level = tables["year_earlier_by_level"]
    assert {label: values[1] for label, values in _rows(by_level).items()} == {
        label: level_totals[label] for label in ("High", "Medium", "Low")
    }
    assert by_level["totals"][1] == wards["totals"][-1] == report["headline"]["open_children"]
    assert by_level["totals"][0] == report["headline"]["open_children_year_earlier"]
    shown = [values for t in (by_ward, by_level) for values in _rows(t).values()]
    assert any("c" in values[:2] for values in shown)  # the demo has small counts here
    for before, after, change in shown:
        if "c" in (before, after):
            assert change == "c"
        else:
            assert change == _signed(after - before)


def test_open_children_by_exploitation_type_count_each_type_named(
    manifest: snapshot.Manifest, demo_history: DemoHistory
) -> None:
    report = render.to_json(_build(manifest, "Bradford West", WEST_DAY, "restricted"))
    table = report["tables"]["exploitation_types"]
    named = demo_history.figures["west_types"]
    expected = {
        t.label: sum(1 for types in named if t.value in types) for t in codes.ExploitationType
    }
    expected["None named"] = sum(1 for types in named if not types)
    assert {label: values[0] for label, values in _rows(table).items()} == expected
    # Some child is counted under two types, so a total would add overlapping things: none.
    assert any(len(types) > 1 for types in named)
    assert sum(expected.values()) > report["headline"]["open_children"]
    assert "totals" not in table
    assert "more than one type" in table["note"]
    assert "open_children_by_exploitation_type" in report["definitions"]


def test_the_public_exploitation_table_hides_small_counts_with_a_second_cell(
    manifest: snapshot.Manifest,
) -> None:
    restricted = render.to_json(_build(manifest, "Bradford West", WEST_DAY, "restricted"))
    public = render.to_json(_build(manifest, "Bradford West", WEST_DAY, "public"))
    true = _rows(restricted["tables"]["exploitation_types"])
    shown = _rows(public["tables"]["exploitation_types"])
    for label, (value,) in true.items():
        assert shown[label] == ["c"] or shown[label] == [value]
        if 1 <= value <= 5:
            assert shown[label] == ["c"], label
    # Audited as if the rows' sum were published: a lone "c" would follow from it.
    assert sum(1 for (v,) in shown.values() if v == "c") != 1


def test_each_ward_s_number_on_the_map_is_its_row_in_the_ward_table(
    manifest: snapshot.Manifest,
) -> None:
    report = _build(manifest, "Bradford", dt.date(2017, 3, 31), "public")
    data = render.to_json(report)
    numbered = [w for w in data["by_ward"] if w["ward_code"] != "unknown"]
    assert [w["map_number"] for w in numbered] == list(range(1, len(numbered) + 1))
    assert len(numbered) == 30
    assert charts.ward_numbers(report) == {w["ward_code"]: str(w["map_number"]) for w in numbered}
    html = render.to_html(report)
    assert re.search(r'<td class="app-mark">1</td>\s*<th scope="row"[^>]*>Keighley Central', html)


def test_a_ward_s_number_is_placed_inside_it_even_when_its_centre_is_not() -> None:
    # A "C"-shaped ward: the average of its corners lies in the gap, outside the ward.
    ring = [[0, 0], [3, 0], [3, 1], [1, 1], [1, 2], [3, 2], [3, 3], [0, 3], [0, 0]]
    from shapely.geometry import Point, Polygon  # noqa: PLC0415

    corners = ring[:-1]
    centre = Point(sum(x for x, _ in corners) / 8, sum(y for _, y in corners) / 8)
    assert not Polygon(ring).contains(centre)
    x, y = charts._label_point([ring])  # noqa: SLF001 - the placement rule itself
    assert Polygon(ring).contains(Point(x, y))


def _content_lines(page: Any) -> list[tuple[str, float, bool]]:
    """The page's lines between its running header and footer, top to bottom, as (text, size,
    all bold); a chart or map (an image) counts as a line of its own, ("<image>", 0, False)."""
    top, bottom = 16 / 25.4 * 72, page.height - 18 / 25.4 * 72
    lines: dict[float, list[dict[str, Any]]] = {}
    for char in page.chars:
        if top <= char["top"] <= bottom and char["text"].strip():
            lines.setdefault(round(char["top"]), []).append(char)
    found = [
        (
            at,
            (
                "".join(c["text"] for c in sorted(chars, key=lambda c: c["x0"])),
                max(c["size"] for c in chars),
                all("Bold" in c["fontname"] for c in chars),
            ),
        )
        for at, chars in lines.items()
    ]
    found += [(image["top"], ("<image>", 0.0, False)) for image in page.images]
    return [line for _, line in sorted(found, key=lambda item: item[0])]


@pytest.mark.parametrize(
    ("area", "as_of", "edition"),
    [
        ("Bradford", "2017-03-31", "public"),
        ("Bradford West", "2016-10-31", "restricted"),
        ("Bradford South", "2016-10-27", "public"),
        ("Bradford", "today", "public"),
    ],
)
def test_no_page_ends_on_a_heading_or_holds_only_a_few_lines(
    manifest: snapshot.Manifest, area: str, as_of: str, edition: str
) -> None:
    import pdfplumber  # noqa: PLC0415

    day = manifest.knowledge_time.date() if as_of == "today" else dt.date.fromisoformat(as_of)
    content = render.to_pdf(_build(manifest, area, day, edition))
    heading_size = 11.5  # points: headings and table captions are bold and at least 12 pt
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        for page in pdf.pages:
            lines = _content_lines(page)
            # A page of a few stray lines (two lines of a hash) is a page wasted; a map is not.
            enough = len(lines) >= 4 or any(text == "<image>" for text, _, _ in lines)
            assert enough, f"page {page.page_number} holds only {lines}"
            text, size, bold = lines[-1]
            assert not (bold and size >= heading_size), f"page {page.page_number} ends on {text!r}"


def test_the_pdf_check_sees_a_heading_at_a_page_foot(tmp_path: Path) -> None:
    """The check above can fail: a page whose last line is a heading is caught."""
    import pdfplumber  # noqa: PLC0415
    from weasyprint import HTML  # noqa: PLC0415

    html = (
        "<style>@page { size: A4; margin: 16mm 14mm 18mm 14mm; } p { margin: 0; }</style>"
        + "<p>line</p>" * 50
        + '<h2 style="font: bold 26px Arial; margin: 0">Orphan</h2>'
        + '<div style="page-break-before: always"><p>next</p></div>'
    )
    with pdfplumber.open(io.BytesIO(HTML(string=html).write_pdf())) as pdf:
        text, size, bold = _content_lines(pdf.pages[0])[-1]
    assert (text, bold) == ("Orphan", True)
    assert size >= 11.5


@pytest.mark.parametrize("as_of", ["2016-10-31", "today"])
def test_the_public_headline_change_is_printed_only_beside_both_its_ends(
    manifest: snapshot.Manifest, as_of: str
) -> None:
    day = manifest.knowledge_time.date() if as_of == "today" else dt.date.fromisoformat(as_of)
    area = "Bradford" if as_of == "today" else "Bradford West"
    headline = render.to_json(_build(manifest, area, day, "public"))["headline"]
    now, then = headline["open_children"], headline["open_children_year_earlier"]
    if isinstance(now, int) and isinstance(then, int):
        assert headline["change"] == now - then
    else:
        assert headline["change"] is None


def test_the_web_page_styles_the_headline_like_the_pdf(
    demo_history: DemoHistory, monkeypatch: pytest.MonkeyPatch, elected_member_client: Any
) -> None:
    """Each headline number is a block above its words: never "76children at risk"."""
    monkeypatch.setenv("SAFEHUB_SNAPSHOT_DIR", str(demo_history.root))
    query = "?area=Bradford+West&edition=public&as_of_0=31&as_of_1=10&as_of_2=2016"
    body = elected_member_client.get("/reports/committee" + query).content.decode()
    link = re.search(r'href="([^"]*reports/report\.css)"', body)
    assert link is not None
    assert '<span class="app-headline__number">60</span>' in body
    css = b"".join(elected_member_client.get(link.group(1)).streaming_content).decode()
    assert re.search(r"\.app-headline__number \{[^}]*display: block", css)
