"""The pages run under the strict Content-Security-Policy without a single violation.

A violation is caught two ways: Chromium's console message ("Refused to … because it violates
the following Content Security Policy directive") and the `securitypolicyviolation` event,
recorded by a script Playwright injects (injected scripts are not subject to the policy).
"""

from __future__ import annotations

import pytest
from django_otp.oath import totp
from playwright.sync_api import ConsoleMessage, Page, expect
from pytest_django.live_server_helper import LiveServer

from safehub.access.policy import SYSTEM
from safehub.demo import services as demo
from safehub.web.middleware import CONTENT_SECURITY_POLICY
from tests.e2e.pages import HomePage, SignInPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


@pytest.fixture
def demo_data() -> None:
    demo.load(acting_user=SYSTEM, with_history=False)


@pytest.fixture
def console(page: Page) -> list[str]:
    messages: list[str] = []

    def keep(message: ConsoleMessage) -> None:
        if message.type in {"error", "warning"}:
            messages.append(message.text)

    page.on("console", keep)
    page.on("pageerror", lambda error: messages.append(str(error)))
    page.add_init_script(RECORD_VIOLATIONS)
    return messages


def _sign_in(page: Page, base_url: str) -> None:
    """Password, then the demo account's authenticator code when two factors are asked for."""
    SignInPage(page, base_url).open().sign_in("practitioner", demo.demo_password())
    code = page.locator("input[name=otp_token]")
    if code.count():
        code.fill(f"{totp(bytes.fromhex(demo.demo_totp_key('practitioner'))):06d}")
        code.press("Enter")
    expect(HomePage(page).heading).to_have_text("Welcome, Pat")


def _violations(page: Page) -> list[str]:
    return list(page.evaluate("window.cspViolations"))


def test_sign_in_and_home_pages_run_without_csp_violations(
    page: Page, live_server: LiveServer, demo_data: None, console: list[str]
) -> None:
    response = page.goto(f"{live_server.url}/sign-in")
    assert response is not None
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    assert _violations(page) == []

    _sign_in(page, live_server.url)
    # GOV.UK Frontend's JavaScript ran from its file: the policy let it, and only it, run.
    assert "govuk-frontend-supported" in (page.locator("body").get_attribute("class") or "")
    assert _violations(page) == []
    assert console == []


def test_api_docs_page_runs_under_the_same_policy(
    page: Page, live_server: LiveServer, demo_data: None, console: list[str]
) -> None:
    _sign_in(page, live_server.url)
    response = page.goto(f"{live_server.url}/api/v1/docs")
    assert response is not None
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    # Swagger UI rendered the operations from the OpenAPI document.
    expect(page.locator(".opblock").first).to_be_visible()
    assert _violations(page) == []
    assert [m for m in console if "Content Security Policy" in m] == []
