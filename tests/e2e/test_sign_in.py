from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from safehub.access.policy import SYSTEM
from safehub.audit.models import AuditEvent
from safehub.demo import services as demo
from tests.e2e.pages import HomePage, SignInPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_data() -> None:
    demo.load(acting_user=SYSTEM, with_history=False)


def test_demo_practitioner_signs_in_and_reaches_home(
    page: Page, live_server: LiveServer, demo_data: None
) -> None:
    SignInPage(page, live_server.url).open().sign_in("practitioner", demo.demo_password())
    home = HomePage(page)
    expect(home.heading).to_have_text("Welcome, Pat")
    expect(page).to_have_title("Home – Safehub")
    expect(page.get_by_text("Hub practitioner").first).to_be_visible()
    # The GOV.UK stylesheet is applied, with Arial rather than the GOV.UK-only typeface.
    font = page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily")
    assert font.startswith("arial")
    # GOV.UK Frontend's JavaScript ran.
    assert "govuk-frontend-supported" in (page.locator("body").get_attribute("class") or "")
    home.sign_out()
    expect(page).to_have_url(f"{live_server.url}/sign-in")


def test_wrong_password_shows_the_error_summary_focused(
    page: Page, live_server: LiveServer, demo_data: None
) -> None:
    sign_in = SignInPage(page, live_server.url).open()
    sign_in.sign_in("practitioner", "not-the-password")
    expect(sign_in.error_summary).to_be_visible()
    expect(sign_in.error_summary).to_contain_text("There is a problem")
    expect(sign_in.error_summary).to_be_focused()
    expect(page).to_have_title("Error: Sign in – Safehub")
    sign_in.error_summary.get_by_role("link", name="Enter a correct username and password").click()
    expect(page.get_by_label("Username")).to_be_focused()
    assert AuditEvent.objects.filter(action="auth:login:failed").count() == 1
