"""The committee report from a snapshot of the demo: the published figures, both editions, every
format, the page, and the disclosure audit that stands between a table and the public.

The demo is loaded once for the module inside a transaction rolled back at its end, and one
snapshot is written from it.
"""

from __future__ import annotations

import base64
import dataclasses
import io
import json
import re
import threading
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from safehub import config
from safehub.access.policy import SYSTEM, AccessDeniedError
from safehub.analytics import snapshot
from safehub.reports import committee, render, services
from safehub.rules import disclosure
from tests.integration.conftest import DemoHistory


@pytest.fixture(scope="module")
def snapshot_root(demo_history: DemoHistory) -> Path:
    return demo_history.root


@pytest.fixture
def use_snapshots(snapshot_root: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SAFEHUB_SNAPSHOT_DIR", str(snapshot_root))
    return snapshot_root


def _json(root: Path, area: str, as_of: str, edition: str = "restricted") -> dict[str, Any]:
    content = services.committee_report(
        area=area,
        as_of=__import__("datetime").date.fromisoformat(as_of),
        edition=edition,
        fmt="json",
        acting_user=SYSTEM,
        root=root,
    )
    return dict(json.loads(content))


def test_bradford_south_on_27_october_2016(snapshot_root: Path) -> None:
    report = _json(snapshot_root, "Bradford South", "2016-10-27")
    assert report["area"] == "Bradford South"
    assert report["as_of"] == "2016-10-27"
    assert report["edition"] == "restricted"
    assert report["snapshot"]["id"] == "demo"
    assert len(report["snapshot"]["sha256"]) == 64
    assert report["headline"]["open_children"] == 76
    assert report["headline"]["high"] == 11
    h = report["headline"]
    assert h["high"] + h["medium"] + h["low"] == 76
    assert isinstance(h["open_children_year_earlier"], int)
    wards = report["by_ward"]
    assert wards[0]["ward_name"] == "Wyke"
    assert {w["ward_name"] for w in wards[1:4]} == {"Tong", "Wibsey", "Royds"}
    assert set(wards[0]) >= {"ward_code", "ward_name", "open_children", "high", "medium", "low"}
    assert "open_children" in report["definitions"]


def test_bradford_west_on_31_october_2016(snapshot_root: Path) -> None:
    report = _json(snapshot_root, "Bradford West", "2016-10-31")
    h = report["headline"]
    assert (h["open_children"], h["high"], h["medium"], h["low"]) == (60, 9, 23, 28)
    assert {w["ward_name"]: w["open_children"] for w in report["by_ward"]} == {
        "Thornton and Allerton": 16,
        "Manningham": 12,
        "Heaton": 11,
        "Clayton and Fairweather Green": 10,
        "City": 7,
        "Toller": 4,
    }


def test_the_district_referrals_by_financial_year(snapshot_root: Path) -> None:
    report = _json(snapshot_root, "Bradford", "2017-03-31")
    years = {r["year"]: r for r in report["referrals_by_financial_year"]}
    assert [years[y]["referrals"] for y in ("2014/15", "2015/16", "2016/17")] == [431, 713, 1153]
    assert years["2015/16"]["children"] == 569
    assert years["2015/16"]["children_referred_more_than_once"] == 106


def test_every_section_is_recorded_now_so_none_says_not_recorded(snapshot_root: Path) -> None:
    """Awareness, pathway referrals and scrutiny are all held: no "not recorded" note is left
    (an older snapshot without their tables still says so: test_scrutiny, test_awareness)."""
    report = _json(snapshot_root, "Bradford South", "2016-10-27")
    assert report["not_recorded"] == []


def test_resolutions_2_and_3_show_pathway_figures_from_the_demo(
    snapshot_root: Path, demo_history: DemoHistory
) -> None:
    """The demo holds pathway referrals from April 2016: the sections for resolution 3
    (timeliness, outcomes) and resolution 2 (lower-risk children with support) have figures."""
    report = _json(snapshot_root, "Bradford", "2017-03-31")
    tables = report["tables"]
    timeliness = tables["pathway_timeliness"]
    assert timeliness["columns"][:2] == ["Referrals", "Accepted within target"]
    referrals = [row["values"][0] for row in timeliness["rows"]]
    assert sum(referrals) > 0
    assert any(row["label"].startswith("Youth Service – ") for row in timeliness["rows"])
    for row in timeliness["rows"]:
        made, accepted_in_time, accepted, contact_in_time = row["values"]
        assert accepted_in_time <= accepted <= made
        assert contact_in_time <= accepted
    # The oracle counts the same from the case tables, row by row.
    assert [sum(row["values"][i] for row in timeliness["rows"]) for i in (0, 1, 3)] == list(
        demo_history.figures["pathway_2016_17"]
    )
    assert sum(sum(row["values"]) for row in tables["pathway_outcomes"]["rows"]) > 0
    support = {row["label"]: row["values"] for row in tables["support_involvement"]["rows"]}
    for children, youth, any_support in support.values():
        assert youth <= any_support <= children
    assert sum(v[2] for v in support.values()) > 0
    for name in ("pathway_timeliness", "pathway_outcomes", "support_involvement"):
        assert report["definitions"][name]


def test_the_awareness_section_shows_coverage_of_every_programme(snapshot_root: Path) -> None:
    report = _json(snapshot_root, "Bradford South", "2016-10-27")
    coverage = report["tables"]["awareness_coverage"]
    assert coverage["title"] == "Awareness and training coverage in 2016/17 to 27 October 2016"
    assert coverage["columns"] == ["Sessions", "People reached", "Target population"]
    rows = {r["label"]: r["values"] for r in coverage["rows"]}
    assert list(rows)[:3] == [
        "Taxi and private hire driver training",
        "Patient transport (PTS) driver training",
        "Bus driver training",
    ]
    assert len(rows) == 8
    # Drivers and secondary pupils have ward targets, so the area has its own target.
    drivers = [
        "Taxi and private hire driver training",
        "Patient transport (PTS) driver training",
        "Bus driver training",
    ]
    for name in [*drivers, "Secondary school play"]:
        _, reached, target = rows[name]
        assert target > 0
        assert f"{name}: {round(100 * reached / target)}%" in coverage["note"]
    for name in ("Taxi and private hire driver training", "Secondary school play"):
        sessions, reached, _ = rows[name]  # several a month since April 2015
        assert sessions > 0
        assert reached > 0
    # District-wide targets (hotel staff) are not an area's: the area shows none.
    assert rows["Hotel and night-time economy staff"][2] == 0
    assert "Hotel and night-time economy staff: no target set" in coverage["note"]
    trend = report["tables"]["awareness_trend"]
    assert trend["columns"] == ["2014/15", "2015/16", "2016/17"]
    by_year = {r["label"]: r["values"] for r in trend["rows"]}
    assert by_year["Taxi and private hire driver training"][0] == 0  # before April 2015
    assert by_year["Taxi and private hire driver training"][1] > 0
    assert by_year["Primary school play"][1] == 0  # rolled out from autumn 2016
    assert all(by_year[name][2] == values[1] for name, values in rows.items())
    assert "awareness_reached" in report["definitions"]


def test_public_edition_suppresses_small_cells_and_small_totals(snapshot_root: Path) -> None:
    report = _json(snapshot_root, "Bradford West", "2016-10-31", edition="public")
    assert report["headline"]["open_children"] == 60
    cells = [w[k] for w in report["by_ward"] for k in ("high", "medium", "low") if k in w]
    assert "c" in cells
    assert all(c in {"c", 0} or c > 5 for c in cells)
    ward_totals = {w["ward_name"]: w["open_children"] for w in report["by_ward"]}
    assert ward_totals["Toller"] == "c"  # a ward total of 4 is a small count like any other
    assert ward_totals["Thornton and Allerton"] == 16
    assert _small_counts(report) == []


def _small_counts(value: object, path: str = "") -> list[str]:
    """Where a published JSON document holds a count from 1 to 5 (dates and ids are strings)."""
    if isinstance(value, dict):
        return [
            p
            for key, item in value.items()
            # A ward's number on the map is a label, and the headline's change the difference
            # of two printed figures (printed only when both are), not counts.
            if key
            not in {"snapshot", "definitions", "notes", "suppressed_cells", "map_number", "change"}
            for p in _small_counts(item, f"{path}.{key}")
        ]
    if isinstance(value, list):
        return [p for k, item in enumerate(value) for p in _small_counts(item, f"{path}[{k}]")]
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 5:
        return [f"{path}={value}"]
    return []


_CELL = re.compile(
    r'<(?:td|span)[^>]*class="[^"]*(?:govuk-table__cell|app-headline__number)[^"]*"[^>]*>'
    r"\s*(?:<strong>)?\s*([^<]*?)\s*(?:</strong>)?\s*<"
)


def _small_in_html(html: str) -> list[str]:
    return [v for v in _CELL.findall(html) if v.replace(",", "").isdigit() and 1 <= int(v) <= 5]


def _small_in_xlsx(content: bytes) -> list[str]:
    from openpyxl import load_workbook  # noqa: PLC0415

    book = load_workbook(io.BytesIO(content))
    return [
        f"{sheet.title}!{cell.coordinate}={cell.value}"
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, int) and 1 <= cell.value <= 5
    ]


def _small_in_pdf(content: bytes) -> list[str]:
    """Counts from 1 to 5 in the PDF's text: table cells and headline figures.

    A table row's figures are the run of numbers and "c"s that ends its line of text; a headline
    figure starts its line. Prose ("target: 1 working day", "a number from 1 to 5") is neither.
    """
    import pdfplumber  # noqa: PLC0415

    found = []
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        for page in pdf.pages:
            for line in (page.extract_text() or "").splitlines():
                tokens = line.replace(",", "").split()
                cells: list[str] = []
                for k in range(len(tokens) - 1, -1, -1):
                    token = tokens[k]
                    if token[:1] in {"+", "\u2212"} and token[1:].isdigit():
                        continue  # a change between two printed figures, not a count
                    if token.isdigit() and k > 0 and tokens[k - 1] in {"up", "down"}:
                        break  # the headline's change: "a year earlier (…): up 5"
                    if not (token.isdigit() or token == "c"):
                        break
                    cells.append(token)
                if tokens and tokens[0].isdigit() and len(tokens) > 1 and tokens[1] in _HEADLINE:
                    cells.append(tokens[0])
                if any(c.isdigit() and 1 <= int(c) <= 5 for c in cells):
                    found.append(f"page {page.page_number}: {line}")
    return found


_HEADLINE = {"children", "high", "medium", "low", "a"}


def test_tables_of_unlike_things_print_no_total(snapshot_root: Path) -> None:
    tables = _json(snapshot_root, "Bradford West", "2016-10-31", edition="public")["tables"]
    assert "totals" not in tables["timeliness"]  # decisions and return home interviews
    assert "totals" not in tables["episode_activity"]  # openings and escalations
    assert "totals" not in tables["youth_service"]
    assert "totals" not in tables["emerging_communities"]  # rows overlap
    assert all("total" in row for row in tables["timeliness"]["rows"])  # each row adds up
    assert tables["by_ward"]["totals"][-1] == 60


def test_the_pdf_check_finds_the_small_counts_of_the_restricted_edition(
    snapshot_root: Path,
) -> None:
    manifest = snapshot.load("demo", root=snapshot_root)
    day = __import__("datetime").date(2016, 10, 31)
    report = committee.build(manifest, area="Bradford West", as_of=day, edition="restricted")
    assert any("Toller" in line for line in _small_in_pdf(render.to_pdf(report)))


PUBLIC_CASES = [
    ("Bradford South", "2016-10-27"),
    ("Bradford West", "2016-10-31"),
    ("Bradford", "2017-03-31"),
]


@pytest.mark.parametrize(("area", "as_of"), [*PUBLIC_CASES, ("Bradford", "today")])
def test_no_public_format_prints_a_count_from_one_to_five(
    snapshot_root: Path, area: str, as_of: str
) -> None:
    manifest = snapshot.load("demo", root=snapshot_root)
    day = (
        manifest.knowledge_time.date()
        if as_of == "today"
        else __import__("datetime").date.fromisoformat(as_of)
    )
    report = committee.build(manifest, area=area, as_of=day, edition="public")
    # The year-earlier comparisons and the exploitation types are checked too (by ward only
    # where the wards in force on the day are loaded).
    compared = {"year_earlier_by_level", "exploitation_types"}
    compared |= {"year_earlier_by_ward"} if as_of != "today" else set()
    assert compared <= set(report.tables)
    assert all(report.tables[key].published for key in compared)
    assert _small_counts(render.to_json(report)) == []
    assert _small_in_html(render.to_html(report)) == []
    assert _small_in_xlsx(render.to_xlsx(report)) == []
    assert _small_in_pdf(render.to_pdf(report)) == []


def test_the_public_ward_table_passes_the_audit_and_a_tampered_one_fails(
    snapshot_root: Path,
) -> None:
    manifest = snapshot.load("demo", root=snapshot_root)
    report = committee.build(
        manifest, area="Bradford West", as_of=__import__("datetime").date(2016, 10, 31)
    )
    ward_table = report.tables["by_ward"]
    table = disclosure.CountTable.two_way(
        ward_table.counts, row_labels=ward_table.row_labels, column_labels=ward_table.columns
    )
    published = disclosure.publish(table)
    assert published.cells_suppressed()
    assert disclosure.audit(published).ok
    # Un-suppress one complementary cell: the lone "c" left in its line is now recoverable.
    cell = published.cells_suppressed()[0]
    tampered = dataclasses.replace(
        published, suppressed={c: r for c, r in published.suppressed.items() if c != cell}
    )
    assert not disclosure.audit(tampered).ok


def test_a_public_edition_that_fails_its_audit_is_not_rendered(
    snapshot_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A real failing audit: one small count published as a number.
    table = disclosure.CountTable.two_way([[3, 9], [8, 7]])
    failing = disclosure.audit(disclosure.SuppressedTable(table, {}))
    assert not failing.ok

    def refuse(table: disclosure.CountTable, **_: object) -> disclosure.SuppressedTable:
        raise disclosure.DisclosureError(failing)

    monkeypatch.setattr(disclosure, "publish", refuse)
    with pytest.raises(disclosure.DisclosureError):
        _json(snapshot_root, "Bradford West", "2016-10-31", edition="public")


def test_xlsx_has_one_sheet_per_table(snapshot_root: Path) -> None:
    from openpyxl import load_workbook  # noqa: PLC0415

    manifest = snapshot.load("demo", root=snapshot_root)
    report = committee.build(
        manifest, area="Bradford South", as_of=__import__("datetime").date(2016, 10, 27)
    )
    book = load_workbook(io.BytesIO(render.to_xlsx(report)))
    assert set(report.tables) <= set(book.sheetnames)
    assert {"About", "definitions", "trend", "not_recorded"} <= set(book.sheetnames)
    sheet = book["by_ward"]
    assert sheet["A3"].value == "Wyke"


def _distinct_colours(png: bytes) -> int:
    from PIL import Image  # noqa: PLC0415 - matplotlib depends on Pillow

    image = Image.open(io.BytesIO(png)).convert("RGB")
    return len({c for _, c in image.getcolors(maxcolors=1_000_000) or []})


def test_pdf_renders_and_the_map_has_several_fill_colours(snapshot_root: Path) -> None:
    manifest = snapshot.load("demo", root=snapshot_root)
    report = committee.build(
        manifest,
        area="Bradford South",
        as_of=__import__("datetime").date(2016, 10, 27),
        edition="public",
    )
    pdf = render.to_pdf(report)
    assert pdf.startswith(b"%PDF")
    assert pdf.rstrip().endswith(b"%%EOF")
    from weasyprint import HTML  # noqa: PLC0415

    document = HTML(string=render.to_html(report)).render()
    assert len(document.pages) >= 3
    # The map is embedded as a static image; rasterise it to prove it is a real choropleth.
    png = base64.b64decode(report.charts["map"].split(",", 1)[1])
    assert png.startswith(b"\x89PNG")
    # pdftoppm is not installed here, so the same HTML the PDF is made from is rasterised in
    # Chromium, and the map and chart images are checked for real content.
    chromium = config.get("SAFEHUB_CHROMIUM")
    if not Path(chromium).exists():
        if config.get_bool("SAFEHUB_REQUIRE_BROWSER"):
            pytest.fail("Chromium is missing and SAFEHUB_REQUIRE_BROWSER=1")
        pytest.skip("Chromium is missing: cannot rasterise the page")
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    html = render.to_html(report)
    shots: dict[str, bytes] = {}

    def rasterise() -> None:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium)
            page = browser.new_page(viewport={"width": 1000, "height": 1400})
            page.set_content(html)
            shots["map"] = page.locator("img.app-map").screenshot()
            shots["trend"] = page.locator("img.app-chart").screenshot()
            browser.close()

    # A thread of its own: when the browser tests run in the same session, their Playwright
    # event loop occupies this thread and the sync API refuses to start inside it.
    worker = threading.Thread(target=rasterise)
    worker.start()
    worker.join(timeout=120)
    assert _distinct_colours(shots["map"]) >= 4
    assert _distinct_colours(shots["trend"]) >= 3


def test_the_command_writes_every_format(use_snapshots: Path, tmp_path: Path) -> None:
    for fmt in ("json", "html", "xlsx"):
        out = tmp_path / f"south.{fmt}"
        call_command(
            "report",
            "committee",
            "--area",
            "Bradford South",
            "--as-of",
            "2016-10-27",
            "--edition",
            "public",
            "--format",
            fmt,
            "--out",
            str(out),
            "--snapshot",
            "demo",
        )
        assert out.stat().st_size > 1000
    assert zipfile.is_zipfile(tmp_path / "south.xlsx")
    html = (tmp_path / "south.html").read_text()
    assert "Public edition" in html
    assert "Progress on previous resolutions" in html


def test_an_unknown_area_is_a_clear_error(snapshot_root: Path) -> None:
    with pytest.raises(committee.ReportError, match="no area called"):
        _json(snapshot_root, "Atlantis", "2016-10-27")


def test_members_see_the_public_edition_only(
    use_snapshots: Path, elected_member_client: Client, analyst_client: Client
) -> None:
    query = "?area=Bradford+West&as_of=2016-10-31&edition=public"
    page = elected_member_client.get("/reports/committee" + query)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Child exploitation: Bradford West area" in body
    assert "Thornton and Allerton" in body
    restricted = elected_member_client.get(
        "/reports/committee?area=Bradford+West&as_of=2016-10-31&edition=restricted"
    )
    assert "Child exploitation: Bradford West area" not in restricted.content.decode()
    download = analyst_client.get(
        "/reports/committee?area=Bradford+West&as_of=2016-10-31&edition=restricted&format=json"
    )
    assert download.status_code == 200
    assert json.loads(download.content)["headline"]["open_children"] == 60


def test_practitioners_have_no_report(use_snapshots: Path, hub_practitioner_client: Client) -> None:
    assert hub_practitioner_client.get("/reports/committee").status_code == 403


def test_a_member_cannot_get_the_restricted_edition_from_the_service(snapshot_root: Path) -> None:
    from tests.factories import UserFactory  # noqa: PLC0415

    member = UserFactory(role="elected_member")
    with pytest.raises(AccessDeniedError):
        services.committee_report(
            area="Bradford West",
            as_of=__import__("datetime").date(2016, 10, 31),
            edition="restricted",
            fmt="json",
            acting_user=member,
            root=snapshot_root,
        )


def test_a_report_compared_with_its_own_snapshot_shows_no_revision(snapshot_root: Path) -> None:
    content = services.committee_report(
        area="Bradford South",
        as_of=__import__("datetime").date(2016, 10, 27),
        edition="restricted",
        fmt="json",
        acting_user=SYSTEM,
        root=snapshot_root,
        compare_with="demo",
    )
    revision = json.loads(content)["revision"]
    assert revision["published"] == revision["now"] == 76
    assert revision["recorded_late"] == revision["corrected"] == revision["merged_or_removed"] == 0


def test_a_download_after_five_minutes_asks_the_person_to_confirm_it_is_them(
    use_snapshots: Path, analyst_client: Client
) -> None:
    from safehub.access.sessions import AUTHENTICATED_AT  # noqa: PLC0415

    session = analyst_client.session
    session[AUTHENTICATED_AT] = int(session[AUTHENTICATED_AT]) - 6 * 60
    session.save()
    url = "/reports/committee?area=Bradford+West&as_of=2016-10-31&edition=restricted&format=json"
    response = analyst_client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/confirm?next=")


def test_the_district_today_has_its_figures_and_says_the_wards_are_not_loaded(
    snapshot_root: Path,
) -> None:
    manifest = snapshot.load("demo", root=snapshot_root)
    today = manifest.knowledge_time.date()
    assert today >= __import__("datetime").date(2026, 5, 7)  # the 2004 wards are over
    report = committee.build(manifest, area="Bradford", as_of=today)
    ward_table = report.tables["by_ward"]
    label = f"Ward not known — the wards in force on {today:%-d %B %Y} are not loaded"
    assert ward_table.row_labels == [label]  # one row, not one per old ward
    assert ward_table.grand_total() == report.headline["open_children"] > 0
    assert "import-wards" in report.notes["wards"]
    html = render.to_html(report)
    assert "are not loaded in Safehub" in html
    assert 'class="app-map"' not in html


def test_an_area_report_for_a_day_without_wards_says_what_to_load(snapshot_root: Path) -> None:
    manifest = snapshot.load("demo", root=snapshot_root)
    today = manifest.knowledge_time.date()
    with pytest.raises(committee.ReportError) as refused:
        committee.build(manifest, area="Bradford West", as_of=today)
    message = str(refused.value)
    assert f"the wards in force on {today:%-d %B %Y} are not loaded" in message
    assert "safehub geo import-wards" in message
    assert "no area called" not in message
    # The day before the new wards, the area report is as it always was.
    last_day = committee.build(
        manifest, area="Bradford West", as_of=__import__("datetime").date(2026, 5, 6)
    )
    assert len(last_day.tables["by_ward"].row_labels) >= 6


def test_a_new_section_is_one_function_and_reaches_every_format(
    snapshot_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from safehub.reports import sections  # noqa: PLC0415
    from safehub.reports.tables import Table  # noqa: PLC0415

    def prevention(ctx: sections.Context) -> sections.Part:
        table = Table(
            key="prevention",
            title="Awareness sessions",
            row_header="Audience",
            row_labels=["Taxi drivers", "Bus drivers"],
            columns=["Sessions"],
            counts=[[40], [3]],
        )
        return sections.Part([table], {"prevention": f"Sessions in {ctx.area}."})

    monkeypatch.setattr(sections, "SECTIONS", (*sections.SECTIONS, prevention))
    manifest = snapshot.load("demo", root=snapshot_root)
    report = committee.build(
        manifest,
        area="Bradford West",
        as_of=__import__("datetime").date(2016, 10, 31),
        edition="public",
    )
    published = render.to_json(report)
    assert published["tables"]["prevention"]["rows"][1]["values"] == ["c"]  # disclosure control
    assert published["notes"]["prevention"] == "Sessions in Bradford West."
    assert "Awareness sessions" in render.to_html(report)


@pytest.mark.parametrize(
    ("area", "as_of", "edition", "marking"),
    [
        ("Bradford", "2017-03-31", "public", "PUBLIC"),
        ("Bradford West", "2016-10-31", "restricted", "RESTRICTED — not for publication"),
    ],
)
def test_the_pdf_is_a4_tagged_marked_on_every_page_and_nothing_passes_the_right_margin(
    snapshot_root: Path, area: str, as_of: str, edition: str, marking: str
) -> None:
    import pdfplumber  # noqa: PLC0415

    manifest = snapshot.load("demo", root=snapshot_root)
    day = __import__("datetime").date.fromisoformat(as_of)
    report = committee.build(manifest, area=area, as_of=day, edition=edition)
    content = render.to_pdf(report)
    right_margin = 14 / 25.4 * 72  # the page's 14 mm, in points
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        assert pdf.metadata["Title"].startswith(report.title)
        assert pdf.doc.catalog["Lang"] == b"en-GB"
        assert "StructTreeRoot" in pdf.doc.catalog  # tagged
        for page in pdf.pages:
            assert (round(page.width), round(page.height)) == (595, 842)  # A4 portrait
            assert marking in (page.extract_text() or ""), page.page_number
            beyond = [c["text"] for c in page.chars if c["x1"] > page.width - right_margin + 1]
            assert beyond == [], f"page {page.page_number}: {''.join(beyond)}"


def test_a_download_s_file_name_says_its_edition(
    use_snapshots: Path, analyst_client: Client
) -> None:
    query = "?area=Bradford+West&as_of=2016-10-31&format=json&edition="
    restricted = analyst_client.get("/reports/committee" + query + "restricted")
    name = "committee-bradford-west-2016-10-31-RESTRICTED-not-for-publication.json"
    assert restricted["Content-Disposition"] == f'attachment; filename="{name}"'
    public = analyst_client.get("/reports/committee" + query + "public")
    assert "2016-10-31-PUBLIC.json" in public["Content-Disposition"]


def test_the_reference_date_is_the_gov_uk_date_input(
    use_snapshots: Path, elected_member_client: Client
) -> None:
    query = "?area=Bradford+West&edition=public&as_of_0=31&as_of_1=10&as_of_2=2016"
    body = elected_member_client.get("/reports/committee" + query).content.decode()
    assert 'class="govuk-date-input"' in body
    assert "Child exploitation: Bradford West area" in body
    assert "as_of=2016-10-31" in body  # the download links keep one ISO date
    wrong = elected_member_client.get(
        "/reports/committee?area=Bradford+West&edition=public&as_of_0=31&as_of_1=&as_of_2=2016"
    ).content.decode()
    assert "Reference date must include a month" in wrong
    assert "govuk-error-summary" in wrong
