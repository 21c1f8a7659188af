"""Loading any council's wards from an ONS boundary file, and reporting on them.

The council here is made up (Fenwick Vale, with four square wards in two area committees), so
the tests prove that nothing about Bradford is needed in code: its name, its wards and its area
committees all come from the loaded data.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from safehub.access.policy import SYSTEM
from safehub.analytics import snapshot
from safehub.audit.models import AuditEvent
from safehub.geo import services as geo
from safehub.geo.models import AreaCommittee, LocalAuthority, Ward, WardSet
from safehub.reports import committee, render

AUTHORITY = ("E06099990", "Fenwick Vale")
CODES = ["E05099901", "E05099902", "E05099903", "E05099904"]
NAMES = ["Abbey Moor", "Brook End", "Castle Hill", "Dale Side"]
AREAS = "ward_code,area_committee\n" + "".join(
    f"{code},{'North' if k < 2 else 'South'}\n" for k, code in enumerate(CODES)
)
FROM = dt.date(2014, 5, 22)
EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "history"


def _square(x: float, y: float, size: float = 0.02) -> dict[str, Any]:
    ring = [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]
    return {"type": "Polygon", "coordinates": [ring]}


def _boundaries(
    *, year: str = "25", overlap: bool = False, authority: tuple[str, str] = AUTHORITY
) -> dict[str, Any]:
    """Four squares in a 2 x 2 grid, as an ONS ward boundary file of 20`year` would carry them."""
    features = []
    for k, (code, name) in enumerate(zip(CODES, NAMES, strict=True)):
        x, y = -1.5 + 0.02 * (k % 2), 53.5 + 0.02 * (k // 2)
        if overlap and k == 1:
            x -= 0.01  # half of Brook End lies in Abbey Moor
        features.append(
            {
                "type": "Feature",
                "properties": {
                    f"WD{year}CD": code,
                    f"WD{year}NM": name,
                    f"LAD{year}CD": authority[0],
                    f"LAD{year}NM": authority[1],
                },
                "geometry": _square(x, y),
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _import(collection: dict[str, Any], areas: str | None = AREAS, **kwargs: Any) -> geo.WardImport:
    options: dict[str, Any] = {"set_name": "Fenwick Vale wards 2014", "valid_from": FROM} | kwargs
    return geo.import_wards(
        collection,
        areas=io.StringIO(areas) if areas is not None else None,
        acting_user=SYSTEM,
        **options,
    )


def test_a_council_s_wards_load_from_an_ons_boundary_file_and_reload_in_place() -> None:
    first = _import(_boundaries())
    assert (first.local_authority, first.wards, first.area_committees, first.created) == (
        "Fenwick Vale",
        4,
        2,
        True,
    )
    authority = LocalAuthority.objects.get(code="E06099990")
    assert authority.name == "Fenwick Vale"
    assert {c.name: c.wards.count() for c in AreaCommittee.objects.all()} == {
        "North": 2,
        "South": 2,
    }
    assert Ward.objects.get(code="E05099903").name == "Castle Hill"
    again = _import(_boundaries(year="14"), valid_to=dt.date(2030, 5, 2))
    assert not again.created
    assert Ward.objects.count() == 4
    assert WardSet.objects.get().valid_to == dt.date(2030, 5, 2)
    assert AuditEvent.objects.filter(action="geo:wards:imported").count() == 2


def test_code_and_name_properties_and_the_authority_from_the_options() -> None:
    collection = _boundaries()
    for feature in collection["features"]:
        p = feature["properties"]
        feature["properties"] = {"code": p["WD25CD"], "name": p["WD25NM"]}
    result = _import(collection, areas=None, authority_code="E06099990", authority_name="Fenwick")
    assert (result.wards, result.area_committees) == (4, 1)
    assert AreaCommittee.objects.get().name == "Fenwick"  # no areas CSV: one for the district


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda c: c, "overlap"),
        (
            lambda c: c["features"][0]["geometry"].update(
                coordinates=[
                    [[-1.5, 53.5], [-1.48, 53.52], [-1.48, 53.5], [-1.5, 53.52], [-1.5, 53.5]]
                ]
            ),
            "not a valid polygon",
        ),
        (
            lambda c: c["features"][3]["properties"].update(LAD25CD="E06099991"),
            "more than one local authority",
        ),
        (lambda c: c["features"][2]["properties"].pop("WD25CD"), "no ONS ward code"),
        (lambda c: c["features"].append(dict(c["features"][0])), "appears more than once"),
    ],
)
def test_a_bad_boundary_file_is_refused_whole(change: Any, message: str) -> None:
    collection = _boundaries(overlap=message == "overlap")
    change(collection)
    with pytest.raises(geo.WardImportError) as refused:
        _import(collection)
    assert any(message in p for p in refused.value.problems), refused.value.problems
    assert not WardSet.objects.exists()
    assert not Ward.objects.exists()


def test_an_areas_file_that_misses_a_ward_and_dates_that_overlap_are_refused() -> None:
    with pytest.raises(geo.WardImportError, match="problem") as refused:
        _import(_boundaries(), areas="ward_code,area_committee\nE05099901,North\n")
    assert "areas CSV: no area committee for E05099904" in refused.value.problems
    _import(_boundaries())
    with pytest.raises(geo.WardImportError) as overlapping:
        _import(_boundaries(), set_name="Fenwick Vale wards 2020", valid_from=dt.date(2020, 5, 7))
    assert "overlaps" in overlapping.value.problems[0]
    assert WardSet.objects.count() == 1


def test_the_import_wards_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    boundaries = tmp_path / "wards.geojson"
    boundaries.write_text(json.dumps(_boundaries()))
    areas = tmp_path / "areas.csv"
    areas.write_text(AREAS)
    arguments = ["geo", "import-wards", str(boundaries), "--set", "Fenwick Vale wards 2014"]
    call_command(*arguments, "--from", "2014-05-22", "--areas", str(areas))
    assert "Loaded the ward set 'Fenwick Vale wards 2014' of Fenwick Vale: 4 wards in 2" in (
        capsys.readouterr().out
    )
    call_command(*arguments, "--from", "2014-05-22", "--areas", str(areas))
    assert capsys.readouterr().out.startswith("Updated the ward set")
    boundaries.write_text(json.dumps(_boundaries(overlap=True)))
    with pytest.raises(CommandError, match="nothing was loaded"):
        call_command(*arguments, "--from", "2014-05-22", "--areas", str(areas))
    assert "E05099901 Abbey Moor and E05099902 Brook End overlap" in capsys.readouterr().err


def test_a_made_up_council_gets_its_own_committee_report(tmp_path: Path) -> None:
    _import(_boundaries())
    history = tmp_path / "history"
    shutil.copytree(EXAMPLE, history)
    addresses = history / "addresses.csv"
    text = addresses.read_text()
    for old, new in zip(
        ["E05001365", "E05001367", "E05001359", "E05001351", "E05001346"],
        ["E05099901", "E05099902", "E05099903", "E05099904", "E05099901"],
        strict=True,
    ):
        text = text.replace(old, new)
    addresses.write_text(text)
    call_command("import", "history", str(history))
    manifest = snapshot.create(acting_user=SYSTEM, snapshot_id="fenwick", root=tmp_path / "snaps")

    assert committee.areas(manifest) == ["Fenwick Vale", "North", "South"]
    district = committee.build(manifest, area="Fenwick Vale", as_of=dt.date(2016, 12, 31))
    assert district.title == "Child exploitation: Fenwick Vale district"
    assert district.headline["open_children"] == 2  # the example's two children open that day
    assert set(district.tables["by_ward"].row_labels) == set(NAMES)
    north = committee.build(manifest, area="North", as_of=dt.date(2016, 12, 31))
    assert north.title == "Child exploitation: North area"
    assert north.headline["open_children"] == 1
    assert set(north.tables["by_ward"].row_labels) == {"Abbey Moor", "Brook End"}
    page = render.to_html(north)
    assert "Brook End" in page
    assert "Bradford" not in page
    public = committee.build(
        manifest, area="Fenwick Vale", as_of=dt.date(2016, 12, 31), edition="public"
    )
    assert render.to_json(public)["headline"]["open_children"] == "c"  # two children: small
    assert "Every count by age and sex is small enough to be withheld" in render.to_html(public)
