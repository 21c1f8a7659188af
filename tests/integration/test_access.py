from __future__ import annotations

import pytest
from django.test import Client

from safehub.access.models import Role, User
from safehub.audit.models import AuditEvent


@pytest.mark.parametrize("role_client", list(Role), indirect=True)
def test_every_role_reaches_its_home_page(role_client: Client) -> None:
    response = role_client.get("/")
    assert response.status_code == 200
    user = response.wsgi_request.user
    assert isinstance(user, User)
    assert user.get_role_display() in response.content.decode()


@pytest.mark.parametrize("role", [r for r in Role if r != Role.ADMINISTRATOR])
def test_only_administrators_reach_admin_and_refusals_are_audited(
    role: Role, request: pytest.FixtureRequest
) -> None:
    client = request.getfixturevalue(f"{role.value}_client")
    response = client.get("/admin/")
    assert response.status_code == 403
    assert "You cannot see this page" in response.content.decode()
    event = AuditEvent.objects.get(action="access:denied")
    assert (event.object_type, event.object_id, event.outcome) == (
        "permission",
        "users:manage",
        "denied",
    )
    assert event.actor_role == role.value


def test_administrator_manages_users_in_admin_and_changes_are_audited(
    administrator_client: Client,
) -> None:
    admin_user = administrator_client.get("/").wsgi_request.user
    assert administrator_client.get("/admin/").status_code == 200
    response = administrator_client.post(
        "/admin/access/user/add/",
        {
            "username": "newworker",
            "agency": admin_user.agency_id,
            "role": Role.PARTNER_WORKER,
            "password1": "a-long-enough-passphrase-2026",
            "password2": "a-long-enough-passphrase-2026",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    created = User.objects.get(username="newworker")
    assert created.role == Role.PARTNER_WORKER
    assert not created.is_staff
    assert created.password.startswith(("argon2", "md5"))
    event = AuditEvent.objects.get(action="user:created")
    assert (event.actor_id, event.object_id) == (admin_user.pk, str(created.pk))


def test_admin_sign_in_goes_to_the_one_sign_in_page(client: Client) -> None:
    response = client.get("/admin/")
    assert response.status_code == 302
    assert client.get(response["Location"])["Location"].startswith("/sign-in")
