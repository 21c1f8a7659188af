"""A MACE meeting recorded in Chromium with three agencies, two children and an action: the
action's owner sees it due on their home page, and both children's timelines show the meeting
and its decisions. A strategy discussion recorded from the episode page, which then lists it,
takes its item off the triage queue."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from safehub.access.models import User
from safehub.access.policy import SYSTEM
from safehub.demo import services as demo
from safehub.episodes.models import RiskChange
from safehub.people import services as people
from safehub.referrals import services as referrals
from tests.e2e.pages import SignInPage, TriagePage, fill_date

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


def test_a_strategy_discussion_recorded_from_the_episode_page(
    page: Page, live_server: LiveServer
) -> None:
    demo.load(acting_user=SYSTEM, with_history=False)
    practitioner = User.objects.get(username="practitioner")
    child = people.register_child(
        acting_user=practitioner,
        given_name="Kira",
        family_name="Strategy",
        date_of_birth=dt.date(2010, 3, 4),
        sex="F",
    )
    referral = referrals.receive_referral(
        child=child,
        received_at=timezone.now() - dt.timedelta(hours=2),
        source="6",
        concerns="Disclosed abuse to a teacher.",
        exploitation_types=["cse"],
        acting_user=practitioner,
    )
    referrals.record_screening(referral, {"disclosure": True}, acting_user=practitioner)
    referrals.record_decision(referral, outcome="strategy_discussion", acting_user=practitioner)
    # Graded an hour ago: the discussion below, half an hour ago, was held since.
    RiskChange.objects.filter(episode__child=child).update(
        recorded_at=timezone.now() - dt.timedelta(hours=1)
    )
    episode = child.episodes.get()
    SignInPage(page, live_server.url).open().sign_in("practitioner", demo.demo_password())
    triage = TriagePage(page, live_server.url).open()
    owed = triage.row_for("Kira Strategy").filter(has_text="Strategy discussion")
    expect(owed).to_have_count(1)

    page.goto(f"{live_server.url}/episodes/{episode.pk}")
    page.get_by_role("link", name="Record a strategy discussion").click()
    expect(page.get_by_role("heading", name="Record a strategy discussion")).to_be_visible()
    expect(page.get_by_label("Strategy discussion")).to_be_checked()
    expect(page.get_by_label("Children discussed")).to_have_value(str(child.pk))
    held = timezone.localtime() - dt.timedelta(minutes=30)
    fill_date(page, "id_held_at_0", held.day, held.month, held.year)
    page.locator("#id_held_at_1").fill(held.strftime("%H:%M"))
    for agency in ("Police – Child Exploitation Team", "Health – Safeguarding"):
        page.get_by_label(agency).check()
    page.get_by_label("Decisions").fill("Safety plan agreed")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Strategy discussion MTG-"
    )
    expect(page.locator("#children")).to_contain_text("Kira Strategy")
    page.locator("#episode").get_by_role("link").click()
    expect(page.locator("#strategy-discussions")).to_contain_text("Safety plan agreed")

    triage.open()
    expect(triage.row_for("Kira Strategy").filter(has_text="Strategy discussion")).to_have_count(0)
