"""Awareness sessions: the all-or-nothing import, and coverage by programme, ward and year."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections.abc import Callable
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from safehub.access.models import Role, User
from safehub.access.policy import SYSTEM, AccessDeniedError
from safehub.analytics import snapshot
from safehub.audit.models import AuditEvent
from safehub.awareness import services
from safehub.awareness.models import Programme, Session
from safehub.geo import services as geo
from safehub.geo.models import Ward
from safehub.reports import committee
from safehub.reports import services as reports

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
HEADER = "reference,programme,date,venue,ward_code,audience_type,reached,delivered_by"

pytestmark = pytest.mark.django_db


@pytest.fixture
def wards() -> list[Ward]:
    """Three wards of the reference data, in force in 2016."""
    geo.load_reference_data(acting_user=SYSTEM)
    services.ensure_standard_programmes(acting_user=SYSTEM)
    on = geo.ward_set_on(dt.date(2016, 6, 1))
    return list(Ward.objects.filter(ward_set=on).order_by("name")[:3])


@pytest.fixture
def admin(make_user: Callable[..., User]) -> User:
    return make_user(Role.ADMINISTRATOR)


def _run(path: Path, user: User, *extra: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import", "awareness", str(path), "--as", user.username, *extra, stdout=out, stderr=err
    )
    return out.getvalue(), err.getvalue()


def _file(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "sessions.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def test_the_example_file_imports_once_however_often_it_is_run(
    wards: list[Ward], admin: User
) -> None:
    out, _ = _run(EXAMPLES / "awareness-sessions.csv", admin)
    assert out.strip() == (
        "Imported 6 sessions from awareness-sessions.csv (307 people reached); 0 already imported."
    )
    for _ in range(2):
        out, _ = _run(EXAMPLES / "awareness-sessions.csv", admin)
        assert "Imported 0 sessions" in out
        assert "6 already imported" in out
    assert Session.objects.count() == 6
    tong = Session.objects.get(reference="EX-AW-0001")
    assert (tong.programme.code, tong.reached, tong.ward.code) == ("taxi", 24, "E05001365")
    assert tong.recorded_by == admin
    assert Session.objects.get(reference="EX-AW-0006").ward is None
    assert AuditEvent.objects.filter(action="awareness:sessions:imported").count() == 3


def test_one_bad_row_refuses_the_whole_file_naming_the_row_and_fixed_it_imports_once(
    wards: list[Ward], admin: User, tmp_path: Path
) -> None:
    code = wards[0].code
    good = f"S-1,taxi,2016-05-12,Training room,{code},drivers,24,Licensing"
    bad = f"S-2,pts,2016-05-13,Depot,{code},drivers,twelve,Hub trainers"
    last = f"S-3,bus,2016-05-14,Depot,{code},drivers,30,Hub trainers"
    path = _file(tmp_path, good, bad, last)
    with pytest.raises(CommandError, match="1 problem"):
        _run(path, admin)
    assert Session.objects.count() == 0
    _, err = _run_err(path, admin)
    assert "sessions.csv: row 3, reached: 'twelve' is not a whole number" in err

    fixed = _file(tmp_path, good, bad.replace("twelve", "12"), last)
    for _ in range(3):
        _run(fixed, admin)
    assert sorted(Session.objects.values_list("reference", "reached")) == [
        ("S-1", 24),
        ("S-2", 12),
        ("S-3", 30),
    ]


def _run_err(path: Path, user: User) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import", "awareness", str(path), "--as", user.username, stdout=out, stderr=err
        )
    return out.getvalue(), err.getvalue()


def test_every_problem_is_listed_with_its_row_and_column(
    wards: list[Ward], admin: User, tmp_path: Path
) -> None:
    path = _file(
        tmp_path,
        "A,taxis,2016-05-12,Room,,drivers,5,Team",
        "B,taxi,2016-02-30,Room,,drivers,5,Team",
        "C,taxi,2099-01-01,Room,,drivers,5,Team",
        "D,taxi,2016-05-12,Room,E09999999,drivers,5,Team",
        "E,taxi,2016-05-12,Room,,passengers,5,Team",
        "F,taxi,2016-05-12,Room,,drivers,9000,Team",
        "A,taxi,2016-05-12,Room,,drivers,5,Team",
        "G,taxi,2016-05-12,,,drivers,5,Team",
        "H,taxi,2016-05-12,Room,,drivers,5,Te\x00am",
    )
    _, err = _run_err(path, admin)
    lines = [line.removeprefix("sessions.csv: ") for line in err.splitlines()]
    assert lines[0].startswith("row 2, programme: 'taxis' is not a programme (bus, hotel,")
    assert lines[1:] == [
        "row 3, date: '2016-02-30' is not a date like 2016-03-14",
        "row 4, date: Date must be today or in the past",
        "row 5, ward_code: 'E09999999' is not a ward in force on 12 May 2016",
        (
            "row 6, audience_type: 'passengers' is not one of drivers, pupils, staff, parents, "
            "professionals, public"
        ),
        "row 7, reached: Number reached must be between 1 and 5,000",
        "row 8, reference: repeats the reference of row 2",
        "row 9, venue: is required",
        (
            "row 10, delivered_by: contains the control character U+0000 (NUL), which text may "
            "not hold"
        ),
    ]
    assert Session.objects.count() == 0


def test_a_file_that_is_not_utf8_or_lacks_a_column_is_refused(
    wards: list[Ward], admin: User, tmp_path: Path
) -> None:
    latin = tmp_path / "latin.csv"
    latin.write_bytes((HEADER + "\nA,taxi,2016-05-12,Caf\xe9,,drivers,5,Team\n").encode("latin-1"))
    _, err = _run_err(latin, admin)
    assert "is not UTF-8" in err
    short = tmp_path / "short.csv"
    short.write_text("reference,programme,date\nA,taxi,2016-05-12\n", encoding="utf-8")
    _, err = _run_err(short, admin)
    assert "row 1: missing column(s): venue, audience_type, reached, delivered_by" in err
    assert Session.objects.count() == 0


def test_a_dry_run_writes_nothing(wards: list[Ward], admin: User) -> None:
    out, _ = _run(EXAMPLES / "awareness-sessions.csv", admin, "--dry-run")
    assert out.startswith("Dry run: nothing was written.")
    assert "would import 6 sessions" in out
    assert Session.objects.count() == 0


def test_only_administrators_and_hub_managers_may_import(
    wards: list[Ward], make_user: Callable[..., User]
) -> None:
    data = (EXAMPLES / "awareness-sessions.csv").read_bytes()
    with pytest.raises(AccessDeniedError):
        services.import_sessions(data, acting_user=make_user(Role.HUB_PRACTITIONER))
    with pytest.raises(AccessDeniedError):
        services.import_sessions(data, acting_user=make_user(Role.ANALYST))
    result = services.import_sessions(data, acting_user=make_user(Role.HUB_MANAGER))
    assert result.sessions == 6


def _cell(html: str, ward: Ward, programme: str) -> str:
    row = re.search(
        rf'<tr class="govuk-table__row" data-ward="{ward.code}">(.*?)</tr>', html, re.DOTALL
    )
    assert row is not None
    cell = re.search(rf'data-programme="{programme}">(.*?)</td>', row.group(1), re.DOTALL)
    assert cell is not None
    return re.sub(r"<[^>]+>", "", cell.group(1)).strip()


def test_the_coverage_page_shows_taxi_pts_and_bus_driver_coverage_by_ward(
    wards: list[Ward], admin: User, tmp_path: Path, hub_manager_client: Client
) -> None:
    one, two, three = wards
    services.set_targets(
        [
            services.TargetSpec("taxi", 200, ward=one),
            services.TargetSpec("taxi", 100, ward=two, financial_year=2016),
            services.TargetSpec("taxi", 999, ward=two),  # every other year: not 2016's
            services.TargetSpec("pts", 40, ward=one),
            services.TargetSpec("bus", 1000),  # the district only
        ],
        acting_user=SYSTEM,
    )
    _run(
        _file(
            tmp_path,
            f"T1,taxi,2016-05-12,Room,{one.code},drivers,30,Team",
            f"T2,taxi,2017-03-31,Room,{one.code},drivers,20,Team",
            f"T3,taxi,2017-04-01,Room,{one.code},drivers,99,Team",  # the next year
            f"T4,taxi,2016-09-01,Room,{two.code},drivers,25,Team",
            f"P1,pts,2016-10-01,Depot,{one.code},drivers,10,Team",
            f"B1,bus,2016-10-04,Depot,{three.code},drivers,42,Team",
            "B2,bus,2016-10-05,Depot,,drivers,8,Team",
        ),
        admin,
    )
    page = hub_manager_client.get("/awareness/?year=2016&programme=taxi")
    assert page.status_code == 200
    html = page.content.decode()
    assert "People reached by each programme's sessions in 2016/17" in html
    assert _cell(html, one, "taxi") == "25% (50 of 200)"
    assert _cell(html, two, "taxi") == "25% (25 of 100)"
    assert _cell(html, three, "taxi") == "None"
    assert _cell(html, one, "pts") == "25% (10 of 40)"
    assert _cell(html, two, "pts") == "None"
    assert _cell(html, three, "bus") == "42 reached (no target)"
    # The district: taxi's target is the sum of its wards' for the year; bus has its own.
    taxi = re.search(r'data-programme="taxi">(.*?)</tr>', html, re.DOTALL)
    bus = re.search(r'data-programme="bus">(.*?)</tr>', html, re.DOTALL)
    assert taxi is not None
    assert bus is not None
    assert re.sub(r"\s+|<[^>]+>", " ", taxi.group(1)).split()[-4:] == ["3", "75", "300", "25%"]
    assert re.sub(r"\s+|<[^>]+>", " ", bus.group(1)).split()[-4:] == ["2", "50", "1000", "5%"]
    # The map draws the chosen programme's wards, each titled with its figure.
    assert "<svg" in html
    assert f"<title>{one.name}: 50 of 200 (25%)</title>" in html
    assert f"<title>{three.name}: 0 reached, no target</title>" in html
    later = hub_manager_client.get("/awareness/?year=2017").content.decode()
    assert _cell(later, one, "taxi") == "50% (99 of 200)"
    assert AuditEvent.objects.filter(action="awareness:coverage:viewed", object_id="2016").exists()


def test_the_standard_programmes_are_added_once() -> None:
    Programme.objects.all().delete()  # as a test that empties the database leaves it
    assert services.ensure_standard_programmes(acting_user=SYSTEM) == 8
    Programme.objects.filter(code="taxi").update(name="Taxi driver training")
    assert services.ensure_standard_programmes(acting_user=SYSTEM) == 0
    assert Programme.objects.get(code="taxi").name == "Taxi driver training"


@pytest.mark.parametrize(
    ("role_client", "status"),
    [
        (Role.HUB_PRACTITIONER, 200),
        (Role.POLICE_HUB_OFFICER, 200),
        (Role.ANALYST, 200),
        (Role.ADMINISTRATOR, 200),
        (Role.PARTNER_WORKER, 403),
        (Role.ELECTED_MEMBER, 403),
    ],
    indirect=["role_client"],
)
def test_who_may_read_coverage(role_client: Client, status: int) -> None:
    assert role_client.get("/awareness/").status_code == status


def test_the_snapshot_and_the_report_count_sessions_recorded_by_t(
    wards: list[Ward], admin: User, tmp_path: Path
) -> None:
    one, two, _ = wards
    services.set_targets(
        [
            services.TargetSpec("taxi", 80, ward=one),
            services.TargetSpec("taxi", 20, ward=two),
            services.TargetSpec("bus", 500),
        ],
        acting_user=SYSTEM,
    )
    _run(
        _file(
            tmp_path,
            f"T1,taxi,2016-05-12,Room,{one.code},drivers,30,Team",
            f"T2,taxi,2015-06-12,Room,{two.code},drivers,12,Team",
            "B1,bus,2016-10-04,Depot,,drivers,50,Team",
        ),
        admin,
    )
    t = timezone.now()
    Session.objects.filter(reference="B1").update(recorded_at=t + dt.timedelta(seconds=1))
    root = tmp_path / "snapshots"
    manifest = snapshot.create(acting_user=SYSTEM, snapshot_id="aw", knowledge_time=t, root=root)
    assert {"awareness_programmes", "awareness_targets", "awareness_sessions"} <= set(
        manifest.data["tables"]
    )
    assert "awareness_sessions" not in manifest.data["not_recorded"]
    sessions = pq.read_table(manifest.file("awareness_sessions"))
    assert sessions.column_names == [
        "programme",
        "delivered_on",
        "ward_id",
        "audience_type",
        "community",
        "reached",
        "recorded_at",
    ]
    assert sorted(sessions.column("reached").to_pylist()) == [12, 30]  # B1 came after T

    district = committee.district_name(manifest)
    report = json.loads(
        reports.committee_report(
            area=district,
            as_of=dt.date(2016, 10, 31),
            edition="restricted",
            fmt="json",
            acting_user=SYSTEM,
            root=root,
        )
    )
    rows = {r["label"]: r["values"] for r in report["tables"]["awareness_coverage"]["rows"]}
    assert rows["Taxi and private hire driver training"] == [1, 30, 100]  # wards' targets summed
    assert rows["Bus driver training"] == [0, 0, 500]
    assert rows["Parents and carers"] == [0, 0, 0]
    note = report["tables"]["awareness_coverage"]["note"]
    assert "Taxi and private hire driver training: 30%" in note
    assert "Bus driver training: 0%" in note
    assert "Parents and carers: no target set" in note
    trend = {r["label"]: r["values"] for r in report["tables"]["awareness_trend"]["rows"]}
    assert trend["Taxi and private hire driver training"] == [0, 12, 30]
    assert report["not_recorded"] == []
