"""Browser tests: Playwright driving Debian's Chromium against a live server.

They skip when Chromium is missing, unless SAFEHUB_REQUIRE_BROWSER=1 (CI), when they fail.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from pytest_django.live_server_helper import LiveServer

from safehub import config
from tests.e2e.pages import AccessibilityAudit

CHROMIUM = Path(config.get("SAFEHUB_CHROMIUM"))

# Playwright's sync API runs an event loop in this thread; the test's own ORM calls are still
# synchronous, so Django's async-safety guard is lifted for the browser tests only.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "1"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if CHROMIUM.exists():
        return
    problem = f"Chromium not found at {CHROMIUM}"
    if config.get_bool("SAFEHUB_REQUIRE_BROWSER"):
        pytest.exit(f"{problem} and SAFEHUB_REQUIRE_BROWSER=1", returncode=1)
    for item in items:
        item.add_marker(pytest.mark.skip(reason=problem))


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    """A fresh browser context; every page it reaches is checked for accessibility after.

    It asks for the live server so that the server outlives the check."""
    context = browser.new_context()
    page = context.new_page()
    audit = AccessibilityAudit(page)
    audit.watch()
    yield page
    try:
        problems = audit.problems()
    finally:
        context.close()
    assert problems == [], "\n".join(problems)
