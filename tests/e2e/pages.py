"""Page objects: one per screen, so tests read as what a user does."""

from __future__ import annotations

from playwright.sync_api import Locator, Page


class SignInPage:
    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url

    def open(self) -> SignInPage:
        self.page.goto(f"{self.base_url}/sign-in")
        return self

    def sign_in(self, username: str, password: str) -> None:
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Sign in").click()

    @property
    def error_summary(self) -> Locator:
        return self.page.locator(".govuk-error-summary")


class HomePage:
    def __init__(self, page: Page) -> None:
        self.page = page

    @property
    def heading(self) -> Locator:
        return self.page.get_by_role("heading", level=1)

    def sign_out(self) -> None:
        self.page.get_by_role("button", name="Sign out").click()
