"""A partner worker sees only what was shared with their agency, for as long as it was shared."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from safehub.access.models import User
from safehub.access.policy import SYSTEM
from safehub.audit.models import AuditEvent
from safehub.demo import services as demo
from safehub.people import services as people
from safehub.people import sharing
from safehub.people.models import BreakGlass, Share
from tests.e2e.pages import SignInPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_partner_sees_shared_children_only_and_loses_them_at_expiry(
    page: Page, live_server: LiveServer
) -> None:
    demo.load(acting_user=SYSTEM, with_history=False)
    manager = User.objects.get(username="manager")
    partner = User.objects.get(username="partner")
    shared, hidden = (
        people.register_child(
            acting_user=manager,
            given_name=name,
            family_name="Partnerton",
            date_of_birth=dt.date(2010, 4, 4),
            sex="F",
        )
        for name in ("Shary", "Hidda")
    )
    share = sharing.share_child(
        shared,
        agency=partner.agency,
        lawful_basis="safeguarding",
        purpose="Youth work",
        sections=["risk"],
        expires_on=timezone.localdate() + dt.timedelta(days=7),
        reasons="Agreed at the daily meeting",
        acting_user=manager,
    )

    SignInPage(page, live_server.url).open().sign_in("partner", demo.demo_password())
    page.get_by_role("link", name="Shared with us").click()
    expect(page.locator("#shared-children")).to_contain_text("Shary Partnerton")
    expect(page.locator("#shared-children")).not_to_contain_text("Hidda")

    page.goto(f"{live_server.url}/children/{hidden.pk}")
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    assert AuditEvent.objects.filter(
        action="access:denied", object_id=str(hidden.pk), actor=partner
    ).exists()

    Share.objects.filter(pk=share.pk).update(expires_on=timezone.localdate() - dt.timedelta(days=1))
    page.goto(f"{live_server.url}/shared")
    expect(
        page.get_by_text("No children are shared with your agency at the moment.")
    ).to_be_visible()
    page.goto(f"{live_server.url}/children/{shared.pk}")
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()


def test_a_child_shared_for_risk_only_shows_no_date_of_birth_ethnicity_or_address(
    page: Page, live_server: LiveServer
) -> None:
    demo.load(acting_user=SYSTEM, with_history=False)
    manager = User.objects.get(username="manager")
    partner = User.objects.get(username="partner")
    child = people.register_child(
        acting_user=manager,
        given_name="Risko",
        family_name="Onlyton",
        date_of_birth=dt.date(2010, 4, 4),
        sex="F",
        ethnicity="WIRI",
        ethnicity_source="self_identified",
    )
    people.record_address(
        child,
        valid_from=dt.date(2020, 1, 1),
        postcode="BD5 7QT",
        ward_code="E05001370",
        acting_user=manager,
    )
    sharing.share_child(
        child,
        agency=partner.agency,
        lawful_basis="safeguarding",
        purpose="Youth work",
        sections=["risk"],
        expires_on=timezone.localdate() + dt.timedelta(days=7),
        reasons="Agreed at the daily meeting",
        acting_user=manager,
    )

    SignInPage(page, live_server.url).open().sign_in("partner", demo.demo_password())
    page.get_by_role("link", name="Shared with us").click()
    expect(page.locator("#shared-children")).to_contain_text("Risk level and episodes")
    page.get_by_role("link", name="Risko Onlyton").click()

    expect(page.locator("#shared-sections")).to_contain_text("Risk level and episodes")
    expect(page.locator("#shared-sections")).not_to_contain_text("risk,")
    summary = page.locator("#summary")
    expect(summary).to_contain_text("Sex")
    expect(page.locator("#age")).to_contain_text(str(child_age(child.date_of_birth)))
    for hidden in ("4 April 2010", "Irish", "BD5 7QT", "Wyke"):
        expect(page.locator("main")).not_to_contain_text(hidden)
    expect(page.locator("#date-of-birth")).to_have_text("Not shared with your agency")
    expect(page.locator("#ethnicity")).to_have_text("Not shared with your agency")
    expect(page.locator("#address")).to_have_text("Not shared with your agency")


def child_age(born: dt.date | None) -> int:
    assert born is not None
    today = timezone.localdate()
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def test_partner_opens_a_record_by_emergency_access_from_the_404_page(
    page: Page, live_server: LiveServer
) -> None:
    demo.load(acting_user=SYSTEM, with_history=False)
    manager = User.objects.get(username="manager")
    child = people.register_child(
        acting_user=manager,
        given_name="Glassy",
        family_name="Partnerton",
        date_of_birth=dt.date(2010, 4, 4),
        sex="F",
    )
    SignInPage(page, live_server.url).open().sign_in("partner", demo.demo_password())
    page.goto(f"{live_server.url}/children/{child.pk}")
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    page.get_by_role("link", name="ask for emergency access").click()

    page.get_by_label("Child's first name").fill("Glassy")
    page.get_by_label("Child's last name").fill("Partnerton")
    page.get_by_label("Day").fill("5")  # not the child's birthday: no match, nothing said
    page.get_by_label("Month").fill("4")
    page.get_by_label("Year").fill("2010")
    page.get_by_label("Why do you need to see this record now?").fill(
        "Reported missing tonight; the police need known addresses."
    )
    page.get_by_role("button", name="Open the record").click()
    expect(page.locator("#not-opened")).to_contain_text("We could not open a record")

    page.get_by_label("Day").fill("4")
    page.get_by_role("button", name="Open the record").click()
    expect(page.get_by_role("heading", name="Glassy Partnerton")).to_be_visible()
    banner = page.locator("#emergency-access-banner")
    expect(banner).to_contain_text("You have emergency access to Glassy Partnerton until")

    grant = BreakGlass.objects.get()
    sharing.review_break_glass(
        grant, justified=False, note="Not an emergency: ask the hub", acting_user=manager
    )
    page.reload()
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    expect(banner).to_contain_text("was ended by a hub manager")
