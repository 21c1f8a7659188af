from __future__ import annotations

import json
from importlib import resources

import pytest
from hypothesis import given
from hypothesis import strategies as st
from shapely.geometry import shape

from safehub.rules.geography import WardLocator, WardShape, is_gss_code, normalise_postcode


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("BD5 0AA", "BD5 0AA"),
        ("bd50aa", "BD5 0AA"),
        ("  bd1  1hy ", "BD1 1HY"),
        ("BD10 9AA", "BD10 9AA"),
        ("SW1A 1AA", "SW1A 1AA"),
        ("W1A 0AX", "W1A 0AX"),
        ("M1 1AE", "M1 1AE"),
        ("GIR 0AA", "GIR 0AA"),
        ("BD5", None),
        ("BD5 0A", None),
        ("12345", None),
        ("BD5 0AA X", None),
        ("", None),
    ],
)
def test_postcodes_are_normalised_or_refused(text: str, expected: str | None) -> None:
    assert normalise_postcode(text) == expected


@given(st.text(max_size=12))
def test_normalising_is_idempotent(text: str) -> None:
    once = normalise_postcode(text)
    if once is not None:
        assert normalise_postcode(once) == once
        assert normalise_postcode(once.replace(" ", "").lower()) == once


@pytest.mark.parametrize(
    ("code", "ok"),
    [("E05001341", True), ("W05000001", True), ("E0500134", False), ("e05001341", False)],
)
def test_gss_codes(code: str, ok: bool) -> None:
    assert is_gss_code(code) is ok


@pytest.fixture(scope="module")
def bradford() -> list[WardShape]:
    data = resources.files("safehub.geo") / "data" / "bradford-wards-2013.geojson"
    features = json.loads(data.read_text(encoding="utf-8"))["features"]
    return [WardShape(f["properties"]["code"], f["geometry"]) for f in features]


def test_every_ward_is_found_from_a_point_inside_it(bradford: list[WardShape]) -> None:
    locator = WardLocator(bradford)
    assert len(locator) == 30
    for ward in bradford:
        inside = shape(ward.geometry).representative_point()
        assert locator.locate(longitude=inside.x, latitude=inside.y) == ward.code


def test_points_outside_the_district_find_no_ward(bradford: list[WardShape]) -> None:
    locator = WardLocator(bradford)
    assert locator.locate(longitude=-1.5491, latitude=53.8008) is None  # Leeds
    assert locator.locate(longitude=0.0, latitude=0.0) is None


def test_a_point_on_a_shared_boundary_belongs_to_one_ward_deterministically() -> None:
    left = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}
    right = {"type": "Polygon", "coordinates": [[[1, 0], [2, 0], [2, 1], [1, 1], [1, 0]]]}
    locator = WardLocator([WardShape("A", left), WardShape("B", right)])
    assert locator.locate(longitude=1.0, latitude=0.5) == "A"
    assert locator.locate(longitude=1.5, latitude=0.5) == "B"


def test_impossible_coordinates_are_refused(bradford: list[WardShape]) -> None:
    with pytest.raises(ValueError, match="longitude"):
        WardLocator(bradford).locate(longitude=-1.75, latitude=153.8)
