"""Awareness coverage, tried as a new user would: an administrator imports the example file of
sessions, and a hub manager sees taxi, PTS and bus driver coverage by ward, on a phone too."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from safehub.access.models import User
from safehub.access.policy import SYSTEM
from safehub.awareness import services
from safehub.awareness.models import Session
from safehub.demo import services as demo
from safehub.geo.models import Ward
from tests.e2e.pages import SignInPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "awareness-sessions.csv"


def test_a_manager_sees_driver_coverage_by_ward_after_an_import(
    page: Page, live_server: LiveServer
) -> None:
    demo.load(acting_user=SYSTEM, with_history=False)
    services.ensure_standard_programmes(acting_user=SYSTEM)
    admin = User.objects.get(username="admin")
    result = services.import_sessions(EXAMPLE.read_bytes(), acting_user=admin)
    assert result.sessions == 6
    sessions = {s.reference: s for s in Session.objects.select_related("ward")}
    taxi_ward, pts_ward, bus_ward = (
        sessions[r].ward for r in ("EX-AW-0001", "EX-AW-0003", "EX-AW-0004")
    )
    assert isinstance(taxi_ward, Ward)
    services.set_targets(
        [
            services.TargetSpec("taxi", 220, ward=taxi_ward),
            services.TargetSpec("pts", 36, ward=pts_ward),
            services.TargetSpec("bus", 84, ward=bus_ward),
        ],
        acting_user=SYSTEM,
    )
    SignInPage(page, live_server.url).open().sign_in("manager", demo.demo_password())
    page.get_by_role("link", name="Awareness").click()
    expect(page.get_by_role("heading", name="Awareness and training coverage")).to_be_visible()
    page.get_by_label("Financial year").select_option("2016")
    page.get_by_role("button", name="Show year").click()
    expect(
        page.locator(f'#by-ward tr[data-ward="{taxi_ward.code}"] [data-programme="taxi"]')
    ).to_have_text("25% (55 of 220)")
    expect(
        page.locator(f'#by-ward tr[data-ward="{pts_ward.code}"] [data-programme="pts"]')
    ).to_have_text("50% (18 of 36)")
    expect(
        page.locator(f'#by-ward tr[data-ward="{bus_ward.code}"] [data-programme="bus"]')
    ).to_have_text("50% (42 of 84)")
    expect(page.locator("#map + figure svg path")).to_have_count(
        Ward.objects.filter(ward_set=taxi_ward.ward_set).count()
    )
    # The tables reflow at 320 px: no sideways scrolling.
    page.set_viewport_size({"width": 320, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
