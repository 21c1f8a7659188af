"""Integration tests: a real database, each test in a transaction rolled back at its end.

The Makefile runs this folder twice, with SAFEHUB_TEST_DATABASE=sqlite and =postgres. Without
a PostgreSQL server the PostgreSQL run skips, unless SAFEHUB_REQUIRE_POSTGRES=1 (CI), when it
fails.
"""

from __future__ import annotations

from collections.abc import Callable

import psycopg
import pytest
from django.db import connection
from django.test import Client

from safehub import config
from safehub.access.models import AgencyType, Role, User
from tests.factories import AgencyFactory, UserFactory

ENGINE = config.get("SAFEHUB_TEST_DATABASE")


def _postgres_problem() -> str | None:
    url = config.get("SAFEHUB_TEST_POSTGRES_URL").replace("postgres://", "postgresql://", 1)
    try:
        with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", connect_timeout=3):
            return None
    except psycopg.OperationalError as error:
        return f"PostgreSQL unreachable: {str(error).splitlines()[0]}"


def pytest_report_header() -> str:
    return f"safehub integration database: {ENGINE}"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    problem = _postgres_problem() if ENGINE == "postgres" else None
    if problem and config.get_bool("SAFEHUB_REQUIRE_POSTGRES"):
        pytest.exit(f"{problem} and SAFEHUB_REQUIRE_POSTGRES=1", returncode=1)
    for item in items:
        item.add_marker(pytest.mark.django_db)
        if problem:
            item.add_marker(pytest.mark.skip(reason=problem))


@pytest.fixture
def engine() -> str:
    """The vendor actually in use, so a test can prove which database it ran on."""
    return connection.vendor


ROLE_AGENCY = {
    Role.HUB_PRACTITIONER: ("Hub", AgencyType.CHILDRENS_SERVICES),
    Role.HUB_MANAGER: ("Hub", AgencyType.CHILDRENS_SERVICES),
    Role.POLICE_HUB_OFFICER: ("Police", AgencyType.POLICE),
    Role.PARTNER_WORKER: ("Youth Service", AgencyType.YOUTH_SERVICE),
    Role.ANALYST: ("Corporate", AgencyType.COUNCIL_CORPORATE),
    Role.ELECTED_MEMBER: ("Corporate", AgencyType.COUNCIL_CORPORATE),
    Role.ADMINISTRATOR: ("Corporate", AgencyType.COUNCIL_CORPORATE),
}


@pytest.fixture
def make_user() -> Callable[..., User]:
    def make(role: Role = Role.HUB_PRACTITIONER, **kwargs: object) -> User:
        name, kind = ROLE_AGENCY[role]
        agency = AgencyFactory(name=name, agency_type=kind)
        return UserFactory(role=role, agency=agency, **kwargs)

    return make


def _client_for(role: Role) -> Callable[..., Client]:
    @pytest.fixture
    def fixture(make_user: Callable[..., User]) -> Client:
        # A client of its own, so a test can hold two roles' clients at once.
        client = Client()
        client.force_login(make_user(role))
        return client

    return fixture


hub_practitioner_client = _client_for(Role.HUB_PRACTITIONER)
hub_manager_client = _client_for(Role.HUB_MANAGER)
police_hub_officer_client = _client_for(Role.POLICE_HUB_OFFICER)
partner_worker_client = _client_for(Role.PARTNER_WORKER)
analyst_client = _client_for(Role.ANALYST)
elected_member_client = _client_for(Role.ELECTED_MEMBER)
administrator_client = _client_for(Role.ADMINISTRATOR)


@pytest.fixture
def role_client(request: pytest.FixtureRequest) -> Client:
    """A client for the role given by indirect parametrisation of `role_client`."""
    return request.getfixturevalue(f"{Role(request.param).value}_client")
