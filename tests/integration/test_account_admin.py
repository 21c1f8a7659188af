"""Administrators administer, they do not read: no change of their own role or agency, a second
administrator's approval before an account gains case access, and every change audited with
what it was before and after."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from safehub.access import accounts
from safehub.access.models import AccountChange, Agency, AgencyType, Role, User
from safehub.audit.models import AuditEvent
from tests.integration.conftest import sign_in_verified


def _me(client: Client) -> User:
    user = client.get("/").wsgi_request.user
    assert isinstance(user, User)
    return user


def _change_form(user: User, **changes: object) -> dict[str, object]:
    values: dict[str, object] = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "agency": user.agency_id,
        "role": user.role,
        "is_active": "on" if user.is_active else "",
    }
    values.update(changes)
    return {k: v for k, v in values.items() if v != ""}


def _post_change(client: Client, user: User, **changes: object) -> int:
    response = client.post(f"/admin/access/user/{user.pk}/change/", _change_form(user, **changes))
    return response.status_code


@pytest.fixture
def second_admin_client(make_user: Callable[..., User]) -> Client:
    return sign_in_verified(Client(), make_user(Role.ADMINISTRATOR))


def test_an_administrator_cannot_change_their_own_role_or_agency(
    administrator_client: Client,
) -> None:
    me = _me(administrator_client)
    other = Agency.objects.create(name="Hub agency", agency_type=AgencyType.CHILDRENS_SERVICES)
    _post_change(administrator_client, me, role=Role.HUB_MANAGER, agency=other.pk)
    me.refresh_from_db()
    assert (me.role, me.agency_id) == (Role.ADMINISTRATOR, _me(administrator_client).agency_id)
    assert not AccountChange.objects.exists()
    assert administrator_client.get("/children/search").status_code == 403
    # The service refuses it too, whatever form it comes from.
    me.agency_id = other.pk
    with pytest.raises(ValidationError, match="your own role or agency"):
        accounts.save_account(me, changed_fields=["role"], created=False, acting_user=me)


def test_giving_case_access_waits_for_a_second_administrator_and_alerts_managers(
    administrator_client: Client,
    second_admin_client: Client,
    make_user: Callable[..., User],
    caplog: pytest.LogCaptureFixture,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    analyst = make_user(Role.ANALYST, username="quiet-analyst")
    with (
        caplog.at_level(logging.WARNING, logger="safehub.alerts"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert _post_change(administrator_client, analyst, role=Role.HUB_MANAGER) == 302
    analyst.refresh_from_db()
    assert analyst.role == Role.ANALYST  # the old role until a second administrator approves
    change = AccountChange.objects.get()
    assert (change.status, change.role) == ("pending", Role.HUB_MANAGER)
    alerts = [r for r in caplog.records if r.name == "safehub.alerts"]
    assert len(alerts) == 1
    assert "quiet-analyst" not in alerts[0].getMessage()
    requested = AuditEvent.objects.get(action="user:change:requested")
    assert requested.object_id == str(analyst.pk)
    assert "role: analyst -> hub_manager" in requested.reason

    # The administrator who asked cannot approve it themself.
    administrator_client.post(
        "/admin/access/accountchange/",
        {"action": "approve", "_selected_action": [change.pk]},
    )
    analyst.refresh_from_db()
    assert analyst.role == Role.ANALYST
    assert AccountChange.objects.get().status == "pending"

    response = second_admin_client.post(
        "/admin/access/accountchange/",
        {"action": "approve", "_selected_action": [change.pk]},
    )
    assert response.status_code == 302
    analyst.refresh_from_db()
    assert analyst.role == Role.HUB_MANAGER
    change.refresh_from_db()
    assert change.status == "approved"
    assert change.decided_by == _me(second_admin_client)
    approved = AuditEvent.objects.get(action="user:change:approved")
    assert "role: analyst -> hub_manager" in approved.reason


def test_a_refused_change_leaves_the_account_as_it_was(
    administrator_client: Client, second_admin_client: Client, make_user: Callable[..., User]
) -> None:
    practitioner = make_user(Role.HUB_PRACTITIONER)
    police = Agency.objects.create(name="Police hub", agency_type=AgencyType.POLICE)
    # Moving a case worker to another agency changes which records they see: it waits too.
    _post_change(administrator_client, practitioner, agency=police.pk)
    practitioner.refresh_from_db()
    assert practitioner.agency.name != "Police hub"
    change = AccountChange.objects.get()
    second_admin_client.post(
        "/admin/access/accountchange/", {"action": "refuse", "_selected_action": [change.pk]}
    )
    change.refresh_from_db()
    assert change.status == "refused"
    practitioner.refresh_from_db()
    assert practitioner.agency.name != "Police hub"
    assert AuditEvent.objects.filter(action="user:change:refused").count() == 1


def test_taking_access_away_applies_at_once_and_is_audited_before_and_after(
    administrator_client: Client, make_user: Callable[..., User]
) -> None:
    practitioner = make_user(Role.HUB_PRACTITIONER)
    assert _post_change(administrator_client, practitioner, role=Role.ANALYST) == 302
    practitioner.refresh_from_db()
    assert practitioner.role == Role.ANALYST
    assert not AccountChange.objects.exists()
    event = AuditEvent.objects.get(action="user:changed")
    assert "role: hub_practitioner -> analyst" in event.reason

    _post_change(administrator_client, practitioner, is_active="")
    practitioner.refresh_from_db()
    assert not practitioner.is_active
    assert AuditEvent.objects.filter(
        action="user:changed", reason__contains="active: yes -> no"
    ).exists()


def test_switching_a_case_account_back_on_waits_for_approval(
    administrator_client: Client, make_user: Callable[..., User]
) -> None:
    partner = make_user(Role.PARTNER_WORKER, is_active=False)
    _post_change(administrator_client, partner, is_active="on")
    partner.refresh_from_db()
    assert not partner.is_active
    assert AccountChange.objects.get().is_active is True


def test_a_new_case_account_starts_switched_off_until_approved(
    administrator_client: Client, second_admin_client: Client
) -> None:
    me = _me(administrator_client)
    response = administrator_client.post(
        "/admin/access/user/add/",
        {
            "username": "newworker",
            "agency": me.agency_id,
            "role": Role.PARTNER_WORKER,
            "password1": "a-long-enough-passphrase-2026",
            "password2": "a-long-enough-passphrase-2026",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302
    created = User.objects.get(username="newworker")
    assert (created.role, created.is_active) == (Role.PARTNER_WORKER, False)
    change = AccountChange.objects.get()
    second_admin_client.post(
        "/admin/access/accountchange/", {"action": "approve", "_selected_action": [change.pk]}
    )
    created.refresh_from_db()
    assert created.is_active


def test_setting_a_password_in_admin_is_audited(
    administrator_client: Client, make_user: Callable[..., User]
) -> None:
    someone = make_user(Role.ANALYST)
    response = administrator_client.post(
        f"/admin/access/user/{someone.pk}/password/",
        {
            "password1": "another-long-passphrase-2026",
            "password2": "another-long-passphrase-2026",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302
    someone.refresh_from_db()
    assert someone.check_password("another-long-passphrase-2026")
    event = AuditEvent.objects.get(action="user:password:set")
    assert (event.object_id, event.actor_id) == (
        str(someone.pk),
        _me(administrator_client).pk,
    )
    assert event.reason == "password: changed"


def test_a_two_factor_reset_is_audited_with_before_and_after(
    administrator_client: Client, make_user: Callable[..., User]
) -> None:
    someone = sign_in_verified(Client(), make_user(Role.ANALYST)).get("/").wsgi_request.user
    administrator_client.post(
        "/admin/access/user/", {"action": "reset_two_factor", "_selected_action": [someone.pk]}
    )
    event = AuditEvent.objects.get(action="auth:otp:reset")
    assert event.reason == "authenticator apps: 1 -> 0"
