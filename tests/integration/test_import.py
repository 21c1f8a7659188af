"""`safehub import referrals`: all or nothing, idempotent, every problem with its row."""

from __future__ import annotations

import datetime as dt
import io
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from safehub.access.models import AgencyType, Role, User
from safehub.access.policy import AccessDeniedError
from safehub.audit.models import AuditEvent
from safehub.people import services as people
from safehub.people.models import AddressPeriod, Child
from safehub.referrals import importer
from safehub.referrals.models import Referral
from tests.factories import AgencyFactory

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
HEADER = (
    "external_reference,received_at,source,referring_agency,exploitation_types,concerns,"
    "given_name,family_name,date_of_birth,sex,ethnicity,ethnicity_source,nhs_number,postcode"
)


def _row(**values: str) -> str:
    row = {
        "external_reference": "REF-1",
        "received_at": "2016-10-03T10:15:00+01:00",
        "source": "6",
        "referring_agency": "",
        "exploitation_types": "cse",
        "concerns": "Seen with older associates at the bus station.",
        "given_name": "Testa",
        "family_name": "Samplewell",
        "date_of_birth": "2002-03-04",
        "sex": "F",
        "ethnicity": "WBRI",
        "ethnicity_source": "self_identified",
        "nhs_number": "",
        "postcode": "",
    }
    row.update(values)
    return ",".join(row[column] for column in HEADER.split(","))


@pytest.fixture
def importer_user(make_user: Callable[..., User]) -> User:
    AgencyFactory(name="Police – Child Exploitation Team", agency_type=AgencyType.POLICE)
    AgencyFactory(name="Education Safeguarding", agency_type=AgencyType.EDUCATION)
    return make_user(Role.HUB_PRACTITIONER)


def _run(path: Path, user: User, *extra: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import", "referrals", str(path), "--as", user.username, *extra, stdout=out, stderr=err
    )
    return out.getvalue(), err.getvalue()


def _file(tmp_path: Path, *rows: str, name: str = "referrals.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def test_the_example_file_imports_and_importing_it_again_adds_nothing(
    importer_user: User, tmp_path: Path
) -> None:
    path = tmp_path / "referrals.csv"
    shutil.copy(EXAMPLES / "referrals.csv", path)
    out, err = _run(path, importer_user)
    assert err == ""
    assert "Imported 3 referrals from referrals.csv (2 new children, 0 already known" in out
    assert Referral.objects.count() == 3
    assert Child.objects.count() == 2
    testa = Child.objects.get(given_name="Testa")
    # Row 4 is about the same child, found by NHS number: one child, two referrals.
    assert sorted(str(r.external_reference) for r in testa.referrals.all()) == [
        "EXAMPLE-0001",
        "EXAMPLE-0003",
    ]
    assert testa.nhs_number == "9990000018"
    assert {h.history_user for h in testa.history.all()} == {importer_user}
    police = Referral.objects.get(external_reference="EXAMPLE-0001")
    assert police.referring_agency is not None
    assert police.referring_agency.name == "Police – Child Exploitation Team"
    assert police.exploitation_types == ["cse", "online"]
    assert police.recorded_by == importer_user
    assert list(AddressPeriod.objects.values_list("postcode", flat=True).order_by("postcode")) == [
        "BD4 0AA",
        "BD6 3AA",
    ]
    [event] = AuditEvent.objects.filter(action="referral:imported")
    assert (event.object_id, event.actor, event.channel) == ("3", importer_user, "cli")
    assert AuditEvent.objects.filter(action="referral:received").count() == 3

    again, _ = _run(path, importer_user)
    assert "Imported 0 referrals" in again
    assert "3 already imported" in again
    assert (Referral.objects.count(), Child.objects.count(), AddressPeriod.objects.count()) == (
        3,
        2,
        2,
    )


def test_the_json_lines_example_imports(importer_user: User, tmp_path: Path) -> None:
    path = tmp_path / "referrals.jsonl"
    shutil.copy(EXAMPLES / "referrals.jsonl", path)
    out, _ = _run(path, importer_user)
    assert "Imported 2 referrals" in out
    trafficking = Referral.objects.get(external_reference="EXAMPLE-0102")
    assert trafficking.exploitation_types == ["cce", "trafficking"]
    assert trafficking.source == "3E"
    assert trafficking.referring_agency is None


def test_a_bad_file_lists_every_problem_by_row_and_imports_nothing(
    importer_user: User, tmp_path: Path
) -> None:
    path = _file(
        tmp_path,
        _row(external_reference="GOOD-1"),
        _row(external_reference="BAD-DATE", date_of_birth="2002-02-30"),
        _row(external_reference="BAD-SOURCE", source="99"),
        _row(external_reference=""),
        _row(external_reference="BAD-AGENCY", referring_agency="Nowhere Agency"),
        _row(
            external_reference="BAD-TIME",
            received_at="2016-10-03 10:15",
            exploitation_types="cse;lunch",
        ),
        name="bad.csv",
    )
    before = AuditEvent.objects.count()
    err = io.StringIO()
    with pytest.raises(CommandError, match=r"6 problem\(s\) in bad\.csv; nothing was imported"):
        call_command("import", "referrals", str(path), "--as", importer_user.username, stderr=err)
    lines = err.getvalue().splitlines()
    assert [line.split(":")[1].strip() for line in lines] == [
        "row 3, date_of_birth",
        "row 4, source",
        "row 5, external_reference",
        "row 6, referring_agency",
        "row 7, received_at",
        "row 7, exploitation_types",
    ]
    assert "bad.csv: row 5, external_reference: is required" in lines
    assert any(line.startswith("bad.csv: row 4, source: '99' is not") for line in lines)
    assert "bad.csv: row 6, referring_agency: no agency is called 'Nowhere Agency'" in lines
    assert any("lunch: not an exploitation type" in line for line in lines)
    assert (Referral.objects.count(), Child.objects.count()) == (0, 0)
    assert AuditEvent.objects.count() == before


def test_a_dry_run_counts_what_would_happen_and_writes_nothing(
    importer_user: User, tmp_path: Path
) -> None:
    existing = people.register_child(
        acting_user=importer_user,
        given_name="Exemplo",
        family_name="Fictitious",
        date_of_birth="2003-07-19",
        sex="M",
    )
    path = tmp_path / "referrals.csv"
    shutil.copy(EXAMPLES / "referrals.csv", path)
    before = (AuditEvent.objects.count(), Child.objects.count())
    out, _ = _run(path, importer_user, "--dry-run")
    assert out.strip() == (
        "Dry run: nothing was written. referrals.csv would import 3 referrals "
        "(1 new child, 1 already known); 0 already imported."
    )
    assert (AuditEvent.objects.count(), Child.objects.count()) == before
    assert not Referral.objects.exists()

    _run(path, importer_user)
    assert existing.referrals.get().external_reference == "EXAMPLE-0002"
    out, _ = _run(path, importer_user, "--dry-run")
    assert "would import 0 referrals" in out
    assert "3 already imported" in out


def test_children_match_by_nhs_number_then_by_exact_name_and_birth_date(
    importer_user: User, tmp_path: Path
) -> None:
    by_name = people.register_child(
        acting_user=importer_user,
        given_name="Testa",
        family_name="Samplewell",
        date_of_birth="2002-03-04",
        sex="F",
    )
    other = people.register_child(
        acting_user=importer_user,
        given_name="Testa",
        family_name="Samplewell",
        date_of_birth="2002-03-04",
        sex="F",
        nhs_number="9990000034",
    )
    path = _file(
        tmp_path,
        # Same names and date of birth but a number no child has: the child without one.
        _row(external_reference="A", nhs_number="9990000026"),
        # The number of the other child: that one, however alike the first.
        _row(external_reference="B", nhs_number="999 000 0034"),
        # A different date of birth: a new child.
        _row(external_reference="C", date_of_birth="2002-03-05", given_name="TESTA"),
    )
    _run(path, importer_user)
    assert Referral.objects.get(external_reference="A").child == by_name
    assert Referral.objects.get(external_reference="B").child == other
    assert Referral.objects.get(external_reference="C").child not in {by_name, other}


def test_an_ambiguous_match_is_a_problem_not_a_guess(importer_user: User, tmp_path: Path) -> None:
    for _ in range(2):
        people.register_child(
            acting_user=importer_user,
            given_name="Testa",
            family_name="Samplewell",
            date_of_birth="2002-03-04",
            sex="F",
        )
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import",
            "referrals",
            str(_file(tmp_path, _row())),
            "--as",
            importer_user.username,
            stderr=err,
        )
    assert "row 2, given_name: matches more than one child" in err.getvalue()


def test_the_header_and_duplicate_references_are_checked(
    tmp_path: Path, importer_user: User
) -> None:
    path = tmp_path / "odd.csv"
    path.write_text(
        HEADER.replace("nhs_number", "nhs_numbr").replace(",concerns", "") + "\n" + _row() + "\n",
        encoding="utf-8",
    )
    with (
        path.open(encoding="utf-8") as stream,
        pytest.raises(importer.ReferralImportError) as refused,
    ):
        importer.import_referrals(stream, file_format="csv", acting_user=importer_user)
    assert [str(p) for p in refused.value.result.problems] == [
        "row 1, concerns: column is missing from the header",
        "row 1, nhs_numbr: is not a column of the format",
    ]
    twice = _file(tmp_path, _row(), _row(given_name="Other"), name="twice.csv")
    with (
        twice.open(encoding="utf-8") as stream,
        pytest.raises(importer.ReferralImportError) as refused,
    ):
        importer.import_referrals(stream, file_format="csv", acting_user=importer_user)
    assert [str(p) for p in refused.value.result.problems] == [
        "row 3, external_reference: is also on row 2"
    ]


def test_json_lines_problems_name_the_line(importer_user: User) -> None:
    text = '{"external_reference": "X", "exploitation_types": "cse"}\nnot json\n\n[1]\n'
    with pytest.raises(importer.ReferralImportError) as refused:
        importer.import_referrals(io.StringIO(text), file_format="jsonl", acting_user=importer_user)
    problems = [str(p) for p in refused.value.result.problems]
    assert "row 1, exploitation_types: must be a list of exploitation type codes" in problems
    assert "row 1, given_name: is required" in problems
    assert any(p.startswith("row 2: is not valid JSON") for p in problems)
    assert "row 4: is not a JSON object" in problems


def test_the_acting_user_must_be_named_and_allowed(
    tmp_path: Path, make_user: Callable[..., User]
) -> None:
    path = _file(tmp_path, _row())
    with pytest.raises(CommandError, match="--as"):
        call_command("import", "referrals", str(path))
    with pytest.raises(CommandError, match="No active user is called 'nobody'"):
        call_command("import", "referrals", str(path), "--as", "nobody")
    partner = make_user(Role.PARTNER_WORKER)
    with pytest.raises(AccessDeniedError) as refused:
        call_command("import", "referrals", str(path), "--as", partner.username)
    assert refused.value.permission == "referral:import"
    # Administrators manage reference data, not case data: refused before any row is read.
    admin = make_user(Role.ADMINISTRATOR)
    with pytest.raises(AccessDeniedError) as refused:
        call_command("import", "referrals", str(path), "--as", admin.username)
    assert refused.value.permission == "referral:import"
    assert not Referral.objects.exists()


def test_the_file_must_be_csv_or_json_lines(tmp_path: Path, importer_user: User) -> None:
    path = tmp_path / "referrals.xlsx"
    path.write_text("not really", encoding="utf-8")
    with pytest.raises(CommandError, match=r"use a \.csv or \.jsonl file"):
        _run(path, importer_user)


def test_bulk_writes_leave_the_history_and_audit_the_services_leave(
    importer_user: User, tmp_path: Path
) -> None:
    """The import writes in bulk; what it leaves must be what entering by hand leaves."""
    known = people.register_child(
        acting_user=importer_user,
        given_name="Testa",
        family_name="Samplewell",
        date_of_birth="2002-03-04",
        sex="F",
        nhs_number="9990000018",
    )
    people.record_address(
        known, valid_from=dt.date(2015, 1, 1), postcode="BD4 0AA", acting_user=importer_user
    )
    path = tmp_path / "referrals.csv"
    shutil.copy(EXAMPLES / "referrals.csv", path)
    _run(path, importer_user)

    new = Child.objects.get(given_name="Exemplo")
    [created] = new.history.all()
    assert (created.history_type, created.history_user, created.family_name) == (
        "+",
        importer_user,
        "Fictitious",
    )
    referral = Referral.objects.get(external_reference="EXAMPLE-0001")
    [received] = referral.history.all()
    assert received.history_type == "+"
    assert received.history_user == importer_user
    assert received.concerns == referral.concerns  # decrypts to the same text
    assert received.child_id == known.pk
    # The known child's open address is ended where the referral's postcode begins.
    old, moved = known.addresses.order_by("valid_from")
    assert (old.valid_to, moved.valid_from, moved.postcode) == (
        dt.date(2016, 10, 3),
        dt.date(2016, 10, 3),
        "BD6 3AA",
    )
    assert [h.history_type for h in old.history.order_by("history_date")] == ["+", "~"]
    assert old.history.latest("history_date").history_user == importer_user
    assert moved.history.get().history_type == "+"
    audited = AuditEvent.objects.filter(actor=importer_user)
    assert set(audited.filter(action="child:created").values_list("object_id", flat=True)) == {
        str(known.pk),
        str(new.pk),
    }
    assert audited.filter(action="referral:received").count() == 3
    assert audited.filter(action="child:address:recorded", object_id=str(known.pk)).count() == 2
