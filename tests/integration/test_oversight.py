"""The hub managers' oversight pages: screening-tool overrides to review, the break-glass review
naming the child and what was viewed, and a child's access log in words."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from safehub.access.models import Role, User
from safehub.access.policy import SYSTEM
from safehub.audit.models import AuditEvent
from safehub.geo import services as geo
from safehub.people import services as people
from safehub.people import sharing
from safehub.people.models import Child
from safehub.referrals import services as referrals
from safehub.referrals.models import Screening


@pytest.fixture
def manager(make_user: Callable[..., User]) -> User:
    geo.load_reference_data(acting_user=SYSTEM)
    return make_user(Role.HUB_MANAGER)


def _child(by: User, given: str = "Olive") -> Child:
    return people.register_child(
        acting_user=by,
        given_name=given,
        family_name="Overseen",
        date_of_birth=dt.date(2011, 5, 6),
        sex="F",
    )


def _me(client: Client) -> User:
    user = client.get("/").wsgi_request.user
    assert isinstance(user, User)
    return user


def _overridden(child: Child, by: User) -> Screening:
    referral = referrals.receive_referral(
        child=child,
        received_at=timezone.now() - dt.timedelta(hours=2),
        source="6",
        concerns="Concerns",
        exploitation_types=["cse"],
        acting_user=by,
    )
    return referrals.record_screening(
        referral,
        {"disclosure": False},
        override_level="high",
        override_reason="Seen with older men at the station twice this week",
        acting_user=by,
    )


def test_managers_see_overrides_to_review_and_mark_them_reviewed(
    manager: User, hub_practitioner_client: Client, hub_manager_client: Client, no_sign_off: None
) -> None:
    practitioner = _me(hub_practitioner_client)
    child = _child(manager)
    screening = _overridden(child, practitioner)
    assert screening.computed_level != screening.final_level
    plain = referrals.record_screening(
        screening.referral, {"disclosure": False}, acting_user=practitioner
    )

    page = hub_manager_client.get("/oversight/overrides").content.decode()
    assert f'<a class="govuk-link" href="/children/{child.pk}">Olive Overseen</a>' in page
    assert "Seen with older men at the station twice this week" in page
    assert "High" in page
    assert screening.get_computed_level_display() in page
    assert practitioner.get_full_name() in page
    assert f"/oversight/overrides/{plain.pk}/review" not in page  # not an override
    assert hub_practitioner_client.get("/oversight/overrides").status_code == 403
    assert 'href="/oversight/overrides"' in hub_manager_client.get("/").content.decode()

    done = hub_manager_client.post(
        f"/oversight/overrides/{screening.pk}/review", {"note": "Agreed: escalate"}
    )
    assert done.status_code == 302
    event = AuditEvent.objects.get(action="screening:override:reviewed")
    assert (event.object_id, event.actor_id) == (str(screening.pk), _me(hub_manager_client).pk)
    page = hub_manager_client.get("/oversight/overrides").content.decode()
    assert "Nothing is waiting" in page
    assert "Agreed: escalate" in page
    # Twice is refused plainly, and a screening that was not overridden is not found.
    again = hub_manager_client.post(f"/oversight/overrides/{screening.pk}/review", {})
    assert again.status_code == 302
    assert AuditEvent.objects.filter(action="screening:override:reviewed").count() == 1
    assert hub_manager_client.post(f"/oversight/overrides/{plain.pk}/review").status_code == 404
    refused = hub_practitioner_client.post(f"/oversight/overrides/{screening.pk}/review")
    assert refused.status_code == 403


def test_the_break_glass_review_names_the_child_and_lists_what_was_viewed(
    manager: User, partner_worker_client: Client, hub_manager_client: Client
) -> None:
    child = _child(manager)
    partner = _me(partner_worker_client)
    grant = sharing.break_glass(
        given_name="Olive",
        family_name="Overseen",
        date_of_birth=dt.date(2011, 5, 6),
        reason="Missing tonight, need addresses",
        acting_user=partner,
    )
    assert grant is not None
    partner_worker_client.get(f"/children/{child.pk}")
    partner_worker_client.get(f"/children/{child.pk}")

    queue = hub_manager_client.get("/access/break-glass").content.decode()
    assert f'href="/children/{child.pk}">Olive Overseen</a>' in queue
    assert f"Child {child.pk}" not in queue
    review = hub_manager_client.get(f"/access/break-glass/{grant.pk}").content.decode()
    assert f'href="/children/{child.pk}">Olive Overseen</a>' in review
    assert "What was viewed during the access" in review
    assert "Viewed the record" in review
    assert "2 times" in review


def test_the_access_log_is_in_words_with_repeated_views_counted(
    manager: User, hub_practitioner_client: Client, hub_manager_client: Client
) -> None:
    child = _child(manager)
    for _ in range(3):
        hub_practitioner_client.get(f"/children/{child.pk}")
    log = hub_manager_client.get(f"/children/{child.pk}/access-log").content.decode()
    table = log.split('id="access-log"', 1)[1]
    assert "Hub practitioner" in table
    assert "Viewed the record" in table
    assert "3 times" in table
    assert "hub_practitioner" not in table
    assert "child:viewed" not in table
    assert "Registered the child" in table
