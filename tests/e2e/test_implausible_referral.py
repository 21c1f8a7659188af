"""A practitioner's mistakes on the referral form: an error summary, and nothing saved."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from safehub.access.policy import SYSTEM
from safehub.demo import services as demo
from safehub.referrals.models import Referral
from tests.e2e.pages import FindChildPage, NewChildPage, ReferralFormPage, SignInPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_blank_date_and_a_date_before_birth_give_an_error_summary_and_save_nothing(
    page: Page, live_server: LiveServer
) -> None:
    demo.load(acting_user=SYSTEM, with_history=False)
    SignInPage(page, live_server.url).open().sign_in("practitioner", demo.demo_password())
    find = FindChildPage(page, live_server.url).open()
    find.search("Laterborn")
    page.get_by_role("link", name="The child is not here: record a new child").click()
    NewChildPage(page).record(
        given="Demi", family="Laterborn", born=(14, 2, 2012), ward="Wyke (Bradford South)"
    )
    form = ReferralFormPage(page)

    page.get_by_label("Where did it come from?").select_option("6")
    page.get_by_label("Child sexual exploitation").check()
    page.get_by_label("What are the concerns?").fill("Seen with older associates.")
    page.get_by_role("button", name="Save and screen the risk").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the date the referral was received")

    form.record(received=(4, 1, 2010), time="10:00", concerns="Seen with older associates.")
    expect(summary).to_contain_text("Date received must be on or after the child's date of birth")
    assert not Referral.objects.exists()
