from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from safehub.access.models import Role, User
from safehub.access.policy import (
    PERMISSIONS,
    SYSTEM,
    SYSTEM_PERMISSIONS,
    AccessDeniedError,
    can,
    require,
)


def _user(role: Role, *, active: bool = True) -> User:
    return User(username="someone", role=role, is_active=active)


@pytest.mark.parametrize("role", list(Role))
def test_only_administrators_manage_users(role: Role) -> None:
    assert can(_user(role), "users:manage") is (role == Role.ADMINISTRATOR)


def test_every_permission_names_known_roles() -> None:
    for permission, roles in PERMISSIONS.items():
        assert roles or permission in SYSTEM_PERMISSIONS, permission
        assert roles <= set(Role), permission


def test_anonymous_and_disabled_users_hold_nothing() -> None:
    for permission in PERMISSIONS:
        assert not can(AnonymousUser(), permission)
        assert not can(_user(Role.ADMINISTRATOR, active=False), permission)


def test_the_command_line_operator_manages_reference_data_but_cannot_sign_in_to_pages() -> None:
    assert can(SYSTEM, "geo:postcodes:import")
    assert not can(SYSTEM, "home:view")
    assert not can(SYSTEM, "audit:view")


def test_require_raises_with_the_permission_named() -> None:
    with pytest.raises(AccessDeniedError) as denied:
        require(_user(Role.ELECTED_MEMBER), "geo:postcodes:import")
    assert denied.value.permission == "geo:postcodes:import"


def test_an_unknown_permission_is_a_bug_not_a_denial() -> None:
    with pytest.raises(KeyError):
        can(_user(Role.ADMINISTRATOR), "everything:do")
