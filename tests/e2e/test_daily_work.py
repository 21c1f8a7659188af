"""A new hub practitioner's first referral, end to end in Chromium."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from safehub.access.policy import SYSTEM
from safehub.demo import services as demo
from tests.e2e.pages import (
    DecisionFormPage,
    FindChildPage,
    NewChildPage,
    ReferralFormPage,
    ScreeningFormPage,
    SignInPage,
    TriagePage,
    fill_date,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_referral_screened_decided_and_seen_in_triage_and_history(
    page: Page, live_server: LiveServer
) -> None:
    demo.load(acting_user=SYSTEM, with_history=False)
    SignInPage(page, live_server.url).open().sign_in("practitioner", demo.demo_password())

    find = FindChildPage(page, live_server.url).open()
    find.search("Testwell")
    expect(page.get_by_role("heading", name="0 children found")).to_be_visible()
    page.get_by_role("link", name="The child is not here: record a new child").click()
    NewChildPage(page).record(
        given="Demi", family="Testwell", born=(14, 2, 2011), ward="Wyke (Bradford South)"
    )

    received = timezone.localtime() - dt.timedelta(hours=1)
    ReferralFormPage(page).record(
        received=(received.day, received.month, received.year),
        time=received.strftime("%H:%M"),
        concerns="Seen getting into cars with older men after school.",
    )
    screening = ScreeningFormPage(page)
    expect(page.get_by_role("heading", name="Screen the risk")).to_be_visible()
    screening.tick(
        "Has been seen getting into cars or taxis with unknown adults",
        "Has money, gifts, a phone or clothes they cannot or will not account for",
        "Has gone missing from home, care or school, or come home late with no explanation",
    )
    screening.save()
    expect(page.locator("#screening .govuk-tag")).to_have_text("Medium")

    # Before the decision, the triage queue shows it due within a working day.
    triage = TriagePage(page, live_server.url).open()
    row = triage.row_for("Demi Testwell").filter(has_text="Decision on referral")
    expect(row.locator(".govuk-tag")).to_have_text("On track")
    row.get_by_role("link", name="Decision on referral").click()
    DecisionFormPage(page).decide(
        "Pathway referral to a support agency", "Youth Service to offer one-to-one work."
    )
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Choose the agency the child is referred to"
    )
    page.get_by_label("Support agency (for a pathway referral)").select_option(
        label="Youth Service"
    )
    page.get_by_label("Reasons for the decision").fill("Youth Service to offer one-to-one work.")
    page.get_by_role("button", name="Save decision").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Decision recorded")
    # A pathway decision goes straight on to the referral to the agency's service, which the
    # child's risk, age and area make eligible, and to the share that goes with it.
    expect(page.get_by_role("heading", name="Refer to a support service")).to_be_visible()
    expect(page.get_by_label("Youth Service – Bradford South (Youth Service)")).to_be_checked()
    page.get_by_label("Message to the service").fill("Medium risk; one-to-one work, please.")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Referred to Youth Service – Bradford South"
    )

    triage.open()
    expect(triage.row_for("Demi Testwell").filter(has_text="Decision on referral")).to_have_count(0)
    expect(triage.row_for("Demi Testwell").filter(has_text="Episode review")).to_have_count(1)
    expect(
        triage.row_for("Demi Testwell").filter(has_text="Accept or decline pathway referral")
    ).to_have_count(1)

    triage.row_for("Demi Testwell").filter(has_text="Episode review").get_by_role(
        "link", name="Demi Testwell", exact=True
    ).click()
    expect(page.locator("#timeline")).to_contain_text("Referral received")
    expect(page.locator("#timeline")).to_contain_text("Screened: medium risk")
    expect(page.locator("#timeline")).to_contain_text("Decision: Pathway referral to Youth Service")
    expect(page.locator("#timeline")).to_contain_text("Youth Service – Bradford South: Referred")
    expect(page.locator("#summary")).to_contain_text("Medium")

    # As it stood the day before the referral's day (not the day before today: between
    # midnight and 1 am the referral, received an hour ago, was received yesterday).
    before = received.date() - dt.timedelta(days=1)
    fill_date(page, "id_on", before.day, before.month, before.year)
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("You are looking at this record as it stood on")).to_be_visible()
    expect(page.locator("#summary")).to_contain_text("Not held as at risk")
    expect(page.get_by_text("Nothing recorded yet.")).to_be_visible()
