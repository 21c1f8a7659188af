"""Every form, as every role that may use it, with generated values: never a server error.

Each form's fields are read from the page itself (inputs, selects, text areas), so a field
added later is fuzzed too. Values are blank, too long, of the wrong type, impossible or
extreme dates, unicode, markup, NUL and control characters, or one of the choices the page
offers. Every answer must be a redirect (the values happened to be acceptable), the form again
with a GOV.UK error summary, or a 4xx; an answer that is not a redirect must have written
nothing. Each example runs in a savepoint rolled back at its end, so examples do not interact.
The number of cases per form is printed in the run's summary.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safehub.access.models import Agency, AgencyType, Role, User
from safehub.access.policy import SYSTEM
from safehub.episodes import services as episodes
from safehub.geo import services as geo
from safehub.intelligence import services as intelligence
from safehub.people import services as people
from safehub.people import sharing
from safehub.referrals import services as referrals
from tests.factories import AgencyFactory
from tests.integration.conftest import ROLE_AGENCY, sign_in_verified
from tests.integration.generated import generated_cases

EXAMPLES = 50
LONDON = ZoneInfo("Europe/London")
ROLES = (
    Role.HUB_PRACTITIONER,
    Role.HUB_MANAGER,
    Role.POLICE_HUB_OFFICER,
    Role.PARTNER_WORKER,
    Role.ANALYST,
    Role.ELECTED_MEMBER,
)
# Case data a form may write; the audit trail is left out (a refusal may be audited).
CASE_APPS = ("people", "referrals", "episodes", "intelligence")


@dataclass(frozen=True)
class Field:
    name: str
    options: tuple[str, ...]  # a select's or a radio/checkbox group's values; empty: free text


class _Fields(HTMLParser):
    """The fields of the page's forms that use `method`, with their choices."""

    def __init__(self, method: str) -> None:
        super().__init__()
        self.method = method
        self.in_post_form = False
        self.select: str | None = None
        self.fields: dict[str, list[str]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self.in_post_form = (a.get("method") or "").lower() == self.method
            return
        name = a.get("name")
        if not self.in_post_form and tag != "option":
            return
        if tag in {"input", "textarea"} and name and name != "csrfmiddlewaretoken":
            if a.get("type") in {"submit", "hidden"} and name != "child":
                return
            options = self.fields.setdefault(name, [])
            if a.get("type") in {"radio", "checkbox"} and a.get("value") is not None:
                options.append(a["value"] or "")
        elif tag == "select" and name:
            self.select = name
            self.fields.setdefault(name, [])
        elif tag == "option" and self.select and self.in_post_form:
            self.fields[self.select].append(a.get("value") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self.select = None
        elif tag == "form":
            self.in_post_form = False


def _fields(page: str, method: str = "post") -> list[Field]:
    parser = _Fields(method)
    parser.feed(page)
    return [Field(name, tuple(options)) for name, options in parser.fields.items()]


NASTY = st.one_of(
    st.just(""),
    st.just(" "),
    st.text(max_size=30),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=12),
    st.sampled_from(
        [
            "0",
            "-1",
            "1e309",
            "99999999999999999999999",
            "31",
            "13",
            "29",
            "2",
            "1",
            "1899",
            "0001",
            "9999",
            "2999",
            "1950",
            "2010",
            "2024",
            "00:00",
            "23:59",
            "24:00",
            "12:60",
            "9:5",
            "NaN",
            "<script>alert(1)</script>",
            "' OR 1=1 --",
            "Ø≈ç√∫˜µ≤≥÷",
            "😀" * 40,
            "\x00",
            "a\x00b",
            "\x1b[31m",
            "line\rbreak",
            "\u202etxet",
            '=HYPERLINK("x")',
            "BD5 0AA",
            "E05001309",
            "9990000018",
            "²",
            "٣",
        ]
    ),
    st.text(min_size=201, max_size=400).map(lambda s: s[:400]),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
)


def _value(field: Field) -> st.SearchStrategy[object]:
    if field.options:
        choices = st.sampled_from(field.options)
        return st.one_of(choices, st.lists(choices, max_size=3), NASTY)
    return NASTY


def _case_rows() -> int:
    """All rows of case data, in one query (it runs twice for every example)."""
    tables = [
        connection.ops.quote_name(model._meta.db_table)  # noqa: SLF001
        for label in CASE_APPS
        for model in apps.get_app_config(label).get_models()
    ]
    # The table names come from the models, quoted by the backend: nothing from outside.
    counts = " + ".join(f"(SELECT COUNT(*) FROM {table})" for table in tables)  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {counts}")
        return int(cursor.fetchone()[0])


@dataclass
class World:
    """The records the forms are about, and a signed-in client per role."""

    clients: dict[Role, Client]
    urls: dict[str, str]
    queries: dict[str, tuple[str, tuple[str, ...]]]


@pytest.fixture
def world(make_user: Callable[..., User]) -> World:
    geo.load_reference_data(acting_user=SYSTEM)
    for name, kind in set(ROLE_AGENCY.values()):
        AgencyFactory(name=name, agency_type=kind)
    AgencyFactory(name="Early Help", agency_type=AgencyType.EARLY_HELP)
    users = {role: make_user(role) for role in ROLES}
    manager = users[Role.HUB_MANAGER]
    police = users[Role.POLICE_HUB_OFFICER]
    partner = users[Role.PARTNER_WORKER]
    child = people.register_child(
        acting_user=manager,
        given_name="Sammi",
        family_name="Exampleton",
        date_of_birth=dt.date(2010, 5, 6),
        sex="F",
    )
    other = people.register_child(
        acting_user=manager,
        given_name="Testa",
        family_name="Samplewell",
        date_of_birth=dt.date(2011, 2, 3),
        sex="M",
    )
    received = dt.datetime(2024, 3, 1, 10, tzinfo=LONDON)
    screened = referrals.receive_referral(
        child=child,
        received_at=received,
        source="6",
        concerns="Seen with older associates.",
        exploitation_types=["cse"],
        acting_user=manager,
    )
    referrals.record_screening(screened, {"going_missing": True}, acting_user=manager)
    undecided = referrals.receive_referral(
        child=child,
        received_at=received + dt.timedelta(days=1),
        source="6",
        concerns="Further concern.",
        exploitation_types=["cce"],
        acting_user=manager,
    )
    episode = child.episodes.get()
    missing = episodes.record_missing_episode(
        child, started_at=received + dt.timedelta(days=3), acting_user=manager
    )
    youth = Agency.objects.get(name=ROLE_AGENCY[Role.PARTNER_WORKER][0])
    share = sharing.share_child(
        child,
        agency=youth,
        lawful_basis="safeguarding",
        purpose="Youth work support",
        sections=["risk"],
        expires_on=timezone.localdate() + dt.timedelta(days=30),
        reasons="Agreed at the strategy discussion.",
        acting_user=manager,
    )
    grant = sharing.break_glass(
        given_name=other.given_name,
        family_name=other.family_name,
        date_of_birth=dt.date(2011, 2, 3),
        reason="Found at a location of concern tonight",
        acting_user=partner,
    )
    change = episode.risk_changes.get()
    address = people.record_address(
        child, valid_from=dt.date(2020, 1, 1), ward_code="E05001365", acting_user=manager
    )
    location = intelligence.record_location(
        name="Example Takeaway",
        kind="business",
        first_noted=dt.date(2024, 1, 5),
        acting_user=police,
    )
    person = intelligence.record_person(name="Known As Example", acting_user=police)
    urls = {
        "child new": "/children/new",
        "note": f"/children/{child.pk}/notes/new",
        "address": f"/children/{child.pk}/address/new",
        "care status": f"/children/{child.pk}/care/new",
        "alias": f"/children/{child.pk}/aliases/new",
        "share": f"/children/{child.pk}/share",
        "share revoke": f"/shares/{share.pk}/revoke",
        "emergency access": "/emergency-access",
        "break-glass review": f"/access/break-glass/{grant.pk}",
        "referral": f"/referrals/new?child={child.pk}",
        "screening": f"/referrals/{undecided.pk}/screening",
        "decision": f"/referrals/{undecided.pk}/decision",
        "risk change": f"/episodes/{episode.pk}/risk",
        "review": f"/episodes/{episode.pk}/review",
        "strategy discussion": (
            f"/meetings/new?child={child.pk}&kind=strategy_discussion&episode={episode.pk}"
        ),
        "close episode": f"/episodes/{episode.pk}/close",
        "missing episode": f"/children/{child.pk}/missing/new",
        "return": f"/missing/{missing.pk}",
        "location new": "/intelligence/locations/new",
        "location link": f"/intelligence/locations/{location.pk}/link?child={child.pk}",
        "person new": "/intelligence/persons/new",
        "person link": f"/intelligence/persons/{person.pk}/link?child={child.pk}",
        "person location link": f"/intelligence/persons/{person.pk}/locations/link",
        "disruption": "/intelligence/disruptions/new",
        "referral withdraw": f"/referrals/{screened.pk}/withdraw",
        "address correction": f"/addresses/{address.pk}",
        "address removal": f"/addresses/{address.pk}/withdraw",
        "risk level withdraw": f"/episodes/{episode.pk}/risk/{change.pk}/withdraw",
        "missing withdraw": f"/missing/{missing.pk}/withdraw",
    }
    clients = {role: sign_in_verified(Client(), user) for role, user in users.items()}
    # Pages asked with a query: their GET forms' fields, and the query values they read.
    queries = {
        "child search": ("/children/search", ()),
        "child as it stood on": (f"/children/{child.pk}", ()),
        "triage filters": ("/triage", ()),
        "referral's child": ("/referrals/new", ("child",)),
        "choose a child to link": (f"/intelligence/locations/{location.pk}/link", ("child",)),
        "disruption's person and location": (
            "/intelligence/disruptions/new",
            ("person", "location"),
        ),
    }
    return World(clients, urls, queries)


ERROR_SUMMARY = re.compile(r'class="govuk-error-summary"')


def test_every_form_answers_generated_values_without_a_server_error(
    world: World, request: pytest.FixtureRequest
) -> None:
    counts = generated_cases(request.config)
    for form, url in world.urls.items():
        users = {}
        fields: list[Field] = []
        for role, client in world.clients.items():
            page = client.get(url)
            assert page.status_code < 500, (form, role)
            if page.status_code == 200:
                users[role] = client
                fields = fields or _fields(page.content.decode())
        refused = [c for r, c in world.clients.items() if r not in users]
        assert users, f"no role may use the {form} form"
        assert fields, f"the {form} form shows no fields"
        n = _fuzz(url, fields, list(users.values()), refused)
        counts.count("form fuzz", form, n)
        assert n >= EXAMPLES, (form, n)


def _fuzz(url: str, fields: list[Field], users: list[Client], refused: list[Client]) -> int:
    sent = []
    everyone = users + refused

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        data=st.fixed_dictionaries({}, optional={f.name: _value(f) for f in fields}),
        who=st.integers(min_value=0, max_value=len(everyone) - 1),
        permitted=st.integers(min_value=0, max_value=9),
    )
    def post(data: dict[str, object], who: int, permitted: int) -> None:
        # Mostly a role that may use the form; sometimes one that may not.
        client = users[who % len(users)] if permitted or not refused else everyone[who]
        body = {k: [str(x) for x in v] if isinstance(v, list) else str(v) for k, v in data.items()}
        with transaction.atomic():
            before = _case_rows()
            try:
                response = client.post(url, body)
            except Exception as error:
                error.add_note(f"POST {url} {body!r}")
                raise
            status = response.status_code
            assert status < 500, (url, body, status)
            if status != 302:  # a redirect is a save the generated values made valid
                assert status in {200, 400, 403, 404}, (url, body, status)
                if status == 200:
                    assert ERROR_SUMMARY.search(response.content.decode()), (url, body)
                assert _case_rows() == before, (url, body)
            transaction.set_rollback(True)
        sent.append(1)

    post()
    return len(sent)


def test_every_query_answers_generated_values_without_a_server_error(
    world: World, request: pytest.FixtureRequest
) -> None:
    counts = generated_cases(request.config)
    for name, (url, extra) in world.queries.items():
        users = []
        fields = [Field(e, ()) for e in extra]
        for client in world.clients.values():
            page = client.get(url)
            assert page.status_code < 500, (name, url)
            # A page that needs its query sends the user on (302) when it has none.
            if page.status_code in {200, 302}:
                users.append(client)
                fields = fields + [
                    f for f in _fields(page.content.decode(), "get") if f not in fields
                ]
        assert users, f"no role may use {name}"
        n = _ask(url, fields, users)
        counts.count("query fuzz", name, n)
        assert n >= EXAMPLES, (name, n)


def _ask(url: str, fields: list[Field], users: list[Client]) -> int:
    sent = []

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        data=st.fixed_dictionaries({}, optional={f.name: _value(f) for f in fields}),
        who=st.integers(min_value=0, max_value=len(users) - 1),
    )
    def get(data: dict[str, object], who: int) -> None:
        query = {k: [str(x) for x in v] if isinstance(v, list) else str(v) for k, v in data.items()}
        with transaction.atomic():
            before = _case_rows()
            try:
                response = users[who].get(url, query)
            except Exception as error:
                error.add_note(f"GET {url} {query!r}")
                raise
            assert response.status_code in {200, 302, 400, 403, 404}, (url, query)
            assert _case_rows() == before, (url, query)
            transaction.set_rollback(True)
        sent.append(1)

    get()
    return len(sent)
