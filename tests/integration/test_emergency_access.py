"""Emergency (break-glass) access as a partner worker meets it: found from the navigation and
the 404 page, opened only by an exact name and date of birth, shown by a banner while it lasts,
and ended at once when a hub manager finds it was not justified."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from safehub.access.models import Role, User
from safehub.access.policy import SYSTEM
from safehub.access.sessions import AUTHENTICATED_AT
from safehub.audit.models import AuditEvent
from safehub.geo import services as geo
from safehub.people import services as people
from safehub.people.models import BreakGlass, Child

NEUTRAL = "We could not open a record with these details"
REASON = "Child reported missing tonight; need the known addresses."


@pytest.fixture
def hub(make_user: Callable[..., User]) -> User:
    geo.load_reference_data(acting_user=SYSTEM)
    return make_user(Role.HUB_MANAGER)


def _child(hub: User, given: str = "Otto", family: str = "Glasswell") -> Child:
    child = people.register_child(
        acting_user=hub,
        given_name=given,
        family_name=family,
        date_of_birth=dt.date(2011, 1, 2),
        sex="M",
    )
    people.add_case_note(child, text="A note only the hub should read.", acting_user=hub)
    return child


def _ask(
    client: Client,
    given: str = "Otto",
    family: str = "Glasswell",
    dob: tuple[str, str, str] = ("2", "1", "2011"),
    reason: str = REASON,
) -> object:
    return client.post(
        "/emergency-access",
        {
            "given_name": given,
            "family_name": family,
            "date_of_birth_0": dob[0],
            "date_of_birth_1": dob[1],
            "date_of_birth_2": dob[2],
            "reason": reason,
        },
    )


def test_a_partner_finds_emergency_access_in_the_navigation_and_on_the_404_page(
    hub: User, partner_worker_client: Client, hub_practitioner_client: Client
) -> None:
    child = _child(hub)
    assert 'href="/emergency-access"' in partner_worker_client.get("/").content.decode()
    not_found = partner_worker_client.get(f"/children/{child.pk}")
    assert not_found.status_code == 404
    assert 'href="/emergency-access"' in not_found.content.decode()
    # Only partner workers break glass: nobody else is offered it.
    assert 'href="/emergency-access"' not in hub_practitioner_client.get("/").content.decode()
    assert hub_practitioner_client.get("/emergency-access").status_code == 403


def test_the_old_address_that_took_any_child_id_is_gone(
    hub: User, partner_worker_client: Client
) -> None:
    child = _child(hub)
    response = partner_worker_client.post(f"/children/{child.pk}/break-glass", {"reason": REASON})
    assert response.status_code == 404
    assert not BreakGlass.objects.exists()


def test_an_exact_unique_name_and_date_of_birth_open_the_record_for_an_hour(
    hub: User, partner_worker_client: Client
) -> None:
    child = _child(hub)
    response = _ask(partner_worker_client, given="  otto ", family="GLASSWELL")
    assert response.status_code == 302
    assert response["Location"] == f"/children/{child.pk}"  # type: ignore[index]
    page = partner_worker_client.get(f"/children/{child.pk}").content.decode()
    assert "A note only the hub should read." in page
    grant = BreakGlass.objects.get()
    assert grant.expires_at - grant.granted_at == dt.timedelta(hours=1)
    until = timezone.localtime(grant.expires_at).strftime("%H:%M")
    home = partner_worker_client.get("/").content.decode()
    assert "You have emergency access to Otto Glasswell until " + until in home
    event = AuditEvent.objects.get(action="child:break_glass")
    assert event.object_id == str(child.pk)


@pytest.mark.parametrize(
    ("given", "family", "dob"),
    [
        ("Ott", "Glasswell", ("2", "1", "2011")),  # part of a name: no browsing
        ("Otto", "Glasswell", ("3", "1", "2011")),  # another date of birth
        ("Nobody", "Known", ("2", "1", "2011")),
        ("Twin", "Glasswell", ("2", "1", "2011")),  # two children match
    ],
)
def test_no_match_or_several_get_the_same_neutral_answer_and_are_audited(
    hub: User,
    partner_worker_client: Client,
    given: str,
    family: str,
    dob: tuple[str, str, str],
) -> None:
    _child(hub)
    _child(hub, given="Twin")
    _child(hub, given="Twin")
    response = _ask(partner_worker_client, given=given, family=family, dob=dob)
    assert response.status_code == 200  # type: ignore[attr-defined]
    page = response.content.decode()  # type: ignore[attr-defined]
    assert NEUTRAL in page
    assert "Twin" not in page.replace('value="Twin"', "")
    assert not BreakGlass.objects.exists()
    refused = AuditEvent.objects.get(action="child:break_glass:refused")
    assert refused.outcome == "failure"
    assert refused.actor_role == "partner_worker"


def test_the_form_needs_a_reason_a_name_and_a_date_of_birth(
    hub: User, partner_worker_client: Client
) -> None:
    _child(hub)
    page = _ask(partner_worker_client, given="", family="", dob=("", "", ""), reason="x")
    text = page.content.decode()  # type: ignore[attr-defined]
    assert "govuk-error-summary" in text
    assert "Enter the child&#x27;s first name" in text
    assert "Enter the child&#x27;s date of birth" in text
    assert "Explain why you need to see this record now" in text
    assert not BreakGlass.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="child:break_glass").exists()


def test_emergency_access_asks_for_the_password_and_code_again_after_five_minutes(
    hub: User, partner_worker_client: Client
) -> None:
    _child(hub)
    session = partner_worker_client.session
    session[AUTHENTICATED_AT] = int(session[AUTHENTICATED_AT]) - 6 * 60
    session.save()
    response = _ask(partner_worker_client)
    assert response.status_code == 302  # type: ignore[attr-defined]
    assert response["Location"].startswith("/sign-in/confirm?next=")  # type: ignore[index]
    assert not BreakGlass.objects.exists()


def test_the_banner_says_when_the_access_has_ended(
    hub: User, partner_worker_client: Client
) -> None:
    child = _child(hub)
    _ask(partner_worker_client)
    assert "You have emergency access" in partner_worker_client.get("/").content.decode()
    BreakGlass.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    gone = partner_worker_client.get(f"/children/{child.pk}")
    assert gone.status_code == 404
    assert "Your emergency access to Otto Glasswell ended at" in gone.content.decode()
    assert "You have emergency access" not in partner_worker_client.get("/").content.decode()


def test_not_justified_needs_a_note_and_ends_the_access_at_once(
    hub: User, partner_worker_client: Client, hub_manager_client: Client
) -> None:
    child = _child(hub)
    _ask(partner_worker_client)
    grant = BreakGlass.objects.get()
    assert partner_worker_client.get(f"/children/{child.pk}").status_code == 200

    refused = hub_manager_client.post(
        f"/access/break-glass/{grant.pk}", {"justified": "no", "note": "  "}
    )
    assert "Say why the access was not justified" in refused.content.decode()
    grant.refresh_from_db()
    assert grant.reviewed_at is None
    assert partner_worker_client.get(f"/children/{child.pk}").status_code == 200

    done = hub_manager_client.post(
        f"/access/break-glass/{grant.pk}",
        {"justified": "no", "note": "No emergency: ask the hub to share the record"},
    )
    assert done.status_code == 302
    grant.refresh_from_db()
    assert grant.justified is False
    assert grant.ended_at is not None
    assert grant.expires_at <= timezone.now()
    after = partner_worker_client.get(f"/children/{child.pk}")
    assert after.status_code == 404
    assert "Your emergency access to Otto Glasswell was ended by a hub manager" in (
        after.content.decode()
    )
    review = AuditEvent.objects.get(action="child:break_glass:reviewed")
    assert (review.outcome, review.object_id) == ("failure", str(grant.pk))
    assert AuditEvent.objects.filter(action="child:break_glass:ended").count() == 1


def test_justified_leaves_the_access_to_run_its_hour(
    hub: User, partner_worker_client: Client, hub_manager_client: Client
) -> None:
    child = _child(hub)
    _ask(partner_worker_client)
    grant = BreakGlass.objects.get()
    hub_manager_client.post(f"/access/break-glass/{grant.pk}", {"justified": "yes", "note": ""})
    grant.refresh_from_db()
    assert grant.justified is True
    assert grant.ended_at is None
    assert partner_worker_client.get(f"/children/{child.pk}").status_code == 200
