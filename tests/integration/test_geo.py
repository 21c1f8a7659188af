from __future__ import annotations

import datetime as dt
import io
import json
from importlib import resources

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from shapely.geometry import shape

from safehub.access.policy import SYSTEM, AccessDeniedError
from safehub.audit.models import AuditEvent
from safehub.geo import services as geo
from safehub.geo.models import AreaCommittee, PostcodeWard, Ward, WardSet

ON = dt.date(2016, 10, 27)


@pytest.fixture
def wards() -> WardSet:
    geo.load_reference_data(acting_user=SYSTEM)
    return WardSet.objects.get()


def _inside(code: str) -> tuple[float, float]:
    features = json.loads(
        (resources.files("safehub.geo") / "data" / "bradford-wards-2013.geojson").read_text()
    )["features"]
    point = next(
        shape(f["geometry"]).representative_point()
        for f in features
        if f["properties"]["code"] == code
    )
    return point.x, point.y


def test_bradford_loads_thirty_wards_in_five_committees_and_reloading_adds_nothing(
    wards: WardSet,
) -> None:
    geo.load_reference_data(acting_user=SYSTEM)
    assert Ward.objects.count() == 30
    committees = {c.name: c.wards.count() for c in AreaCommittee.objects.all()}
    assert committees == {
        "Bradford East": 6,
        "Bradford South": 6,
        "Bradford West": 6,
        "Keighley": 6,
        "Shipley": 6,
    }
    assert Ward.objects.get(code="E05001370").name == "Wyke"
    assert Ward.objects.filter(boundary__isnull=True).count() == 0
    assert wards.local_authority.code == "E08000032"
    assert "Open Government Licence" in wards.attribution
    assert AuditEvent.objects.filter(action="geo:reference:loaded", channel="cli").count() == 2


def test_reloading_corrects_the_end_date_of_the_set_already_loaded(wards: WardSet) -> None:
    # As loaded by an earlier release, which gave the wrong end date and a name to match.
    WardSet.objects.filter(pk=wards.pk).update(
        name="Bradford wards 2004 to 2024", valid_to=dt.date(2024, 5, 2)
    )
    call_command("geo", "load-wards")
    corrected = WardSet.objects.get()
    assert corrected.pk == wards.pk
    assert (corrected.name, corrected.valid_to) == (
        "Bradford wards 2004 to 2026",
        dt.date(2026, 5, 7),
    )


@pytest.mark.parametrize(
    ("on", "found"),
    [
        (dt.date(2004, 6, 9), False),
        (dt.date(2004, 6, 10), True),
        (ON, True),
        (dt.date(2024, 5, 2), True),  # ONS's May 2024 set still carries the same 30 codes
        (dt.date(2026, 5, 6), True),
        (dt.date(2026, 5, 7), False),  # the new wards took effect; their boundaries are not loaded
    ],
)
def test_a_date_finds_the_ward_set_then_in_force(wards: WardSet, on: dt.date, found: bool) -> None:
    assert (geo.ward_set_on(on) == wards) is found


def test_an_address_resolves_by_coordinates(wards: WardSet) -> None:
    longitude, latitude = _inside("E05001370")
    result = geo.resolve_ward(on=ON, longitude=longitude, latitude=latitude, acting_user=SYSTEM)
    assert result.ward is not None
    assert (result.ward.name, result.method) == ("Wyke", geo.Method.COORDINATES)


def test_every_ward_contains_its_own_representative_point(wards: WardSet) -> None:
    for ward in Ward.objects.all():
        longitude, latitude = _inside(ward.code)
        result = geo.resolve_ward(on=ON, longitude=longitude, latitude=latitude, acting_user=SYSTEM)
        assert result.ward == ward


def test_a_point_outside_the_district_is_explained(wards: WardSet) -> None:
    result = geo.resolve_ward(on=ON, longitude=-0.1276, latitude=51.5072, acting_user=SYSTEM)
    assert result.ward is None
    assert result.problem == "That location is outside the district's wards."


def test_a_manual_choice_wins_and_a_date_without_wards_is_explained(wards: WardSet) -> None:
    result = geo.resolve_ward(on=ON, ward_code="E05001365", postcode="BD5 0AA", acting_user=SYSTEM)
    assert result.ward is not None
    assert (result.ward.name, result.method) == ("Tong", geo.Method.MANUAL)
    later = geo.resolve_ward(on=dt.date(2026, 6, 1), ward_code="E05001365", acting_user=SYSTEM)
    assert later.ward is not None
    assert later.note == (
        "Placed on the Bradford wards 2004 to 2026 boundaries: later boundaries are not loaded."
    )
    earlier = geo.resolve_ward(on=dt.date(2003, 1, 1), ward_code="E05001365", acting_user=SYSTEM)
    assert earlier.ward is None
    assert earlier.problem == "No ward boundaries are loaded for 1 January 2003."


CSV = """pcds,osward,oslaua
BD6 3AA,E05001370,E08000032
bd4 0aa,E05001365,E08000032
LS1 1AA,E05001420,E08000035
"""


def _import(text: str) -> geo.PostcodeImport:
    return geo.import_postcodes(io.StringIO(text), ward_column="osward", acting_user=SYSTEM)


def test_postcodes_import_once_and_then_resolve(wards: WardSet) -> None:
    result = _import(CSV)
    assert (result.rows_read, result.imported, result.outside_district) == (3, 2, 1)
    again = _import(CSV)
    assert (again.imported, again.unchanged) == (0, 2)
    assert PostcodeWard.objects.count() == 2
    found = geo.resolve_ward(on=ON, postcode="bd40aa", acting_user=SYSTEM)
    assert found.ward is not None
    assert (found.ward.name, found.method) == ("Tong", geo.Method.POSTCODE)
    missing = geo.resolve_ward(on=ON, postcode="BD1 9ZZ", acting_user=SYSTEM)
    assert missing.problem == "BD1 9ZZ is not in the postcode directory."


def test_a_postcode_whose_ward_changed_is_updated_in_place(wards: WardSet) -> None:
    _import(CSV)
    result = _import(CSV.replace("BD6 3AA,E05001370", "BD6 3AA,E05001369"))
    assert (result.imported, result.unchanged) == (1, 1)
    assert PostcodeWard.objects.get(postcode="BD6 3AA").ward.code == "E05001369"


def test_a_file_with_bad_rows_reports_every_one_and_imports_nothing(wards: WardSet) -> None:
    bad = CSV + "NOT A POSTCODE,E05001370,E08000032\nBD5 0AA,WYKE,E08000032\n"
    with pytest.raises(geo.PostcodeImportError) as refused:
        _import(bad)
    assert [str(p) for p in refused.value.result.problems] == [
        "row 5, pcds: not a postcode",
        "row 6, osward: not an ONS ward code",
    ]
    assert not PostcodeWard.objects.exists()
    assert not AuditEvent.objects.filter(action="geo:postcodes:imported").exists()


def test_a_file_without_the_ward_column_is_refused(wards: WardSet) -> None:
    with pytest.raises(geo.PostcodeImportError) as refused:
        geo.import_postcodes(io.StringIO(CSV), ward_column="wd24cd", acting_user=SYSTEM)
    assert [str(p) for p in refused.value.result.problems] == [
        "row 1, wd24cd: column is missing from the header"
    ]


def test_import_postcodes_command(wards: WardSet, tmp_path, capsys) -> None:
    good = tmp_path / "onspd.csv"
    good.write_text(CSV)
    call_command("geo", "import-postcodes", str(good))
    assert "3 rows: 2 imported or updated, 0 unchanged, 1 outside the district" in (
        capsys.readouterr().out
    )
    bad = tmp_path / "bad.csv"
    bad.write_text("pcds,osward\nXX,E05001370\n")
    with pytest.raises(CommandError, match="1 problem"):
        call_command("geo", "import-postcodes", str(bad))
    assert "bad.csv: row 2, pcds: not a postcode" in capsys.readouterr().err


def test_only_administrators_import_postcodes(wards: WardSet, make_user) -> None:
    practitioner = make_user()
    with pytest.raises(AccessDeniedError):
        geo.import_postcodes(io.StringIO(CSV), ward_column="osward", acting_user=practitioner)
