"""A MACE meeting recorded in Chromium with three agencies, two children and an action: the
action's owner sees it due on their home page, and both children's timelines show the meeting
and its decisions."""

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
from tests.e2e.pages import SignInPage, fill_date

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DECISIONS = "Joint visit by police and the Youth Service; disrupt the address"
ACTION = "Arrange the joint visit this week"


def test_a_mace_meeting_shows_on_the_owners_home_page_and_the_childrens_timelines(
    page: Page, live_server: LiveServer
) -> None:
    demo.load(acting_user=SYSTEM, with_history=False)
    practitioner = User.objects.get(username="practitioner")
    first, second = (
        people.register_child(
            acting_user=practitioner,
            given_name=given,
            family_name="Mace",
            date_of_birth=dt.date(2010, 3, 4),
            sex="F",
        )
        for given in ("Iris", "June")
    )
    SignInPage(page, live_server.url).open().sign_in("practitioner", demo.demo_password())
    page.goto(f"{live_server.url}/children/{first.pk}")
    page.get_by_role("link", name="Record a meeting about the child").click()
    page.get_by_label("MACE meeting").check()
    held = timezone.localtime() - dt.timedelta(days=1)
    fill_date(page, "id_held_at_0", held.day, held.month, held.year)
    page.locator("#id_held_at_1").fill("10:30")
    for agency in ("Police – Child Exploitation Team", "Youth Service", "Health – Safeguarding"):
        page.get_by_label(agency).check()
    children = page.get_by_label("Children discussed")
    expect(children).to_have_value(str(first.pk))
    children.fill(f"{first.pk}, {second.pk}")
    page.get_by_label("Decisions").fill(DECISIONS)
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("recorded")
    expect(page.locator("#agencies")).to_contain_text("Youth Service")
    expect(page.locator("#children")).to_contain_text("Iris Mace")
    expect(page.locator("#children")).to_contain_text("June Mace")

    page.get_by_role("link", name="Add an action").click()
    page.get_by_label("Action").fill(ACTION)
    today = timezone.localdate()
    fill_date(page, "id_due_on", today.day, today.month, today.year)
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#actions")).to_contain_text(ACTION)

    # The owner (the practitioner: the form's default) sees it due on their home page.
    page.goto(f"{live_server.url}/")
    expect(page.locator("#my-actions")).to_contain_text(ACTION)
    expect(page.locator("#my-actions")).to_contain_text("Due today")
    expect(page.locator("#due")).to_contain_text("Action from a meeting")

    for child in (first, second):
        page.goto(f"{live_server.url}/children/{child.pk}")
        entry = page.locator("#timeline li").filter(has_text="MACE meeting held")
        expect(entry).to_contain_text(DECISIONS)
