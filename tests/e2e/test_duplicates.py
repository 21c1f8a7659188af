"""A hub manager reviews a likely duplicate pair, merges the two records, then undoes it."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from safehub.access.models import User
from safehub.access.policy import SYSTEM
from safehub.demo import services as demo
from safehub.duplicates import services as duplicates
from safehub.people import services as people
from safehub.people.models import Child
from safehub.referrals import services as referrals
from tests.e2e.pages import SignInPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@dataclass(frozen=True)
class Field:
    field: str
    outcome: str
    weight: float


@dataclass(frozen=True)
class Prediction:
    child_a: int
    child_b: int
    probability: float
    evidence: tuple[Field, ...]


def _child(by: User, given: str, family: str, born: dt.date) -> Child:
    child = people.register_child(
        acting_user=by, given_name=given, family_name=family, date_of_birth=born, sex="M"
    )
    referrals.receive_referral(
        child=child,
        received_at=timezone.now() - dt.timedelta(days=2),
        source="6",
        concerns="Concerns",
        exploitation_types=["cce"],
        acting_user=by,
    )
    return child


def test_a_manager_merges_a_duplicate_pair_and_undoes_it(
    page: Page, live_server: LiveServer
) -> None:
    demo.load(acting_user=SYSTEM, with_history=False)
    manager = User.objects.get(username="manager")
    jaden = _child(manager, "Jaden", "Smith", dt.date(2009, 3, 7))
    jayden = _child(manager, "Jayden", "Smyth", dt.date(2009, 7, 3))
    evidence = (
        Field("first name", "similar (one letter differs)", 2.6),
        Field("last name", "similar (one letter differs)", 3.1),
        Field("date of birth", "day and month swapped", 4.7),
        Field("postcode", "disagree", -1.4),
    )
    offered = duplicates.offer_pairs(
        [Prediction(jaden.pk, jayden.pk, 0.964, evidence)], acting_user=SYSTEM
    )
    assert offered == 1

    SignInPage(page, live_server.url).open().sign_in("manager", demo.demo_password())
    page.get_by_role("link", name="Duplicates").click()
    expect(page.get_by_role("heading", name="Possible duplicate records")).to_be_visible()
    card = page.locator(".app-duplicate-pair")
    expect(card).to_contain_text("Jaden Smith")
    expect(card).to_contain_text("Jayden Smyth")
    expect(card).to_contain_text("Match probability 96.4%")
    expect(card).to_contain_text(
        "Date of birth: day and month swapped — counted strongly for the same child"
    )
    expect(card).to_contain_text("Postcode: disagree — counted against")

    card.get_by_role("link", name=re.compile("^Review")).click()
    expect(page.get_by_role("heading", name="Are these the same child?")).to_be_visible()
    page.get_by_label(f"Jaden Smith (record {jaden.pk})").check()
    page.get_by_role("button", name="Merge the records").click()
    expect(page).to_have_url(f"{live_server.url}/children/{jaden.pk}")
    expect(page.get_by_text("Records merged")).to_be_visible()
    assert jaden.referrals.count() == 2
    page.goto(f"{live_server.url}/children/{jayden.pk}")
    expect(page).to_have_url(f"{live_server.url}/children/{jaden.pk}")
    expect(page.get_by_text("That record was merged into this one")).to_be_visible()

    page.goto(f"{live_server.url}/oversight/duplicates")
    expect(page.locator("#duplicates-decided")).to_contain_text("Merged: the same child")
    page.locator("#duplicates-decided").get_by_role("link").first.click()
    page.get_by_role("button", name="Undo the merge").click()
    expect(page.get_by_text("Merge undone")).to_be_visible()
    assert jaden.referrals.count() == 1
    assert jayden.referrals.count() == 1
    page.goto(f"{live_server.url}/children/{jayden.pk}")
    expect(page.get_by_role("heading", name="Jayden Smyth")).to_be_visible()
