"""The hub's pages, through the test client: forms, error summaries, scoping."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from safehub.access.models import Role, User
from safehub.access.policy import SYSTEM
from safehub.audit.models import AuditEvent
from safehub.geo import services as geo
from safehub.people import services as people
from safehub.people.models import Child
from safehub.referrals.models import Referral


@pytest.fixture
def child(make_user: Callable[..., User]) -> Child:
    geo.load_reference_data(acting_user=SYSTEM)
    return people.register_child(
        acting_user=make_user(Role.HUB_MANAGER),
        given_name="Sammi",
        family_name="Exampleton",
        date_of_birth=dt.date(2010, 5, 6),
        sex="F",
    )


def test_searching_finds_by_part_of_a_name_and_audits_the_result_list(
    hub_practitioner_client: Client, child: Child
) -> None:
    page = hub_practitioner_client.get("/children/search", {"name": "exampl"}).content.decode()
    assert "1 child found" in page
    assert f'href="/children/{child.pk}"' in page
    event = AuditEvent.objects.get(action="child:listed")
    assert (event.object_type, event.object_id, event.child_id) == (
        "people.child",
        str(child.pk),
        child.pk,
    )
    assert event.reason == "listed: search"


def test_an_empty_search_shows_the_error_summary(hub_practitioner_client: Client) -> None:
    page = hub_practitioner_client.get("/children/search", {"name": ""}).content.decode()
    assert "Enter a name, date of birth or NHS number" in page
    assert "govuk-error-summary" in page


def test_child_form_errors_name_each_field(hub_practitioner_client: Client) -> None:
    geo.load_reference_data(acting_user=SYSTEM)
    response = hub_practitioner_client.post(
        "/children/new",
        {
            "given_name": "A",
            "family_name": "",
            "date_of_birth_0": "31",
            "date_of_birth_1": "2",
            "date_of_birth_2": "2012",
            "sex": "F",
            "nhs_number": "123",
            "ethnicity": "WBRI",
            "ethnicity_source": "self_identified",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert '<a href="#id_family_name">Enter the child&#x27;s last name</a>' in page
    assert '<a href="#id_date_of_birth_0">Date of birth must be a real date</a>' in page
    assert "Enter a valid NHS number" in page
    assert not Child.objects.exists()


def test_a_referral_with_a_future_date_is_refused_and_nothing_saved(
    hub_practitioner_client: Client, child: Child
) -> None:
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    page = hub_practitioner_client.post(
        f"/referrals/new?child={child.pk}",
        {
            "received_at_0_0": tomorrow.day,
            "received_at_0_1": tomorrow.month,
            "received_at_0_2": tomorrow.year,
            "received_at_1": "10:00",
            "source": "6",
            "exploitation_types": ["cse"],
            "concerns": "Concern",
        },
    ).content.decode()
    assert "The date the referral was received must be in the past" in page
    assert 'href="#id_received_at_0_0"' in page
    assert not Referral.objects.exists()


@pytest.mark.parametrize("role", [Role.PARTNER_WORKER, Role.ANALYST, Role.ELECTED_MEMBER])
def test_roles_outside_the_hub_get_404_for_a_child_and_it_is_audited(
    role: Role, request: pytest.FixtureRequest, child: Child
) -> None:
    client = request.getfixturevalue(f"{role.value}_client")
    response = client.get(f"/children/{child.pk}")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    event = AuditEvent.objects.get(action="access:denied")
    assert (event.object_type, event.object_id) == ("people.child", str(child.pk))


@pytest.mark.parametrize("path", ["/triage", "/children/search", "/children/new"])
def test_hub_only_pages_refuse_other_roles(
    path: str, partner_worker_client: Client, hub_practitioner_client: Client
) -> None:
    assert partner_worker_client.get(path).status_code == 403
    assert hub_practitioner_client.get(path).status_code == 200


def test_the_child_page_is_audited_as_a_view(hub_practitioner_client: Client, child: Child) -> None:
    page = hub_practitioner_client.get(f"/children/{child.pk}").content.decode()
    assert "Sammi Exampleton" in page
    assert AuditEvent.objects.filter(action="child:viewed", object_id=str(child.pk)).count() == 1


def test_a_new_address_care_status_and_alias_are_recorded_from_the_child_page(
    hub_practitioner_client: Client, child: Child
) -> None:
    base = f"/children/{child.pk}"
    refused = hub_practitioner_client.post(
        f"{base}/address/new",
        {"valid_from_0": "1", "valid_from_1": "9", "valid_from_2": "2016"},
    ).content.decode()
    assert '<a href="#id_postcode">Enter a postcode or choose a ward</a>' in refused
    for path, data in [
        (
            "address/new",
            {
                "valid_from_0": "1",
                "valid_from_1": "9",
                "valid_from_2": "2016",
                "ward_code": "E05001370",
            },
        ),
        (
            "care/new",
            {
                "kind": "child_in_need",
                "valid_from_0": "1",
                "valid_from_1": "6",
                "valid_from_2": "2016",
            },
        ),
        ("aliases/new", {"given_name": "Sam", "note": "street name"}),
        ("notes/new", {"text": "Spoke with school; attendance improving."}),
    ]:
        response = hub_practitioner_client.post(f"{base}/{path}", data)
        assert response.status_code == 302, (path, response.content.decode()[:3000])
    page = hub_practitioner_client.get(base, {"on_0": "2", "on_1": "9", "on_2": "2016"})
    text = page.content.decode()
    assert "Wyke ward" in text
    assert "Child in need since 1 Jun 2016" in text
    assert "Sam" in text
    assert "Spoke with school" not in text  # written today, after the date shown
    assert "Spoke with school" in hub_practitioner_client.get(base).content.decode()
