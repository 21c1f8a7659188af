"""A referral for "Jayden Smyth, 3/7/2009" finds the "Jaden Smith, 7/3/2009" already held."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from safehub.access.models import User
from safehub.access.policy import SYSTEM
from safehub.audit.models import AuditEvent
from safehub.demo import services as demo
from safehub.matching.models import IntakeChoice
from safehub.people import services as people
from safehub.people.models import Child
from safehub.referrals.models import Referral
from tests.e2e.pages import FindChildPage, ReferralFormPage, SignInPage, fill_date

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_child_already_held_is_offered_with_the_reasons_and_the_referral_is_theirs(
    page: Page, live_server: LiveServer
) -> None:
    demo.load(acting_user=SYSTEM, with_history=False)
    jaden = people.register_child(
        acting_user=User.objects.get(username="practitioner"),
        given_name="Jaden",
        family_name="Smith",
        date_of_birth=dt.date(2009, 3, 7),
        sex="M",
    )
    children_before = Child.objects.count()
    SignInPage(page, live_server.url).open().sign_in("practitioner", demo.demo_password())
    FindChildPage(page, live_server.url).open().search("Jayden Smyth")
    page.get_by_role("link", name="The child is not here: record a new child").click()

    page.get_by_label("First name").fill("Jayden")
    page.get_by_label("Last name").fill("Smyth")
    fill_date(page, "id_date_of_birth", 3, 7, 2009)
    page.get_by_label("Male", exact=True).check()
    page.get_by_role("button", name="Save child").click()

    expect(
        page.get_by_role("heading", name="Is this a child the hub already holds?")
    ).to_be_visible()
    offered = page.get_by_label("Jaden Smith, born 7 March 2009", exact=False)
    expect(offered).to_be_checked()
    reasons = page.get_by_role("table", name="Why Jaden Smith may be the same child")
    expect(reasons).to_contain_text("day and month swapped")
    expect(reasons).to_contain_text("similar (a letter or two differs)")
    expect(reasons).to_contain_text("counted strongly for a match")
    page.get_by_role("button", name="Continue").click()

    received = timezone.localtime() - dt.timedelta(hours=1)
    ReferralFormPage(page).record(
        received=(received.day, received.month, received.year),
        time=received.strftime("%H:%M"),
        concerns="Seen with older associates after school.",
    )
    expect(page.get_by_role("heading", name="Screen the risk")).to_be_visible()
    assert Referral.objects.get().child_id == jaden.pk
    assert Child.objects.count() == children_before
    assert IntakeChoice.objects.get().chosen_id == jaden.pk


def test_as_the_details_are_typed_the_child_already_held_is_offered_and_chosen_by_keyboard(
    page: Page, live_server: LiveServer
) -> None:
    demo.load(acting_user=SYSTEM, with_history=False)
    jaden = people.register_child(
        acting_user=User.objects.get(username="practitioner"),
        given_name="Jaden",
        family_name="Smith",
        date_of_birth=dt.date(2009, 3, 7),
        sex="M",
    )
    children_before = Child.objects.count()
    SignInPage(page, live_server.url).open().sign_in("practitioner", demo.demo_password())
    FindChildPage(page, live_server.url).open().search("Jayden Smyth")
    page.get_by_role("link", name="The child is not here: record a new child").click()

    region = page.locator("#match-as-typed")
    expect(region).to_have_attribute("aria-live", "polite")
    page.get_by_label("First name").fill("Jayden")
    page.get_by_label("Last name").fill("Smyth")
    fill_date(page, "id_date_of_birth", 3, 7, 2009)

    # No button pressed: the candidates come while the practitioner is still on the form.
    expect(
        region.get_by_role("heading", name="A child the hub already holds may be this child")
    ).to_be_visible()
    expect(region).to_contain_text("Jaden Smith, born 7 March 2009")
    reasons = region.get_by_role("table", name="Why Jaden Smith may be the same child")
    expect(reasons).to_contain_text("day and month swapped")
    expect(reasons).to_contain_text("similar (a letter or two differs)")
    expect(reasons).to_contain_text("counted strongly for a match")
    offered = AuditEvent.objects.filter(action="match:offered", channel="api")
    assert offered.exists()
    assert all("Smyth" not in e.reason and "Jayden" not in e.reason for e in offered)

    page.get_by_label("Male", exact=True).check()
    choose = region.get_by_role("button", name="This is the child: Jaden Smith")
    choose.focus()
    page.keyboard.press("Enter")

    received = timezone.localtime() - dt.timedelta(hours=1)
    ReferralFormPage(page).record(
        received=(received.day, received.month, received.year),
        time=received.strftime("%H:%M"),
        concerns="Seen with older associates after school.",
    )
    expect(page.get_by_role("heading", name="Screen the risk")).to_be_visible()
    assert Referral.objects.get().child_id == jaden.pk
    assert Child.objects.count() == children_before
    choice = IntakeChoice.objects.get()
    assert (choice.chosen_id, choice.preselected_id) == (jaden.pk, jaden.pk)
    assert AuditEvent.objects.filter(action="match:chosen", child_id=jaden.pk).exists()
