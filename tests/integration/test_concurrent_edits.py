"""Lost updates and races: a stale form is refused, and a state change happens exactly once."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection
from django.test import Client

from safehub.access.models import Role, User
from safehub.access.policy import SYSTEM
from safehub.audit.models import AuditEvent
from safehub.episodes import services as episodes
from safehub.episodes.models import Episode, MissingEpisode, SignOffRequest
from safehub.geo import services as geo
from safehub.people import services as people
from safehub.people.models import Child
from safehub.referrals import services as referrals
from safehub.referrals.models import Referral
from safehub.rules.codes import RiskLevel
from tests.integration.conftest import sign_in_verified

LONDON = ZoneInfo("Europe/London")


class _Inputs(HTMLParser):
    """The values a browser would submit from the page's form, as it was drawn."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "input" and named.get("name") and named.get("type") not in {"radio", "checkbox"}:
            self.values[str(named["name"])] = named.get("value") or ""


def _drawn_form(client: Client, url: str) -> dict[str, str]:
    response = client.get(url)
    assert response.status_code == 200
    parser = _Inputs()
    parser.feed(response.content.decode())
    parser.values.pop("csrfmiddlewaretoken", None)
    return parser.values


def _child(user: User) -> Child:
    return people.register_child(
        acting_user=user,
        given_name="Rowan",
        family_name="Testcase",
        date_of_birth=dt.date(2010, 6, 1),
        sex="F",
    )


@pytest.fixture
def practitioner(make_user: Callable[..., User]) -> User:
    geo.load_reference_data(acting_user=SYSTEM)
    return make_user(Role.HUB_PRACTITIONER)


def test_a_stale_return_form_cannot_erase_the_interview_recorded_meanwhile(
    practitioner: User, make_user: Callable[..., User]
) -> None:
    child = _child(practitioner)
    returned = dt.datetime(2026, 3, 2, 18, 0, tzinfo=LONDON)
    missing = episodes.record_missing_episode(
        child,
        started_at=dt.datetime(2026, 3, 1, 21, 0, tzinfo=LONDON),
        ended_at=returned,
        acting_user=practitioner,
    )
    first = sign_in_verified(Client(), practitioner)
    second = sign_in_verified(Client(), make_user(Role.HUB_PRACTITIONER))
    url = f"/missing/{missing.pk}"
    first_form, second_form = _drawn_form(first, url), _drawn_form(second, url)

    first_form |= {
        "return_interview_completed_at_0_0": "4",
        "return_interview_completed_at_0_1": "3",
        "return_interview_completed_at_0_2": "2026",
        "return_interview_completed_at_1": "10:30",
    }
    assert first.post(url, first_form).status_code == 302

    second_form |= {
        "return_interview_offered_at_0_0": "3",
        "return_interview_offered_at_0_1": "3",
        "return_interview_offered_at_0_2": "2026",
        "return_interview_offered_at_1": "09:00",
    }
    refused = second.post(url, second_form)

    missing.refresh_from_db()
    assert missing.return_interview_completed_at == dt.datetime(2026, 3, 4, 10, 30, tzinfo=LONDON)
    assert missing.return_interview_offered_at is None
    assert refused.status_code == 200
    page = refused.content.decode()
    assert "govuk-error-summary" in page
    assert "Someone else saved a change to this record after you opened this page" in page
    assert "Return home interview done: not recorded is now 4 March 2026 10:30" in page


def test_the_service_refuses_a_save_from_an_older_version(practitioner: User) -> None:
    child = _child(practitioner)
    missing = episodes.record_missing_episode(
        child, started_at=dt.datetime(2026, 3, 1, 21, 0, tzinfo=LONDON), acting_user=practitioner
    )
    drawn = missing.version
    episodes.update_missing_episode(
        missing,
        ended_at=dt.datetime(2026, 3, 2, 8, 0, tzinfo=LONDON),
        return_interview_offered_at=None,
        return_interview_completed_at=None,
        expected_version=drawn,
        acting_user=practitioner,
    )
    stale = MissingEpisode.objects.get(pk=missing.pk)
    stale.version = drawn  # as the other person's form still says
    with pytest.raises(ValidationError, match="Someone else saved a change"):
        episodes.update_missing_episode(
            stale,
            ended_at=None,
            return_interview_offered_at=None,
            return_interview_completed_at=None,
            expected_version=drawn,
            acting_user=practitioner,
        )
    assert MissingEpisode.objects.get(pk=missing.pk).ended_at is not None


def test_a_stale_close_form_is_refused(
    practitioner: User, make_user: Callable[..., User], no_sign_off: None
) -> None:
    child = _child(practitioner)
    episode = episodes.hold_at_risk(
        child,
        level=RiskLevel.MEDIUM,
        on=dt.date(2026, 1, 5),
        reason="Screening",
        acting_user=practitioner,
    )
    first = sign_in_verified(Client(), practitioner)
    second = sign_in_verified(Client(), make_user(Role.HUB_PRACTITIONER))
    url = f"/episodes/{episode.pk}/close"
    first_form, second_form = _drawn_form(first, url), _drawn_form(second, url)
    closing = {
        "closed_on_0": "1",
        "closed_on_1": "2",
        "closed_on_2": "2026",
        "closure_reason": "Risk reduced",
    }
    assert first.post(url, first_form | closing).status_code == 302
    refused = second.post(url, second_form | closing | {"closure_reason": "Moved away"})
    assert refused.status_code == 200
    assert "govuk-error-summary" in refused.content.decode()
    episode.refresh_from_db()
    assert episode.closure_reason == "Risk reduced"
    assert (
        AuditEvent.objects.filter(action="episode:closed", object_id=str(episode.pk)).count() == 1
    )


def _at_once(attempt: Callable[[int], object], attempts: int = 10) -> list[str]:
    """Run `attempt(n)` in `attempts` threads, each on its own connection, released together."""
    barrier = threading.Barrier(attempts)
    outcomes: list[str] = []
    guard = threading.Lock()

    def run(n: int) -> None:
        try:
            barrier.wait(timeout=30)
            attempt(n)
            outcome = "done"
        except ValidationError:
            outcome = "refused"
        except Exception as error:  # noqa: BLE001 - any other failure is the test's finding
            outcome = f"error: {type(error).__name__}: {error}"
        finally:
            connection.close()
        with guard:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    close_old_connections()
    return sorted(outcomes)


THREADS_NEED_POSTGRES = (
    "threads need PostgreSQL: SQLite's test database is a shared-cache in-memory file whose "
    "table locks refuse a second writer outright, unlike the served database (a WAL file opened "
    "with BEGIN IMMEDIATE and a busy timeout, which queues writers); the stale-copy tests cover "
    "the check made once the lock is held"
)


@pytest.mark.django_db(transaction=True)
def test_ten_simultaneous_closes_close_once_and_audit_once(
    make_user: Callable[..., User], engine: str, no_sign_off: None
) -> None:
    if engine == "sqlite":
        pytest.skip(THREADS_NEED_POSTGRES)
    geo.load_reference_data(acting_user=SYSTEM)
    user = make_user(Role.HUB_PRACTITIONER)
    child = _child(user)
    episode = episodes.hold_at_risk(
        child, level=RiskLevel.HIGH, on=dt.date(2026, 1, 5), reason="Screening", acting_user=user
    )
    copies = [Episode.objects.get(pk=episode.pk) for _ in range(10)]

    outcomes = _at_once(
        lambda n: episodes.close_episode(
            copies[n], closed_on=dt.date(2026, 2, 1), reason=f"Attempt {n}", acting_user=user
        )
    )

    assert outcomes == ["done"] + ["refused"] * 9, (engine, outcomes)
    assert (
        AuditEvent.objects.filter(action="episode:closed", object_id=str(episode.pk)).count() == 1
    )
    assert Episode.objects.get(pk=episode.pk).history.filter(closed_on__isnull=False).count() == 1


@pytest.mark.django_db(transaction=True)
def test_ten_simultaneous_withdrawals_and_decisions_happen_once(
    make_user: Callable[..., User], engine: str
) -> None:
    if engine == "sqlite":
        pytest.skip(THREADS_NEED_POSTGRES)
    geo.load_reference_data(acting_user=SYSTEM)
    user = make_user(Role.HUB_PRACTITIONER)
    child = _child(user)
    made = [
        referrals.receive_referral(
            child=child,
            received_at=dt.datetime(2026, 1, 5, 9, n, tzinfo=LONDON),
            source="6",
            concerns="Concerns",
            exploitation_types=["cse"],
            acting_user=user,
        )
        for n in range(2)
    ]
    withdrawn, decided = made
    copies = [Referral.objects.get(pk=withdrawn.pk) for _ in range(10)]
    assert (
        _at_once(
            lambda n: referrals.withdraw_referral(
                copies[n], reason=f"Attempt {n}", acting_user=user
            )
        )
        == ["done"] + ["refused"] * 9
    )
    assert AuditEvent.objects.filter(action="referral:withdrawn").count() == 1

    copies = [Referral.objects.get(pk=decided.pk) for _ in range(10)]
    assert (
        _at_once(lambda n: referrals.record_decision(copies[n], outcome="advice", acting_user=user))
        == ["done"] + ["refused"] * 9
    )
    assert AuditEvent.objects.filter(action="decision:recorded").count() == 1


def test_closes_made_from_stale_copies_after_the_first_are_refused(
    practitioner: User, no_sign_off: None
) -> None:
    """What each waiting writer sees once it holds the lock: the row as now, not as read."""
    child = _child(practitioner)
    episode = episodes.hold_at_risk(
        child,
        level=RiskLevel.HIGH,
        on=dt.date(2026, 1, 5),
        reason="Screening",
        acting_user=practitioner,
    )
    copies = [Episode.objects.get(pk=episode.pk) for _ in range(10)]
    outcomes = []
    for n, copy in enumerate(copies):
        try:
            episodes.close_episode(
                copy, closed_on=dt.date(2026, 2, 1), reason=f"Attempt {n}", acting_user=practitioner
            )
            outcomes.append("closed")
        except ValidationError as refused:
            outcomes.append(refused.messages[0])
    assert outcomes == ["closed"] + ["This episode is already closed"] * 9
    assert (
        AuditEvent.objects.filter(action="episode:closed", object_id=str(episode.pk)).count() == 1
    )
    assert Episode.objects.get(pk=episode.pk).closure_reason == "Attempt 0"


@pytest.mark.django_db(transaction=True)
def test_ten_simultaneous_screenings_open_one_episode(
    make_user: Callable[..., User], engine: str
) -> None:
    """Today the audit chain's transaction-wide advisory lock also serialises these; the lock
    on the child's row keeps one episode once audit writes stop serialising whole requests."""
    if engine == "sqlite":
        pytest.skip(THREADS_NEED_POSTGRES)
    geo.load_reference_data(acting_user=SYSTEM)
    user = make_user(Role.HUB_PRACTITIONER)
    child = _child(user)
    made = [
        referrals.receive_referral(
            child=child,
            received_at=dt.datetime(2026, 1, 5, 9, n, tzinfo=LONDON),
            source="6",
            concerns="Concerns",
            exploitation_types=["cse"],
            acting_user=user,
        )
        for n in range(10)
    ]
    outcomes = _at_once(
        lambda n: referrals.record_screening(
            made[n], {"going_missing": True, "older_associates": True}, acting_user=user
        )
    )
    assert outcomes == ["done"] * 10
    assert Episode.objects.filter(child=child).count() == 1
    assert AuditEvent.objects.filter(action="episode:opened").count() == 1


@pytest.mark.django_db(transaction=True)
def test_ten_simultaneous_closure_requests_ask_once(
    make_user: Callable[..., User], engine: str
) -> None:
    if engine == "sqlite":
        pytest.skip(THREADS_NEED_POSTGRES)
    geo.load_reference_data(acting_user=SYSTEM)
    user = make_user(Role.HUB_PRACTITIONER)
    episode = episodes.hold_at_risk(
        _child(user), level=RiskLevel.HIGH, on=dt.date(2026, 1, 5), reason="S", acting_user=user
    )
    copies = [Episode.objects.get(pk=episode.pk) for _ in range(10)]

    outcomes = _at_once(
        lambda n: episodes.close_episode(
            copies[n], closed_on=dt.date(2026, 2, 1), reason=f"Attempt {n}", acting_user=user
        )
    )

    assert outcomes == ["done"] + ["refused"] * 9, (engine, outcomes)
    assert SignOffRequest.objects.filter(episode=episode).count() == 1
    assert Episode.objects.get(pk=episode.pk).closed_on is None
