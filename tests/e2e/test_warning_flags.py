"""A warning flag raised by a practitioner and approved by a hub manager, in Chromium: it shows
on the child's page and in search results only once approved."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from safehub.access.models import User
from safehub.access.policy import SYSTEM
from safehub.demo import services as demo
from safehub.people import services as people
from tests.e2e.pages import FindChildPage, HomePage, SignInPage, fill_date

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WARNING = "Do not disclose her address to callers"


def test_a_flag_raised_and_approved_shows_on_the_child_page_and_in_search(
    page: Page, live_server: LiveServer
) -> None:
    demo.load(acting_user=SYSTEM, with_history=False)
    child = people.register_child(
        acting_user=User.objects.get(username="practitioner"),
        given_name="Fern",
        family_name="Flagworthy",
        date_of_birth=dt.date(2011, 6, 7),
        sex="F",
    )
    SignInPage(page, live_server.url).open().sign_in("practitioner", demo.demo_password())
    page.goto(f"{live_server.url}/children/{child.pk}")
    page.get_by_role("link", name="Raise a warning flag").click()
    page.get_by_label("Risk of criminal exploitation").check()
    page.get_by_label("What must anyone opening this record know or do?").fill(WARNING)
    review = timezone.localdate() + dt.timedelta(days=90)
    fill_date(page, "id_review_on", review.day, review.month, review.year)
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Warning flag raised"
    )
    expect(page.locator("#flag-status")).to_have_text("Waiting for a manager's sign-off")

    # Not yet approved: search results do not carry it.
    FindChildPage(page, live_server.url).open().search("Flagworthy")
    expect(page.locator("#results")).not_to_contain_text(WARNING)
    HomePage(page).sign_out()

    SignInPage(page, live_server.url).open().sign_in("manager", demo.demo_password())
    page.goto(f"{live_server.url}/children/{child.pk}")
    expect(page.locator("#warning-flags")).to_contain_text("Waiting for sign-off")
    page.locator("#warning-flags").get_by_role("link", name="Risk of criminal exploitation").click()
    page.get_by_role("link", name="Sign off").click()
    page.get_by_label("Yes, approve it").check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#flag-status")).to_have_text("Active")

    page.goto(f"{live_server.url}/children/{child.pk}")
    banner = page.locator("#warning-flags")
    expect(banner).to_contain_text(f"Risk of criminal exploitation: {WARNING}")
    expect(banner).not_to_contain_text("Waiting for sign-off")
    FindChildPage(page, live_server.url).open().search("Flagworthy")
    expect(page.locator("#results")).to_contain_text(WARNING)

    # The approved flag is an event of the child's chronology, significant by default.
    page.goto(f"{live_server.url}/children/{child.pk}")
    page.get_by_role("link", name="Chronology").click()
    row = page.locator("#chronology tbody tr").filter(has_text=WARNING)
    expect(row.get_by_role("checkbox")).to_be_checked()
    expect(page.locator("#warning-flags")).to_contain_text(WARNING)
