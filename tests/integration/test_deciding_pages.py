"""Pages that help people decide: search results that tell children apart, a success banner
after each save, a timeline that names the agency, and the child page's own small things."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from safehub.access.models import Agency, AgencyType, Role, User
from safehub.access.policy import SYSTEM
from safehub.episodes import services as episodes
from safehub.geo import services as geo
from safehub.geo.queries import ward_choices
from safehub.people import services as people
from safehub.people.models import Child
from safehub.referrals import services as referrals
from safehub.rules import screening
from tests.factories import SupportServiceFactory

TODAY = timezone.localdate()


@pytest.fixture
def manager(make_user: Callable[..., User]) -> User:
    geo.load_reference_data(acting_user=SYSTEM)
    return make_user(Role.HUB_MANAGER)


def _child(manager: User, given: str, born: dt.date) -> Child:
    return people.register_child(
        acting_user=manager,
        given_name=given,
        family_name="Samplewood",
        date_of_birth=born,
        sex="F",
    )


def _referral(child: Child, manager: User, days_ago: int, level: str | None) -> None:
    referral = referrals.receive_referral(
        child=child,
        received_at=timezone.now() - dt.timedelta(days=days_ago),
        source="6",
        concerns="Seen with older men",
        exploitation_types=["cse"],
        acting_user=manager,
    )
    if level is not None:
        referrals.record_screening(
            referral,
            {i.key: False for group in screening.load_tool().groups for i in group.indicators},
            override_level=level,
            override_reason="Known to police",
            acting_user=manager,
        )


def _rows(page: str) -> list[str]:
    body = page.split('<tbody class="govuk-table__body">', 1)[1].split("</tbody>", 1)[0]
    rows = body.split("</tr>")[:-1]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in rows]


def test_three_children_of_one_name_are_told_apart_in_a_bounded_number_of_queries(
    manager: User,
    hub_practitioner_client: Client,
) -> None:
    wards = ward_choices(TODAY)
    held = _child(manager, "Alex", dt.date(2011, 3, 4))
    people.record_address(
        held, valid_from=dt.date(2020, 1, 1), ward_code=wards[0][0], acting_user=manager
    )
    _referral(held, manager, 40, None)
    _referral(held, manager, 3, "high")
    closed = _child(manager, "Alex", dt.date(2009, 12, 1))
    # A past address is not today's ward.
    people.record_address(
        closed, valid_from=dt.date(2018, 1, 1), valid_to=dt.date(2019, 1, 1),
        ward_code=wards[2][0], acting_user=manager,
    )  # fmt: skip
    people.record_address(
        closed, valid_from=dt.date(2019, 1, 1), ward_code=wards[1][0], acting_user=manager
    )
    _referral(closed, manager, 100, "low")
    episode = closed.episodes.get()
    episodes.close_episode(episode, closed_on=TODAY, reason="Support ended", acting_user=manager)
    _child(manager, "Alex", dt.date(2012, 7, 8))

    with CaptureQueriesContext(connection) as three:
        page = hub_practitioner_client.get("/children/search", {"name": "alex samplewood"})
    rows = _rows(page.content.decode())
    held_age = TODAY.year - 2011 - ((TODAY.month, TODAY.day) < (3, 4))
    received = timezone.localtime(timezone.now() - dt.timedelta(days=3)).date()
    ward_name = wards[0][1].split(" (", 1)[0]
    assert rows[0] == (
        f"Alex Samplewood 4 Mar 2011 Age {held_age} {ward_name} High risk Open since "
        f"{held.episodes.get().opened_on:%-d %b %Y} {received:%-d %b %Y} Not recorded "
        "New referral for Alex Samplewood"
    )
    assert wards[1][1].split(" (", 1)[0] in rows[1]
    assert wards[2][1].split(" (", 1)[0] not in rows[1]
    assert "No open episode" in rows[1]
    assert "Not known No open episode None" in rows[2]

    # More children found do not mean more queries.
    for n in range(10):
        _child(manager, "Alex", dt.date(2010, 1, 1 + n))
    with CaptureQueriesContext(connection) as thirteen:
        page = hub_practitioner_client.get("/children/search", {"name": "alex samplewood"})
    assert len(_rows(page.content.decode())) == 13
    assert len(thirteen) == len(three)


def test_saving_shows_a_success_banner_once(manager: User, hub_practitioner_client: Client) -> None:
    child = _child(manager, "Bo", dt.date(2011, 1, 1))
    response = hub_practitioner_client.post(
        f"/children/{child.pk}/notes/new", {"text": "Spoke to school"}, follow=True
    )
    page = response.content.decode()
    assert "govuk-notification-banner--success" in page
    assert '<p class="govuk-notification-banner__heading">Case note added</p>' in page
    again = hub_practitioner_client.get(f"/children/{child.pk}").content.decode()
    assert "govuk-notification-banner--success" not in again


def test_the_timeline_names_the_agency_of_a_pathway_decision(
    manager: User, hub_practitioner_client: Client
) -> None:
    child = _child(manager, "Cal", dt.date(2011, 1, 1))
    _referral(child, manager, 1, None)
    youth = Agency.objects.create(name="Youth Service", agency_type=AgencyType.YOUTH_SERVICE)
    SupportServiceFactory(name="Youth work", agency=youth)
    referrals.record_decision(
        child.referrals.get(),
        outcome="pathway_referral",
        pathway_agency=youth,
        rationale="One-to-one work",
        acting_user=manager,
    )
    page = hub_practitioner_client.get(f"/children/{child.pk}").content.decode()
    assert "Decision: Pathway referral to Youth Service" in page


def test_the_child_page_has_one_locations_heading_and_the_name_not_a_number(
    manager: User, hub_practitioner_client: Client
) -> None:
    child = _child(manager, "Dee", dt.date(2011, 1, 1))
    page = hub_practitioner_client.get(f"/children/{child.pk}").content.decode()
    assert page.count("Locations of concern</h") == 1
    assert f"Child {child.pk}" not in page
    assert '<h1 class="govuk-heading-l">Dee Samplewood</h1>' in page


def test_an_invalid_as_of_date_shows_an_error_summary(
    manager: User, hub_practitioner_client: Client
) -> None:
    child = _child(manager, "Eve", dt.date(2011, 1, 1))
    response = hub_practitioner_client.get(
        f"/children/{child.pk}", {"on_0": "31", "on_1": "2", "on_2": "2020"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Eve Samplewood – Safehub</title>" in page
    summary = page.split('class="govuk-error-summary"', 1)[1].split("</ul>", 1)[0]
    assert '<a href="#id_on_0">The date must be a real date</a>' in summary


def test_the_home_page_shows_what_is_due_today_or_overdue_and_the_start_button(
    manager: User, hub_practitioner_client: Client, partner_worker_client: Client
) -> None:
    overdue = _child(manager, "Flo", dt.date(2011, 1, 1))
    _referral(overdue, manager, 10, None)  # the decision was due within a working day
    later = _child(manager, "Gil", dt.date(2011, 1, 1))
    referrals.record_decision(
        referrals.receive_referral(
            child=later,
            received_at=timezone.now() - dt.timedelta(days=1),
            source="6",
            concerns="c",
            exploitation_types=["cse"],
            acting_user=manager,
        ),
        outcome="no_further_action",
        acting_user=manager,
    )
    page = hub_practitioner_client.get("/").content.decode()
    assert 'class="govuk-button govuk-button--start"' in page
    assert "Record a referral" in page
    due = page.split('id="due"', 1)[1].split("</table>", 1)[0]
    assert "Flo Samplewood" in due
    assert "Overdue" in due
    assert "Decision on referral" in due
    assert "Gil Samplewood" not in due

    partner_page = partner_worker_client.get("/").content.decode()
    assert "govuk-button--start" not in partner_page
    assert "Due today or overdue" not in partner_page
