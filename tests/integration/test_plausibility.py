"""Implausible records are refused the same way by forms, the API and both imports, and the
ones already stored are listed by `safehub check records`; the known server errors are gone."""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from safehub.access.models import AgencyType, Role, User
from safehub.access.policy import SYSTEM
from safehub.episodes import services as episodes
from safehub.episodes.models import Episode, MissingEpisode
from safehub.geo import services as geo
from safehub.people import services as people
from safehub.people.models import Child
from safehub.referrals import services as referrals
from safehub.referrals.models import Decision, Referral
from tests.factories import AgencyFactory, SupportServiceFactory

LONDON = ZoneInfo("Europe/London")
ROOT = Path(__file__).resolve().parents[2]
BORN = dt.date(2012, 5, 6)


@pytest.fixture
def manager(make_user: Callable[..., User]) -> User:
    return make_user(Role.HUB_MANAGER)


@pytest.fixture
def child(manager: User) -> Child:
    geo.load_reference_data(acting_user=SYSTEM)
    return people.register_child(
        acting_user=manager,
        given_name="Sammi",
        family_name="Exampleton",
        date_of_birth=BORN,
        sex="F",
    )


def _referral_form(day: dt.date | None, **extra: object) -> dict[str, object]:
    return {
        "received_at_0_0": day.day if day else "",
        "received_at_0_1": day.month if day else "",
        "received_at_0_2": day.year if day else "",
        "received_at_1": "10:00" if day else "",
        "source": "6",
        "exploitation_types": ["cse"],
        "concerns": "Seen with older associates.",
        **extra,
    }


def test_a_blank_received_date_is_an_error_summary_not_a_server_error(
    hub_practitioner_client: Client, child: Child
) -> None:
    response = hub_practitioner_client.post(
        f"/referrals/new?child={child.pk}", _referral_form(None)
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page
    assert "Enter the date the referral was received" in page
    assert not Referral.objects.exists()


def test_a_referral_dated_before_birth_is_refused_by_the_form(
    hub_practitioner_client: Client, child: Child
) -> None:
    page = hub_practitioner_client.post(
        f"/referrals/new?child={child.pk}", _referral_form(dt.date(2010, 1, 4))
    ).content.decode()
    assert "govuk-error-summary" in page
    assert "Date received must be on or after the child&#x27;s date of birth" in page
    assert not Referral.objects.exists()


def test_the_service_refuses_a_missing_date_with_a_field_error(child: Child, manager: User) -> None:
    from django.core.exceptions import ValidationError  # noqa: PLC0415

    with pytest.raises(ValidationError) as refused:
        referrals.receive_referral(
            child=child,
            received_at=None,
            source="6",
            concerns="x",
            exploitation_types=["cse"],
            acting_user=manager,
        )
    assert refused.value.message_dict == {
        "received_at": ["Enter the date the referral was received"]
    }


def test_a_new_child_born_in_1950_or_arriving_before_birth_is_refused(
    hub_practitioner_client: Client,
) -> None:
    geo.load_reference_data(acting_user=SYSTEM)
    form = {
        "given_name": "Old",
        "family_name": "Example",
        "date_of_birth_0": "1",
        "date_of_birth_1": "2",
        "date_of_birth_2": "1950",
        "sex": "F",
        "ethnicity": "WBRI",
        "ethnicity_source": "self_identified",
    }
    page = hub_practitioner_client.post("/children/new", form).content.decode()
    assert "govuk-error-summary" in page
    assert "25 or younger" in page
    form |= {
        "date_of_birth_2": "2012",
        "arrived_uk_0": "1",
        "arrived_uk_1": "1",
        "arrived_uk_2": "2011",
    }
    page = hub_practitioner_client.post("/children/new", form).content.decode()
    assert "Date of arrival in the UK must be on or after the child&#x27;s date of birth" in page
    assert not Child.objects.exists()


def test_a_missing_episode_with_no_start_or_no_kind_is_refused(
    hub_practitioner_client: Client, child: Child
) -> None:
    url = f"/children/{child.pk}/missing/new"
    blank = {"kind": "missing", "started_at_0_0": "", "started_at_0_1": "", "started_at_0_2": ""}
    response = hub_practitioner_client.post(url, blank | {"started_at_1": ""})
    assert response.status_code == 200
    assert "Enter when the child went missing" in response.content.decode()
    no_kind = {
        "started_at_0_0": "1",
        "started_at_0_1": "3",
        "started_at_0_2": "2024",
        "started_at_1": "20:00",
    }
    page = hub_practitioner_client.post(url, no_kind).content.decode()
    assert "Choose whether the child was missing or away from placement" in page
    before_birth = no_kind | {"kind": "missing", "started_at_0_2": "2011"}
    page = hub_practitioner_client.post(url, before_birth).content.decode()
    assert "Date the child went missing must be on or after the child&#x27;s date of birth" in page
    assert not MissingEpisode.objects.exists()


def test_an_interview_before_the_return_is_refused_when_first_recorded(
    child: Child, manager: User
) -> None:
    from django.core.exceptions import ValidationError  # noqa: PLC0415

    went = dt.datetime(2024, 3, 1, 20, tzinfo=LONDON)
    with pytest.raises(ValidationError) as refused:
        episodes.record_missing_episode(
            child,
            started_at=went,
            ended_at=went + dt.timedelta(days=1),
            return_interview_completed_at=went,
            acting_user=manager,
        )
    assert set(refused.value.message_dict) == {"return_interview_completed_at"}


def test_the_child_page_before_birth_is_an_error_not_a_server_error(
    hub_practitioner_client: Client, child: Child
) -> None:
    response = hub_practitioner_client.get(
        f"/children/{child.pk}", {"on_0": "1", "on_1": "1", "on_2": "1990"}
    )
    assert response.status_code == 200
    assert "The date must be on or after the child&#x27;s date of birth" in (
        response.content.decode()
    )
    api = hub_practitioner_client.get(f"/api/v1/children/{child.pk}", {"on": "1990-01-01"})
    assert api.status_code == 422
    assert api["Content-Type"] == "application/problem+json"
    assert api.json()["errors"] == [
        {"field": "on", "message": "The date must be on or after the child's date of birth"}
    ]


def test_the_api_refuses_a_referral_before_birth_and_in_year_21(
    hub_practitioner_client: Client, child: Child
) -> None:
    for received in ("2010-01-04T10:00:00+00:00", "0021-01-04T10:00:00+00:00"):
        response = hub_practitioner_client.post(
            "/api/v1/referrals",
            {
                "child_id": child.pk,
                "received_at": received,
                "source": "6",
                "exploitation_types": ["cse"],
                "concerns": "Seen with older associates.",
            },
            content_type="application/json",
        )
        assert response.status_code == 422, received
        assert [e["field"] for e in response.json()["errors"]] == ["received_at"]
    assert not Referral.objects.exists()


def test_the_api_refuses_a_new_child_born_in_1950_naming_the_field(
    hub_practitioner_client: Client,
) -> None:
    response = hub_practitioner_client.post(
        "/api/v1/referrals",
        {
            "child": {
                "given_name": "Old",
                "family_name": "Example",
                "sex": "F",
                "date_of_birth": "1950-01-01",
            },
            "received_at": "2016-10-03T10:00:00+01:00",
            "source": "6",
            "exploitation_types": ["cse"],
            "concerns": "Seen with older associates.",
        },
        content_type="application/json",
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["child.date_of_birth"]
    assert not Child.objects.exists()


def test_nul_and_control_characters_are_refused_in_text(
    hub_practitioner_client: Client, child: Child, manager: User
) -> None:
    response = hub_practitioner_client.post(
        "/api/v1/referrals",
        {
            "child_id": child.pk,
            "received_at": "2016-10-03T10:00:00+01:00",
            "source": "6",
            "exploitation_types": ["cse"],
            "concerns": "Seen\x00 with\x1b older associates.",
            # PostgreSQL cannot even look up a name with a NUL in it.
            "referring_agency": "Police\x00",
        },
        content_type="application/json",
    )
    assert response.status_code == 422
    message = "must not include control characters (such as NUL)"
    assert response.json()["errors"] == [
        {"field": "concerns", "message": message},
        {"field": "referring_agency", "message": message},
    ]
    # The services refuse them too, whatever the way in.
    with pytest.raises(ValidationError) as refused:
        referrals.receive_referral(
            child=child,
            received_at=dt.datetime(2016, 10, 3, 10, tzinfo=LONDON),
            source="6",
            concerns="Seen\x00 with older associates.",
            exploitation_types=["cse"],
            acting_user=manager,
        )
    assert refused.value.message_dict == {
        "concerns": ["Concerns must not include control characters (such as NUL)"]
    }
    page = hub_practitioner_client.post(
        f"/referrals/new?child={child.pk}",
        _referral_form(dt.date(2016, 10, 3), concerns="bell \x07 here"),
    ).content.decode()
    assert "Concerns must not include control characters" in page
    assert not Referral.objects.exists()


def test_pathway_referrals_go_only_to_agencies_that_offer_support(
    child: Child, manager: User
) -> None:
    from django.core.exceptions import ValidationError  # noqa: PLC0415

    referral = referrals.receive_referral(
        child=child,
        received_at=dt.datetime(2024, 3, 1, 10, tzinfo=LONDON),
        source="6",
        concerns="x",
        exploitation_types=["cse"],
        acting_user=manager,
    )
    for name, kind in (
        ("Taxi and Private Hire Licensing", AgencyType.TRANSPORT_LICENSING),
        ("Children's Services – Exploitation Hub", AgencyType.CHILDRENS_SERVICES),
    ):
        with pytest.raises(ValidationError) as refused:
            referrals.record_decision(
                referral,
                outcome="pathway_referral",
                pathway_agency=AgencyFactory(name=name, agency_type=kind),
                acting_user=manager,
            )
        assert refused.value.message_dict == {
            "pathway_agency": ["Choose an agency that offers a support service"]
        }
    youth = AgencyFactory(name="Youth Service", agency_type=AgencyType.YOUTH_SERVICE)
    with pytest.raises(ValidationError) as no_service:
        referrals.record_decision(
            referral, outcome="pathway_referral", pathway_agency=youth, acting_user=manager
        )
    assert no_service.value.message_dict == {
        "pathway_agency": ["Choose an agency that offers a support service"]
    }
    SupportServiceFactory(name="Youth work", agency=youth)
    decision = referrals.record_decision(
        referral, outcome="pathway_referral", pathway_agency=youth, acting_user=manager
    )
    assert Decision.objects.get().pk == decision.pk


def test_the_referral_import_refuses_a_row_before_birth_and_imports_nothing(
    make_user: Callable[..., User], tmp_path: Path, child: Child
) -> None:
    header = (
        "external_reference,received_at,source,referring_agency,exploitation_types,concerns,"
        "given_name,family_name,date_of_birth,sex,ethnicity,ethnicity_source,nhs_number,postcode"
    )
    rows = [
        "R-1,2016-10-03T10:15:00+01:00,6,,cse,Concern,New,Person,2002-03-04,F,WBRI,x,,",
        # A known child, referred before they were born.
        "R-2,2010-01-04T10:15:00+01:00,6,,cse,Concern,Sammi,Exampleton,2012-05-06,F,WBRI,x,,",
        "R-3,2016-10-03T10:15:00+01:00,6,,cse,Concern,Old,Person,1950-03-04,F,WBRI,x,,",
    ]
    path = tmp_path / "referrals.csv"
    text = "\n".join([header, *rows]).replace(",x,", ",self_identified,")
    path.write_text(text + "\n", encoding="utf-8")
    user = make_user(Role.HUB_PRACTITIONER)
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import",
            "referrals",
            str(path),
            "--as",
            user.username,
            stdout=io.StringIO(),
            stderr=err,
        )
    problems = err.getvalue()
    assert "row 3" in problems
    assert "row 4" in problems
    assert "must be on or after the child's date of birth" in problems
    assert "25 or younger" in problems
    assert not Referral.objects.exists()


def test_the_history_import_refuses_implausible_rows(tmp_path: Path) -> None:
    geo.load_reference_data(acting_user=SYSTEM)
    example = tmp_path / "history"
    shutil.copytree(ROOT / "docs" / "examples" / "history", example)

    def edit(name: str, old: str, new: str) -> None:
        path = example / name
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    edit("children.csv", "2014-09-01", "2001-09-01")  # arrived before birth
    # Returned home interview offered before the return.
    edit("missing_episodes.csv", "2017-01-16T10:00:00+00:00", "2017-01-15T10:00:00+00:00")
    edit("referrals.csv", "Youth worker concerned", "Youth worker\x00 concerned")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import", "history", str(example), stdout=io.StringIO(), stderr=err)
    lines = err.getvalue().splitlines()
    assert any(
        line.startswith("children.csv: row 3, arrived_uk: Date of arrival in the UK must be on")
        for line in lines
    ), lines
    assert any(
        line.startswith("missing_episodes.csv: row 3, return_interview_offered_at:")
        for line in lines
    ), lines
    assert any(
        line.startswith("referrals.csv: row 4, concerns:") and "control character" in line
        for line in lines
    ), lines
    assert not Child.objects.exists()


def test_check_records_lists_what_breaks_a_rule_and_changes_nothing(
    child: Child, manager: User
) -> None:
    good = referrals.receive_referral(
        child=child,
        received_at=dt.datetime(2024, 3, 1, 10, tzinfo=LONDON),
        source="6",
        concerns="x",
        exploitation_types=["cse"],
        acting_user=manager,
    )
    # Records from before the rules: written directly, as an old import would have.
    early = Referral.objects.create(
        child=child,
        received_at=dt.datetime(2010, 1, 4, 10, tzinfo=LONDON),
        source="6",
        concerns="x",
        exploitation_types=["cse"],
    )
    Child.objects.filter(pk=child.pk).update(arrived_uk=dt.date(2011, 1, 1))
    licensing = AgencyFactory(name="Licensing", agency_type=AgencyType.TRANSPORT_LICENSING)
    Decision.objects.create(
        referral=good,
        outcome="pathway_referral",
        pathway_agency=licensing,
        decided_at=dt.datetime(2024, 3, 2, tzinfo=LONDON),
    )
    episode = Episode.objects.create(child=child, opened_on=dt.date(2024, 3, 1))
    episode.risk_changes.create(level="low", effective_on=dt.date(2024, 2, 1))
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_code:
        call_command("check", "records", stdout=out)
    assert exit_code.value.code == 1
    report = out.getvalue()
    assert (
        f"referral {early.pk} (child {child.pk}): received_at: Date received must be on or after"
        in report
    )
    assert f"child {child.pk} (child {child.pk}): arrived_uk:" in report
    assert "decision" in report
    assert "pathway_agency: Choose an agency that offers a support service" in report
    assert "effective_on: Date of the change must be within the episode" in report
    assert f"referral {good.pk} " not in report
    assert "4 records break a rule" in report
    assert Referral.objects.get(pk=early.pk).received_at.year == 2010
    assert json.dumps(report)  # plain text, no personal data: names never appear
    assert "Sammi" not in report
