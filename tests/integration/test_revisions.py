"""Revisions explained figure by figure: corrected in and out with their signs, re-graded,
withdrawn, merged, removed and recorded late, on the page, in the JSON, PDF text and workbook.

A made-up council of two wards in two areas: Alder (North) and Birch (South). Between the
snapshot the figures were first published from and today's, one child's address is corrected
from Birch to Alder (corrected in), one's from Alder to Birch (corrected out) and one child in
Alder is re-graded from low to high risk: Alder's count does not move, but nothing is hidden.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pyarrow as pa
import pytest
from django.test import Client

from safehub.access.policy import SYSTEM
from safehub.analytics import revisions, schemas, snapshot
from safehub.episodes.models import Episode, RiskChange
from safehub.geo.models import AreaCommittee, LocalAuthority, Ward, WardSet
from safehub.people.models import AddressPeriod, Child
from safehub.reports import services

D = dt.date(2016, 10, 31)
MINUS = "\u2212"


def _wards() -> dict[str, Ward]:
    council = LocalAuthority.objects.create(code="E08999998", name="Exampleshire")
    wards = WardSet.objects.create(
        local_authority=council, name="Exampleshire 2004", valid_from=dt.date(2004, 6, 10)
    )
    return {
        name: Ward.objects.create(
            ward_set=wards,
            code=code,
            name=name,
            area_committee=AreaCommittee.objects.create(local_authority=council, name=area),
        )
        for name, code, area in (("Alder", "E05999101", "North"), ("Birch", "E05999102", "South"))
    }


def _child_at_risk(name: str, ward: Ward, level: str) -> tuple[Child, AddressPeriod, RiskChange]:
    child = Child.objects.create(
        given_name=name,
        family_name="Example",
        date_of_birth=dt.date(2002, 3, 4),
        sex="F",
        ethnicity="WBRI",
        ethnicity_source="self_identified",
    )
    address = AddressPeriod.objects.create(child=child, valid_from=dt.date(2015, 1, 1), ward=ward)
    episode = Episode.objects.create(child=child, opened_on=dt.date(2016, 3, 1))
    risk = RiskChange.objects.create(episode=episode, level=level, effective_on=dt.date(2016, 3, 1))
    return child, address, risk


@pytest.fixture
def revised(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    wards = _wards()
    _child_at_risk("Kept", wards["Alder"], "high")
    _, moving_in, _ = _child_at_risk("Into", wards["Birch"], "medium")
    _, moving_out, _ = _child_at_risk("Out", wards["Alder"], "medium")
    _, _, graded = _child_at_risk("Graded", wards["Alder"], "low")
    snapshot.create(acting_user=SYSTEM, snapshot_id="published", root=tmp_path)
    moving_in.ward = wards["Alder"]
    moving_in.save()
    moving_out.ward = wards["Birch"]
    moving_out.save()
    graded.level = "high"
    graded.save()
    snapshot.create(acting_user=SYSTEM, snapshot_id="today", root=tmp_path)
    monkeypatch.setenv("SAFEHUB_SNAPSHOT_DIR", str(tmp_path))
    return tmp_path


def _report(root: Path, area: str, fmt: str = "json", edition: str = "restricted") -> bytes:
    return services.committee_report(
        area=area,
        as_of=D,
        edition=edition,
        fmt=fmt,
        acting_user=SYSTEM,
        snapshot_id="today",
        compare_with="published",
        root=root,
    )


def test_a_ward_whose_count_did_not_move_shows_one_in_one_out_and_one_re_graded(
    revised: Path,
) -> None:
    revision = json.loads(_report(revised, "North"))["revision"]
    alder = next(w for w in revision["by_ward"] if w["ward_name"] == "Alder")
    assert (alder["published"], alder["now"], alder["difference"], alder["change"]) == (
        3,
        3,
        0,
        "0",
    )
    assert (alder["corrected_in"], alder["corrected_out"], alder["regraded"]) == (1, -1, 1)
    assert alder["explanation"] == f"+1 corrected in, {MINUS}1 corrected out, 1 re-graded"
    # The area is Alder alone: its headline says the same, and does not net the two to zero.
    assert revision["corrected_in"] == 1
    assert revision["corrected_out"] == -1
    assert revision["corrected"] == 0
    assert revision["explanation"] == alder["explanation"]


def test_a_re_grade_moves_a_child_between_the_risk_level_rows(revised: Path) -> None:
    levels = {
        r["risk_level"]: r
        for r in json.loads(_report(revised, "North"))["revision"]["by_risk_level"]
    }
    assert (levels["high"]["published"], levels["high"]["now"]) == (1, 2)
    assert levels["high"]["explanation"] == "+1 re-graded in"
    assert levels["low"]["explanation"] == f"{MINUS}1 re-graded out"
    assert (levels["low"]["difference"], levels["low"]["change"]) == (-1, f"{MINUS}1")
    assert levels["medium"]["explanation"] == f"+1 corrected in, {MINUS}1 corrected out"


def test_the_district_shows_each_ward_with_its_sign(revised: Path) -> None:
    revision = json.loads(_report(revised, "Exampleshire"))["revision"]
    assert revision["explanation"] == "1 re-graded"  # both children are still in the district
    wards = {w["ward_name"]: w for w in revision["by_ward"]}
    assert wards["Birch"]["explanation"] == f"+1 corrected in, {MINUS}1 corrected out"


def test_the_page_explains_each_figure(revised: Path, analyst_client: Client) -> None:
    response = analyst_client.get(
        "/reports/committee",
        {
            "area": "North",
            "as_of": D.isoformat(),
            "edition": "restricted",
            "compare_with": "published",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    row = page[page.index('data-ward="E05999101"') :]
    row = row[: row.index("</tr>")]
    assert f"+1 corrected in, {MINUS}1 corrected out, 1 re-graded" in row
    assert "Why the figures have moved since they were published" in page
    assert "compare_with=published" in page  # downloads carry the comparison too


def test_the_workbook_and_the_pdf_carry_the_explanation(revised: Path) -> None:
    import io  # noqa: PLC0415

    from openpyxl import load_workbook  # noqa: PLC0415

    book = load_workbook(io.BytesIO(_report(revised, "North", "xlsx")))
    rows = [tuple(r) for r in book["revisions"].iter_rows(values_only=True)]
    assert (
        "Ward: Alder",
        3,
        3,
        "0",
        f"+1 corrected in, {MINUS}1 corrected out, 1 re-graded",
    ) in rows
    import pdfplumber  # noqa: PLC0415

    with pdfplumber.open(io.BytesIO(_report(revised, "North", "pdf"))) as pdf:
        text = "\n".join(page.extract_text() or "" for page in pdf.pages)
        right_margin = 14 / 25.4 * 72  # the page's 14 mm, in points
        beyond = [
            c["text"]
            for page in pdf.pages
            for c in page.chars
            if c["x1"] > page.width - right_margin + 1
        ]
    assert "Why the figures have moved since they were published" in text
    assert "Ward: Alder 3 3 0 +1 corrected in, \u22121 corrected out, 1 re-graded" in text
    assert beyond == []


def test_the_public_edition_prints_small_revision_counts_as_c(revised: Path) -> None:
    revision = json.loads(_report(revised, "North", edition="public"))["revision"]
    assert (revision["published"], revision["now"], revision["difference"]) == ("c", "c", "c")
    assert (revision["corrected_in"], revision["corrected_out"], revision["regraded"]) == (
        "c",
        "c",
        "c",
    )
    assert revision["explanation"] == f"+c corrected in, {MINUS}c corrected out, c re-graded"
    text = json.dumps(revision)
    for small in range(1, 6):
        assert f": {small}," not in text
        assert f": -{small}," not in text


def _synthetic(root: Path, name: str, tables: dict[str, list[dict[str, Any]]]) -> snapshot.Manifest:
    empty: dict[str, list[dict[str, Any]]] = {t: [] for t in schemas.SCHEMAS}
    rows = empty | tables
    written = list(snapshot.arrow_tables(rows))
    if "merges" in tables:
        schema = pa.schema([("child", pa.string()), ("into_child", pa.string())])
        written.append(("merges", pa.Table.from_pylist(tables["merges"], schema=schema)))
    return snapshot.write_tables(
        root / name,
        written,
        snapshot_id=name,
        knowledge_time=dt.datetime(2017, 1, 1, tzinfo=dt.UTC),
    )


def test_merged_children_are_told_apart_from_removed_ones(tmp_path: Path) -> None:
    def episode(key: str) -> dict[str, Any]:
        return {"episode": f"e-{key}", "child": key, "opened_on": dt.date(2016, 1, 1)}

    def child(key: str) -> dict[str, Any]:
        return {"child": key, "sex": "F", "ethnicity": "WBRI"}

    keys = ("dup", "survivor", "deleted", "withdrawn", "kept")
    then = _synthetic(
        tmp_path,
        "then",
        {"children": [child(k) for k in keys], "episodes": [episode(k) for k in keys]},
    )
    now = _synthetic(
        tmp_path,
        "now",
        {
            "children": [child(k) for k in ("survivor", "withdrawn", "kept", "late")],
            "episodes": [episode(k) for k in ("survivor", "kept", "late")],
            "withdrawals": [{"kind": "episode", "key": "e-withdrawn", "child": "withdrawn"}],
            "merges": [{"child": "dup", "into_child": "survivor"}],
        },
    )
    revision = revisions.explain(then, now, as_of=D)
    assert (revision.published, revision.now) == (5, 3)
    assert (revision.merged, revision.removed, revision.withdrawn) == (1, 1, 1)
    assert revision.recorded_late == 1
    assert revision.adds_up()
    # Without a merges table (a snapshot older than merging) the duplicate is removed.
    older = _synthetic(
        tmp_path,
        "older",
        {
            "children": [child(k) for k in ("survivor", "kept")],
            "episodes": [episode(k) for k in ("survivor", "kept")],
        },
    )
    revision = revisions.explain(then, older, as_of=D)
    assert (revision.merged, revision.removed) == (0, 3)
    assert revision.adds_up()


def test_a_lone_small_cause_is_withheld_with_the_others_in_the_public_edition() -> None:
    """30 then 33, all three recorded late: both ends are printed, so the change is known to be
    3 and a lone "c" for recorded late would be known to be 3. Every cause is withheld."""
    from safehub.reports import render  # noqa: PLC0415

    public, restricted = SimpleNamespace(public=True), SimpleNamespace(public=False)
    lone = revisions.Revision(dt.date(2017, 3, 31), None, published=30, now=33, recorded_late=3)
    line = render._revision_line(public, lone, "headline")  # type: ignore[arg-type]  # noqa: SLF001
    assert (line["published"], line["now"]) == (30, 33)
    assert {line[name] for name, _, _ in revisions.PARTS} == {"c"}
    assert line["merged_or_removed"] == "c"
    assert line["explanation"] == render.WITHHELD
    assert render._revision_line(restricted, lone, "headline")["recorded_late"] == 3  # type: ignore[arg-type]  # noqa: SLF001
    # Two small causes cannot be told apart from the change alone: they are printed as "c".
    two = revisions.Revision(
        dt.date(2017, 3, 31), None, published=30, now=33, recorded_late=2, corrected_in=1
    )
    line = render._revision_line(public, two, "headline")  # type: ignore[arg-type]  # noqa: SLF001
    assert (line["recorded_late"], line["corrected_in"], line["withdrawn"]) == ("c", "c", 0)
    assert line["explanation"] == "+c recorded late, +c corrected in"
