"""A hub manager runs the team in Chromium: bulk allocation, caseloads, sign-off of a decision."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from safehub.access.models import User
from safehub.access.policy import SYSTEM
from safehub.demo import services as demo
from safehub.people import services as people
from safehub.referrals import services as referrals
from safehub.referrals.models import Referral
from tests.e2e.pages import AccessibilityAudit, DecisionFormPage, SignInPage, TriagePage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ALLOCATED = ("Asha Allocate", "Bo Allocate", "Cy Allocate")


def _referred(name: str, answers: dict[str, bool], by: User) -> Referral:
    given, family = name.split()
    child = people.register_child(
        acting_user=by,
        given_name=given,
        family_name=family,
        date_of_birth=dt.date(2011, 5, 6),
        sex="F",
    )
    referral = referrals.receive_referral(
        child=child,
        received_at=timezone.now() - dt.timedelta(hours=2),
        source="6",
        concerns="Seen with older men at the station.",
        exploitation_types=["cse"],
        acting_user=by,
    )
    referrals.record_screening(referral, answers, acting_user=by)
    return referral


def test_a_manager_allocates_three_children_and_signs_off_a_no_further_action(
    page: Page, browser: Browser, live_server: LiveServer
) -> None:
    demo.load(acting_user=SYSTEM, with_history=False)
    worker = User.objects.get(username="practitioner")
    for name in ALLOCATED:
        _referred(name, {"going_missing": True}, worker)
    high = _referred("Hana Highrisk", {"disclosure": True}, worker)

    # The manager allocates three children at once.
    SignInPage(page, live_server.url).open().sign_in("manager", demo.demo_password())
    page.goto(f"{live_server.url}/allocation")
    for name in ALLOCATED:
        page.get_by_label(f"Allocate {name}", exact=True).check()
    page.get_by_label("Worker").select_option(label=worker.get_full_name())
    page.get_by_label("Lead agency").select_option(label=worker.agency.name)
    page.get_by_label("Reason").fill("New referrals this week")
    page.get_by_role("button", name="Allocate").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"Allocated 3 children to {worker.get_full_name()}"
    )
    expect(page.locator("#open-episodes")).to_contain_text("Hana Highrisk")  # still waiting
    expect(page.locator("#open-episodes")).not_to_contain_text("Asha Allocate")

    # The caseload view counts them.
    page.goto(f"{live_server.url}/")
    row = page.locator('#caseloads tr[data-worker="practitioner"]')
    expect(row.locator('[data-label="Open"]')).to_have_text("3")
    expect(row.locator('[data-label="Low or none"]')).to_have_text("3")

    # The worker, in a browser of their own: their home page lists them, and their "no further
    # action" on a high risk waits for the manager.
    context = browser.new_context()
    try:
        worker_audit = AccessibilityAudit(worker_page := context.new_page())
        worker_audit.watch()
        _worker_asks(worker_page, live_server, high)
        problems = worker_audit.problems()
    finally:
        context.close()
    assert problems == [], "\n".join(problems)

    # The manager approves; only then does the decision leave the queue.
    page.goto(f"{live_server.url}/oversight/sign-off")

    waiting = page.locator("#sign-off-waiting tr", has_text="Hana Highrisk")
    expect(waiting).to_contain_text("The family has moved out of the area.")
    waiting.get_by_role("button", name="Approve for Hana Highrisk").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Approved")
    triage = TriagePage(page, live_server.url).open()
    expect(triage.row_for("Hana Highrisk").filter(has_text="Decision on referral")).to_have_count(0)
    page.goto(f"{live_server.url}/referrals/{high.pk}")
    expect(page.locator("#decision")).to_contain_text("No further action")


def _worker_asks(page: Page, live_server: LiveServer, high: Referral) -> None:
    SignInPage(page, live_server.url).open().sign_in("practitioner", demo.demo_password())
    mine = page.locator("#my-children")
    for name in ALLOCATED:
        expect(mine.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(mine).not_to_contain_text("Hana Highrisk")
    page.goto(f"{live_server.url}/referrals/{high.pk}/decision")
    DecisionFormPage(page).decide("No further action", "The family has moved out of the area.")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "sent to a hub manager for sign-off"
    )
    expect(page.locator("#decision")).to_contain_text("Waiting for sign-off")
    triage = TriagePage(page, live_server.url).open()
    expect(triage.row_for("Hana Highrisk").filter(has_text="Decision on referral")).to_have_count(1)
