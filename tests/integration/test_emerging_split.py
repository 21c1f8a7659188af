"""Resolution 4 as a focus: pathway and awareness figures split by emerging community.

Children are grouped by `rules.codes.community_group` (the groups of the emerging communities
table); awareness sessions by the community their deliverer recorded them as aimed at. The
restricted edition shows every count; the public edition hides a small group and its
complement, and the workbook carries the new tables and the committee's progress.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from safehub.access.models import Role, User
from safehub.access.policy import SYSTEM
from safehub.analytics import schemas, snapshot
from safehub.awareness import services as awareness
from safehub.awareness.models import Session
from safehub.episodes import services as episodes
from safehub.geo import services as geo
from safehub.geo.models import Ward
from safehub.partnership import services as partnership
from safehub.people import services as people
from safehub.people.models import Child
from safehub.reports import committee, render
from safehub.rules import codes
from safehub.rules.codes import RiskLevel
from safehub.rules.disclosure import SUPPRESSED
from tests.factories import SupportServiceFactory
from tests.integration.conftest import DemoHistory

pytestmark = pytest.mark.django_db

GROUPS = [
    "Gypsy, Roma or Irish Traveller",
    "Any other White background",
    "Any other ethnicity recorded",
    "Ethnicity not recorded",
]
COLUMNS = [
    "Referrals",
    "Accepted",
    "Accepted within target",
    "First contact within target",
    "Engaged at closure",
]


def _rows(table: dict[str, Any]) -> dict[str, list[Any]]:
    return {row["label"]: row["values"] for row in table["rows"]}


# --- Pathway referrals, end to end: recorded through the services, counted from a snapshot ---


def _child(hub: User, ethnicity: str, given: str) -> Child:
    child = people.register_child(
        acting_user=hub,
        given_name=given,
        family_name="Splitwell",
        date_of_birth=dt.date(2011, 5, 6),
        sex="F",
        ethnicity=ethnicity,
        ethnicity_source="not_obtained" if ethnicity == "NOBT" else "parent_carer",
    )
    episodes.hold_at_risk(
        child,
        level=RiskLevel.LOW,
        on=timezone.localdate() - dt.timedelta(days=3),
        reason="Screening",
        acting_user=hub,
    )
    return child


def test_pathway_referrals_are_counted_by_the_childs_community(
    make_user: Callable[..., User], tmp_path: Path
) -> None:
    geo.load_reference_data(acting_user=SYSTEM)
    hub = make_user(Role.HUB_PRACTITIONER)
    worker = make_user(Role.PARTNER_WORKER)
    service = SupportServiceFactory(
        name="Youth Service – detached youth work",
        agency=worker.agency,
        risk_levels=["low", "medium"],
    )

    def refer(child: Child) -> Any:
        (made,) = partnership.refer(
            child,
            acting_user=hub,
            services=[service],
            message="Needs a trusted adult.",
            lawful_basis="safeguarding",
            purpose="Youth work support",
            sections=["risk"],
            expires_on=timezone.localdate() + dt.timedelta(days=90),
        )
        return made

    def accept(made: Any, *, contact: bool = False, outcome: str = "") -> None:
        partnership.accept(made, worker=worker, acting_user=worker)
        made.refresh_from_db()
        if contact:
            partnership.record_first_contact(
                made, contacted_at=timezone.now(), method="in_person", acting_user=worker
            )
        if outcome:
            partnership.close(made, outcome=outcome, acting_user=worker)

    accept(refer(_child(hub, "WROM", "Ana")), contact=True, outcome="engaged_risk_reduced")
    refer(_child(hub, "WIRT", "Bridie"))
    accept(refer(_child(hub, "WOTH", "Kasia")))
    accept(refer(_child(hub, "WBRI", "Dana")), contact=True, outcome="not_engaged")
    refer(_child(hub, "NOBT", "Eve"))

    manifest = snapshot.create(acting_user=SYSTEM, snapshot_id="split", root=tmp_path)
    assert manifest.data["schema_version"] == snapshot.SCHEMA_VERSION
    children = pq.read_table(manifest.file("children")).to_pylist()
    assert sorted(c["community"] for c in children) == [
        "gypsy_roma_traveller",
        "gypsy_roma_traveller",
        "not_recorded",
        "other",
        "other_white",
    ]
    district = committee.district_name(manifest)
    report = committee.build(manifest, area=district, as_of=timezone.localdate())
    table = render.to_json(report)["tables"]["pathway_by_community"]
    assert table["columns"] == COLUMNS
    assert _rows(table) == {
        "Gypsy, Roma or Irish Traveller": [2, 1, 1, 1, 1],
        "Any other White background": [1, 1, 1, 0, 0],
        "Any other ethnicity recorded": [1, 1, 1, 1, 0],
        "Ethnicity not recorded": [1, 0, 0, 0, 0],
    }
    assert table["totals"] == [5, 3, 3, 2, 1]
    # The same referrals as the table by service, and the same groups as the children's table.
    by_service = report.tables["pathway_timeliness"]
    assert by_service.column_totals()[0] == 5
    emerging = _rows(render.to_json(report)["tables"]["emerging_communities"])
    assert emerging["Gypsy, Roma or Irish Traveller"] == [2]
    assert emerging["Any other White background"] == [1]
    assert "pathway_by_community" in report.definitions
    assert "Resolution 4 asked for a greater focus" in render.to_html(report)


# --- Awareness sessions aimed at a community: the import, the page, the report --------------

HEADER = "reference,programme,date,venue,ward_code,audience_type,reached,delivered_by,community"


def _import(tmp_path: Path, user: User, *rows: str) -> str:
    path = tmp_path / "sessions.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    out = io.StringIO()
    call_command("import", "awareness", str(path), "--as", user.username, stdout=out)
    return out.getvalue()


def test_sessions_aimed_at_a_community_are_imported_shown_and_counted(
    make_user: Callable[..., User], tmp_path: Path, hub_manager_client: Client
) -> None:
    geo.load_reference_data(acting_user=SYSTEM)
    awareness.ensure_standard_programmes(acting_user=SYSTEM)
    ward = Ward.objects.filter(ward_set=geo.ward_set_on(dt.date(2016, 6, 1))).order_by("name")[0]
    admin = make_user(Role.ADMINISTRATOR)
    good = [
        f"P1,parents,2016-05-10,Community centre,{ward.code},parents,12,Partner,other_white",
        "P2,parents,2016-06-10,Community centre,,parents,9,Partner,other_white",
        f"P3,parents,2016-07-10,Site hall,{ward.code},parents,7,Partner,gypsy_roma_traveller",
        f"T1,taxi,2016-08-10,Licensing office,{ward.code},drivers,30,Trainers,",
        "P4,parents,2015-07-10,Community centre,,parents,50,Partner,other_white",  # a year before
    ]
    # One value outside the code list refuses the whole file, naming the row and column.
    with pytest.raises(CommandError):
        _import(tmp_path, admin, *good, "X1,parents,2016-09-01,Hall,,parents,5,Partner,polish")
    assert not Session.objects.exists()
    _import(tmp_path, admin, *good)
    assert dict(Session.objects.values_list("reference", "community")) == {
        "P1": "other_white",
        "P2": "other_white",
        "P3": "gypsy_roma_traveller",
        "T1": "",
        "P4": "other_white",
    }
    # A file without the column still imports: it is optional.
    path = tmp_path / "old.csv"
    path.write_text(
        "reference,programme,date,venue,ward_code,audience_type,reached,delivered_by\n"
        "T2,taxi,2016-09-10,Licensing office,,drivers,20,Trainers\n",
        encoding="utf-8",
    )
    call_command("import", "awareness", str(path), "--as", admin.username, stdout=io.StringIO())
    assert Session.objects.get(reference="T2").community == ""

    page = hub_manager_client.get("/awareness/?year=2016").content.decode()
    assert 'data-community="other_white"' in page
    found = {
        key: re.findall(r"--numeric[^>]*>(\d+)</td>", row)
        for key, row in re.findall(r'data-community="(\w+)">(.*?)</tr>', page, re.DOTALL)
    }
    assert found == {
        "gypsy_roma_traveller": ["1", "7"],
        "other_white": ["2", "21"],
        "everyone": ["2", "50"],
    }

    manifest = snapshot.create(acting_user=SYSTEM, snapshot_id="aw", root=tmp_path / "snap")
    sessions = pq.read_table(manifest.file("awareness_sessions")).to_pylist()
    assert sorted((s["community"] or "") for s in sessions) == [
        "",
        "",
        "gypsy_roma_traveller",
        "other_white",
        "other_white",
        "other_white",
    ]
    district = committee.district_name(manifest)
    report = committee.build(manifest, area=district, as_of=dt.date(2016, 12, 31))
    table = render.to_json(report)["tables"]["awareness_by_community"]
    assert table["columns"] == [*GROUPS[:2], "Open to everyone"]
    rows = {row["label"]: (row["values"], row["total"]) for row in table["rows"]}
    assert rows["Parents and carers"] == ([7, 21, 0], 28)
    assert rows["Taxi and private hire driver training"] == ([0, 0, 50], 50)
    assert rows["Bus driver training"] == ([0, 0, 0], 0)
    assert "totals" not in table  # the coverage table prints no total across programmes
    coverage = _rows(render.to_json(report)["tables"]["awareness_coverage"])
    assert coverage["Parents and carers"][1] == 28  # the same people reached, by programme


# --- The public edition: a small group and its complement are withheld ------------------------


def _synthetic(root: Path, tables: dict[str, list[dict[str, Any]]]) -> snapshot.Manifest:
    rows: dict[str, list[dict[str, Any]]] = {t: [] for t in schemas.SCHEMAS} | tables
    return snapshot.write_tables(
        root / "known",
        snapshot.arrow_tables(rows),
        snapshot_id="known",
        knowledge_time=dt.datetime(2017, 1, 1, tzinfo=dt.UTC),
    )


def _known(root: Path) -> snapshot.Manifest:
    """30 pathway referrals made in 2016/17: 3 of Gypsy, Roma or Irish Traveller children, 7 of
    children whose ethnicity is not recorded, 20 of others; sessions aimed at communities."""
    ward = {
        "ward_id": 1,
        "ward_code": "E05999991",
        "ward_name": "Testwick",
        "area": "Testshire North",
        "local_authority": "Testshire",
        "ward_set": "Test wards",
        "set_valid_from": dt.date(2004, 6, 10),
    }
    groups = ["WROM"] * 3 + ["NOBT"] * 7 + ["WBRI"] * 20
    children, addresses, referrals = [], [], []
    referred = dt.datetime(2016, 6, 1, 10, tzinfo=dt.UTC)
    for n, code in enumerate(groups):
        key = f"c{n}"
        children.append(
            {"child": key, "sex": "F", "ethnicity": code, "community": codes.community_group(code)}
        )
        addresses.append({"child": key, "valid_from": dt.date(2010, 1, 1), "ward_id": 1})
        referrals.append(
            {
                "pathway_referral": f"p{n}",
                "child": key,
                "service": "Youth Service – detached youth work",
                "agency_type": "youth_service",
                "risk_level": "low",
                "referred_at": referred,
                "referred_on": referred.date(),
                "accept_due_at": referred + dt.timedelta(days=2),
                "accepted_at": referred + dt.timedelta(days=1),
                "first_contact_due_at": referred + dt.timedelta(days=8),
                "first_contact_at": referred + dt.timedelta(days=3),
                "status": "accepted",
            }
        )
    programme = {"programme": "parents", "name": "Parents and carers", "sort_order": 1}
    sessions = [
        {"programme": "parents", "delivered_on": dt.date(2016, 5, d), "ward_id": 1,
         "audience_type": "parents", "community": community, "reached": reached,
         "recorded_at": dt.datetime(2016, 12, 1, tzinfo=dt.UTC)}
        for d, community, reached in [
            (2, "gypsy_roma_traveller", 4), (3, "other_white", 40), (4, "other_white", 35),
            (5, None, 60), (6, None, 70), (9, None, 80),
        ]
    ]  # fmt: skip
    return _synthetic(
        root,
        {
            "wards": [ward],
            "children": children,
            "addresses": addresses,
            "pathway_referrals": referrals,
            "awareness_programmes": [programme],
            "awareness_sessions": sessions,
        },
    )


def test_the_public_edition_withholds_a_small_group_and_its_complement(tmp_path: Path) -> None:
    manifest = _known(tmp_path)
    day = dt.date(2016, 12, 31)
    restricted = committee.build(manifest, area="Testshire", as_of=day)
    assert _rows(render.to_json(restricted)["tables"]["pathway_by_community"]) == {
        "Gypsy, Roma or Irish Traveller": [3, 3, 3, 3, 0],
        "Any other White background": [0, 0, 0, 0, 0],
        "Any other ethnicity recorded": [20, 20, 20, 20, 0],
        "Ethnicity not recorded": [7, 7, 7, 7, 0],
    }
    public = render.to_json(
        committee.build(manifest, area="Testshire", as_of=day, edition="public")
    )
    table = public["tables"]["pathway_by_community"]
    rows = _rows(table)
    for j in range(4):  # 3 is withheld, and so is its complement, the next smallest (7)
        assert rows["Gypsy, Roma or Irish Traveller"][j] == SUPPRESSED
        assert rows["Ethnicity not recorded"][j] == SUPPRESSED
        assert rows["Any other ethnicity recorded"][j] == 20
        assert rows["Any other White background"][j] == 0
    assert table["totals"][:4] == [30, 30, 30, 30]
    assert table["suppressed_cells"] == 8
    aimed = public["tables"]["awareness_by_community"]
    (parents,) = aimed["rows"]
    assert parents["values"] == [SUPPRESSED, SUPPRESSED, 210]  # 4, and its complement 75
    assert parents["total"] == 289
    restricted_aimed = render.to_json(restricted)["tables"]["awareness_by_community"]
    assert [(r["values"], r["total"]) for r in restricted_aimed["rows"]] == [([4, 75, 210], 289)]
    text = json.dumps(public)
    assert '"Gypsy, Roma or Irish Traveller", "values": [3' not in text


def test_a_snapshot_older_than_the_split_adds_no_table(tmp_path: Path) -> None:
    manifest = _known(tmp_path)
    manifest.data["schema_version"] = 5  # as a snapshot written before communities were kept
    report = committee.build(manifest, area="Testshire", as_of=dt.date(2016, 12, 31))
    assert "pathway_by_community" not in report.tables
    assert "awareness_by_community" not in report.tables
    assert "pathway_timeliness" in report.tables


# --- The workbook ---------------------------------------------------------------------------


def test_the_workbook_has_the_new_tables_and_the_committees_progress(
    demo_history: DemoHistory,
) -> None:
    from openpyxl import load_workbook  # noqa: PLC0415

    manifest = snapshot.load("demo", root=demo_history.root)
    for edition in ("restricted", "public"):
        report = committee.build(
            manifest, area="Bradford", as_of=manifest.knowledge_time.date(), edition=edition
        )
        book = load_workbook(io.BytesIO(render.to_xlsx(report)))
        assert {"pathway_by_community", "awareness_by_community", "scrutiny"} <= set(
            book.sheetnames
        )
        sheet = book["pathway_by_community"]
        assert [c.value for c in sheet[2]] == ["Children who are", *COLUMNS]
        assert [sheet.cell(row=r, column=1).value for r in range(3, 7)] == GROUPS
        shown = report.tables["pathway_by_community"].shown()
        assert [[c.value for c in sheet[r][1:]] for r in range(3, 7)] == shown
        scrutiny = book["scrutiny"]
        assert scrutiny["A2"].value == "Meeting"
        lines = list(scrutiny.iter_rows(min_row=3, values_only=True))
        expected = render.scrutiny_rows(report)
        words = (0, 2, 3, 4, 5, 7, 8, 10, 11, 12)  # the dates come back as datetimes
        assert [[line[i] or "" for i in words] for line in lines] == [
            [row[i] for i in words] for row in expected
        ]
        assert lines, "the demo's committee resolutions and actions are in the workbook"
        resolved = {line[3] for line in lines}
        assert any("emerging communities" in str(text) for text in resolved)
