"""Schemathesis against the published OpenAPI document, through the WSGI app: no server.

Every operation, as each role that uses the API, with requests generated from the schema
(valid ones, and ones the schema forbids): never a server error, every response valid against
the schema (status, content type, body). The number of requests is printed at the end of the
run. Each test runs in the rolled-back transaction of every integration test, so what the
generated requests create goes when the test ends.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import schemathesis
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from safehub.access.models import AgencyType, Role, User
from safehub.access.policy import SYSTEM
from safehub.geo import services as geo
from safehub.people import services as people
from safehub.referrals import services as referrals
from tests.factories import AgencyFactory
from tests.integration.conftest import sign_in_verified
from tests.integration.generated import generated_cases

ROLES = (
    Role.HUB_PRACTITIONER,
    Role.HUB_MANAGER,
    Role.POLICE_HUB_OFFICER,
    Role.PARTNER_WORKER,
    Role.ANALYST,
)
# Cases per operation and generation mode (valid, and not valid by the schema), each sent as
# every role: 7 operations x 2 modes x 15 cases x 5 roles is 1,050 requests.
EXAMPLES = 15
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def connections_kept() -> Iterator[None]:
    """Keep the test's connection (and its transaction) open across WSGI requests, as
    Django's own test client does: a request's start and end would otherwise close it."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def known(make_user: Callable[..., User]) -> dict[str, int]:
    """Records a request may name, so that generated requests reach more than "not found"."""
    geo.load_reference_data(acting_user=SYSTEM)
    AgencyFactory(name="Youth Service", agency_type=AgencyType.YOUTH_SERVICE)
    manager = make_user(Role.HUB_MANAGER)
    child = people.register_child(
        acting_user=manager,
        given_name="Sammi",
        family_name="Exampleton",
        date_of_birth=dt.date(2010, 5, 6),
        sex="F",
    )
    referral = referrals.receive_referral(
        child=child,
        received_at=dt.datetime(2024, 3, 1, 10, tzinfo=LONDON),
        source="6",
        concerns="Seen with older associates.",
        exploitation_types=["cse"],
        acting_user=manager,
    )
    return {"child_id": child.pk, "referral_id": referral.pk}


class SignedInApp:
    """The Django WSGI app, with every request carrying one user's session and CSRF token,
    as a signed-in browser's would (whatever cookies a generated request has are replaced)."""

    def __init__(self) -> None:
        self.handler = WSGIHandler()
        self.csrf = _get_new_csrf_string()
        self.cookie = ""

    def session_for(self, user: User) -> str:
        """A signed-in session's cookie header for `user`, to give to `act_as`."""
        client = sign_in_verified(Client(), user)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        return f"{settings.SESSION_COOKIE_NAME}={session}; {settings.CSRF_COOKIE_NAME}={self.csrf}"

    def act_as(self, cookie: str) -> None:
        self.cookie = cookie

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        environ["HTTP_COOKIE"] = self.cookie
        environ["HTTP_X_CSRFTOKEN"] = self.csrf
        return self.handler(environ, start_response)


@pytest.mark.usefixtures("connections_kept")
def test_generated_requests_get_no_server_error_and_match_the_schema(
    make_user: Callable[..., User], known: dict[str, int], request: pytest.FixtureRequest
) -> None:
    app = SignedInApp()
    sessions = {role.value: app.session_for(make_user(role)) for role in ROLES}
    app.act_as(sessions[Role.HUB_PRACTITIONER])
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    counts = generated_cases(request.config)
    operations = [op.ok() for op in schema.get_all_operations()]
    assert len(operations) >= 7
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            for role, sent in _run(app, sessions, operation, mode, known).items():
                counts.count("schemathesis", f"{operation.label} {mode.value} as {role}", sent)
    total = counts.total("schemathesis")
    assert total >= 1000, total


def _run(
    app: SignedInApp,
    sessions: dict[str, str],
    operation: Any,
    mode: GenerationMode,
    known: dict[str, int],
) -> Counter[str]:
    """Send each generated case of one operation as every role; the requests sent per role.

    Generating a case costs about as much as answering it, so each is sent five times.
    """
    sent: Counter[str] = Counter()

    @hypothesis_settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
    )
    @given(case=operation.as_strategy(generation_mode=mode), real=st.booleans())
    def run(case: Any, real: bool) -> None:
        if real and case.path_parameters:
            # Half the time, a record that exists: the paths past "not found" get exercised.
            for name in case.path_parameters:
                if name in known:
                    case.path_parameters[name] = known[name]
        for role, session in sessions.items():
            app.act_as(session)
            case.call_and_validate(checks=CHECKS)
            sent[role] += 1

    try:
        run()
    except Exception as failure:
        failure.add_note(f"while testing {operation.label} ({mode.value})")
        raise
    return sent
