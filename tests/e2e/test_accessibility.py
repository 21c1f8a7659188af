"""Every screen, as each role reaches it, through axe-core's WCAG 2.2 AA rules and at 320 px.

The checks themselves run after each test, over every page its browser was shown (the `page`
fixture in conftest). These tests only make sure every screen is shown: the daily pages with
a case in them, each form with its error summary, and the pages of the other roles.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from safehub.access.models import Agency, User
from safehub.access.policy import SYSTEM
from safehub.demo import services as demo
from safehub.episodes import services as episodes
from safehub.geo.queries import ward_choices
from safehub.intelligence import services as intelligence
from safehub.people import services as people
from safehub.people import sharing
from safehub.referrals import services as referrals
from safehub.rules import screening
from tests.e2e.pages import SignInPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

YESTERDAY = timezone.localdate() - dt.timedelta(days=1)


def _case() -> dict[str, int]:
    """One child with something in every part of the record, as the demo users see it."""
    demo.load(acting_user=SYSTEM, with_history=False)
    manager = User.objects.get(username="manager")
    child = people.register_child(
        acting_user=manager,
        given_name="Ashleigh-Marie",
        family_name="Pemberton-Featherstonehaugh",
        date_of_birth=dt.date(2011, 2, 14),
        sex="F",
        nhs_number="9434765919",
    )
    address = people.record_address(
        child,
        valid_from=dt.date(2022, 1, 1),
        postcode="BD1 1AA",
        ward_code=ward_choices(YESTERDAY)[0][0],
        acting_user=manager,
    )
    referral = referrals.receive_referral(
        child=child,
        received_at=timezone.now() - dt.timedelta(days=3),
        source="6",
        concerns="Seen getting into cars with older men after school.",
        exploitation_types=["cse", "cce"],
        referrer_contact="a.very.long.email.address.for.a.referrer@school.example.org",
        acting_user=manager,
    )
    tool = screening.load_tool()
    referrals.record_screening(
        referral,
        {i.key: True for group in tool.groups for i in group.indicators[:1]},
        override_level="high",
        override_reason="Known to police",
        acting_user=manager,
    )
    referrals.record_decision(
        referral,
        outcome="pathway_referral",
        pathway_agency=Agency.objects.get(name="Youth Service"),
        rationale="Youth Service to offer one-to-one work.",
        acting_user=manager,
    )
    missing = episodes.record_missing_episode(
        child,
        started_at=timezone.now() - dt.timedelta(days=2),
        ended_at=timezone.now() - dt.timedelta(days=1),
        acting_user=manager,
    )
    people.add_case_note(child, text="Spoke to school.", acting_user=manager)
    location = intelligence.record_location(
        name="Takeaway on a high street",
        kind="business",
        first_noted=YESTERDAY,
        postcode="BD1 1AA",
        acting_user=manager,
    )
    intelligence.link_child_to_location(location, child, noted_on=YESTERDAY, acting_user=manager)
    person = intelligence.record_person(name="Known as 'Smithy'", acting_user=manager)
    intelligence.link_child_to_person(person, child, noted_on=YESTERDAY, acting_user=manager)
    intelligence.record_disruption(
        kind="abduction_warning",
        occurred_on=YESTERDAY,
        police_reference="REF-2026-000123456789",
        location=location,
        person=person,
        child=child,
        acting_user=manager,
    )
    sharing.share_child(
        child,
        agency=Agency.objects.get(name="Youth Service"),
        lawful_basis="safeguarding",
        purpose="Youth work",
        sections=["risk", "address"],
        expires_on=timezone.localdate() + dt.timedelta(days=30),
        reasons="Agreed at the daily meeting",
        acting_user=manager,
    )
    return {
        "child": child.pk,
        "referral": referral.pk,
        "episode": child.episodes.get().pk,
        "change": child.episodes.get().risk_changes.first().pk,
        "address": address.pk,
        "missing": missing.pk,
        "location": location.pk,
        "person": person.pk,
    }


def _visit(page: Page, base: str, paths: list[str], ids: dict[str, int]) -> None:
    for path in paths:
        response = page.goto(base + path.format(**ids))
        assert response is not None
        assert response.status < 500, path


def _submit_empty(page: Page, base: str, paths: list[str], ids: dict[str, int]) -> None:
    """Each form sent with nothing in it: the page with its error summary is checked too."""
    for path in paths:
        page.goto(base + path.format(**ids))
        page.locator("main form[method=post] button[type=submit]").last.click()
        expect(page.locator(".govuk-error-summary")).to_be_visible()


HUB_PAGES = [
    "/",
    "/triage",
    "/my-children",
    "/children/search?name=pemberton",
    "/children/{child}",
    "/children/{child}?on_0=31&on_1=2&on_2=2020",
    "/children/{child}/access-log",
    "/referrals/{referral}",
    "/referrals/{referral}/screening",
    "/episodes/{episode}",
    "/intelligence",
    "/intelligence/locations/{location}",
    "/intelligence?child={child}",
    "/meetings",
    "/intelligence/locations/{location}/link?child=",
    "/no-such-page",
]
HUB_FORMS = [
    "/children/new",
    "/children/{child}/address/new",
    "/children/{child}/care/new",
    "/children/{child}/aliases/new",
    "/children/{child}/notes/new",
    "/children/{child}/missing/new",
    "/referrals/new?child={child}",
    "/episodes/{episode}/risk",
    "/episodes/{episode}/review",
    "/meetings/new?child={child}&kind=strategy_discussion&episode={episode}",
    "/episodes/{episode}/close",
    "/intelligence/locations/new",
    "/intelligence/disruptions/new",
    "/meetings/new?child={child}",
    "/referrals/{referral}/withdraw",
    "/addresses/{address}",
    "/addresses/{address}/withdraw",
    "/episodes/{episode}/risk/{change}/withdraw",
    "/missing/{missing}/withdraw",
]


def test_a_practitioners_pages(page: Page, live_server: LiveServer) -> None:
    ids = _case()
    SignInPage(page, live_server.url).open().sign_in("practitioner", demo.demo_password())
    _visit(page, live_server.url, HUB_PAGES, ids)
    _submit_empty(page, live_server.url, HUB_FORMS, ids)


def test_a_managers_pages(page: Page, live_server: LiveServer) -> None:
    ids = _case()
    SignInPage(page, live_server.url).open().sign_in("manager", demo.demo_password())
    _visit(
        page,
        live_server.url,
        [
            "/access/break-glass",
            "/oversight/overrides",
            "/intelligence/persons/{person}",
            "/reports/committee",
            "/children/{child}",
            "/missing/{missing}",
        ],
        ids,
    )
    _submit_empty(
        page, live_server.url, ["/children/{child}/share", "/intelligence/persons/new"], ids
    )


def test_a_partners_pages(page: Page, live_server: LiveServer) -> None:
    ids = _case()
    from safehub.access.models import User  # noqa: PLC0415
    from safehub.notifications.services import notify  # noqa: PLC0415

    for n in (1, 2):
        notify(
            recipients=[User.objects.get(username="partner")],
            kind="pathway:received",
            key=f"a11y:{n}",
            title="A pathway referral has been sent to your service",
            link="/shared",
            reference=f"PR-00000{n}",
        )
    SignInPage(page, live_server.url).open().sign_in("partner", demo.demo_password())
    _visit(page, live_server.url, ["/", "/shared", "/children/{child}", "/notifications/"], ids)
    _submit_empty(page, live_server.url, ["/emergency-access"], ids)
