"""Partnership in the browser: a pathway referral to the Youth Service, answered by a youth
worker and seen by the hub; and a youth worker's concern, screened by the hub."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.utils import timezone
from django_otp.oath import totp
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from safehub.access.models import User
from safehub.access.policy import SYSTEM
from safehub.demo import services as demo
from safehub.episodes import services as episodes
from safehub.partnership import services as partnership
from safehub.partnership.models import PathwayReferral, Status, SupportService
from safehub.people import services as people
from safehub.people.models import Child
from safehub.referrals.models import Referral
from safehub.rules.codes import RiskLevel
from tests.e2e.pages import (
    CodePage,
    HomePage,
    ScreeningFormPage,
    SignInPage,
    TriagePage,
    fill_date,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SERVICE = "Youth Service – Bradford South"


def _low_risk_child() -> Child:
    manager = User.objects.get(username="manager")
    child = people.register_child(
        acting_user=manager,
        given_name="Lowen",
        family_name="Pathfield",
        date_of_birth=dt.date(2012, 3, 4),
        sex="F",
    )
    people.record_address(
        child, valid_from=dt.date(2020, 1, 1), ward_code="E05001370", acting_user=manager
    )
    episodes.hold_at_risk(
        child,
        level=RiskLevel.LOW,
        on=timezone.localdate() - dt.timedelta(days=2),
        reason="Screening",
        acting_user=manager,
    )
    return child


# The last 30-second step whose code each demo account used: a code is accepted once, so a
# second sign-in within the same step (this test's, or the one before) uses the next step's.
_USED_STEP: dict[str, int] = {}


def _sign_in_as(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/")
    if page.get_by_role("button", name="Sign out").count():
        HomePage(page).sign_out()
    SignInPage(page, base).open()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(demo.demo_password())
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    step = int(time.time()) // 30
    if _USED_STEP.get(username, -1) >= step:
        step = _USED_STEP[username] + 1
    _USED_STEP[username] = step
    key = bytes.fromhex(demo.demo_totp_key(username))
    CodePage(page).enter(f"{totp(key, t0=-(step * 30 - int(time.time()))):06d}")


def test_a_youth_worker_accepts_a_referral_and_the_hub_sees_each_step(
    page: Page, browser: Browser, live_server: LiveServer
) -> None:
    demo.load(acting_user=SYSTEM, with_history=False)
    child = _low_risk_child()
    base = live_server.url

    _sign_in_as(page, base, "practitioner")
    page.goto(f"{base}/children/{child.pk}")
    page.get_by_role("link", name="Refer to a support service").click()
    page.get_by_label(f"{SERVICE} (Youth Service)").check()
    page.get_by_label("Message to the service").fill("Low risk; would value a youth worker.")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(f"Referred to {SERVICE}")
    expect(page.locator("#pathway-referrals")).to_contain_text("Waiting for the service")

    # The youth worker in a browser of their own: the practitioner stays signed in (a sign-in
    # code is accepted once, so signing in twice within 30 seconds would be refused).
    youth = browser.new_context()
    page_of_hub, page = page, youth.new_page()
    _sign_in_as(page, base, "partner")
    inbox = page.locator("#pathway-inbox")
    expect(inbox).to_contain_text("Lowen Pathfield")
    inbox.get_by_role("link", name="Accept or decline pathway referral for Lowen Pathfield").click()
    page.get_by_role("link", name="Accept", exact=True).click()
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#pathway-status")).to_have_text("Accepted")
    page.get_by_role("link", name="Record first contact").click()
    now = timezone.localtime()
    fill_date(page, "id_contacted_at_0", now.day, now.month, now.year)
    page.locator("#id_contacted_at_1").fill(now.strftime("%H:%M"))
    page.get_by_label("In person").check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("First contact recorded")
    youth.close()
    page = page_of_hub
    referral = PathwayReferral.objects.get(child=child)
    assert referral.status == Status.ACCEPTED
    assert referral.first_contact_method == "in_person"
    assert referral.worker == User.objects.get(username="partner")

    page.goto(f"{base}/children/{child.pk}")
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text(f"{SERVICE}: Accepted")
    expect(timeline).to_contain_text(f"{SERVICE}: First contact")
    expect(page.locator("#pathway-referrals")).to_contain_text("Accepted")


def test_a_youth_workers_concern_is_screened_by_the_hub(
    page: Page, live_server: LiveServer
) -> None:
    demo.load(acting_user=SYSTEM, with_history=False)
    child = _low_risk_child()
    base = live_server.url
    practitioner = User.objects.get(username="practitioner")
    partnership.refer(
        child,
        services=list(SupportService.objects.filter(name=SERVICE)),
        message="Youth work",
        lawful_basis="safeguarding",
        purpose="Youth work support",
        sections=["risk"],
        expires_on=timezone.localdate() + dt.timedelta(days=30),
        acting_user=practitioner,
    )

    _sign_in_as(page, base, "partner")
    page.goto(f"{base}/children/{child.pk}")
    page.get_by_role("link", name="Raise a concern with the hub").click()
    page.get_by_label("Child criminal exploitation").check()
    page.get_by_label("What are the concerns?").fill("Carrying a second phone; new older friends.")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Concern sent to the hub")

    _sign_in_as(page, base, "practitioner")
    row = TriagePage(page, base).open().row_for("Lowen Pathfield")
    expect(row.filter(has_text="Decision on referral")).to_have_count(1)
    referral = Referral.objects.get(child=child)
    page.goto(f"{base}/referrals/{referral.pk}")
    expect(page.locator("main")).to_contain_text("Youth Service")
    page.goto(f"{base}/referrals/{referral.pk}/screening")
    screening = ScreeningFormPage(page)
    screening.tick("Has been seen getting into cars or taxis with unknown adults")
    screening.save()
    expect(page.locator("#screening .govuk-tag")).to_be_visible()
    assert referral.screenings.count() == 1
