"""Putting mistakes right: withdrawn referrals, corrected or removed facts, and what figures,
work queues and the record as known on a past day make of them."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from safehub.access.models import Role, User
from safehub.access.policy import SYSTEM
from safehub.analytics import snapshot
from safehub.audit.models import AuditEvent
from safehub.casefile import queries as casefile
from safehub.geo import services as geo
from safehub.people import services as people
from safehub.people.models import Child
from safehub.referrals import services as referrals
from safehub.referrals.models import Referral
from safehub.reports import services as reports
from tests.integration.due import due_items

LONDON = ZoneInfo("Europe/London")
AS_OF = dt.date(2016, 10, 27)


@pytest.fixture
def practitioner(make_user: Callable[..., User]) -> User:
    geo.load_reference_data(acting_user=SYSTEM)
    return make_user(Role.HUB_PRACTITIONER)


def _referred_child(user: User, given_name: str) -> tuple[Child, Referral]:
    child = people.register_child(
        acting_user=user,
        given_name=given_name,
        family_name="Testcase",
        date_of_birth=dt.date(2002, 3, 4),
        sex="F",
    )
    people.record_address(
        child, valid_from=dt.date(2015, 1, 1), ward_code="E05001365", acting_user=user
    )
    received = dt.datetime(2016, 10, 3, 10, 0, tzinfo=LONDON)
    referral = referrals.receive_referral(
        child=child,
        received_at=received,
        source="6",
        concerns="Seen getting into cars with unknown adults near the station.",
        exploitation_types=["cse"],
        acting_user=user,
    )
    referrals.record_screening(
        referral,
        {"going_missing": True, "older_associates": True},
        screened_at=received + dt.timedelta(hours=1),
        acting_user=user,
    )
    return child, referral


def _report(root: Path, compare_with: str | None = None) -> dict[str, object]:
    content = reports.committee_report(
        area="Bradford",
        as_of=AS_OF,
        edition="restricted",
        fmt="json",
        acting_user=SYSTEM,
        root=root,
        compare_with=compare_with,
        snapshot_id="today" if compare_with else "published",
    )
    return dict(json.loads(content))


def test_a_referral_withdrawn_in_error_leaves_the_queue_and_the_figures(
    practitioner: User, hub_practitioner_client: Client, tmp_path: Path
) -> None:
    _referred_child(practitioner, "Kept")
    child, wrong = _referred_child(practitioner, "Mistaken")
    queue = {item.link for item in due_items(practitioner)}
    assert f"/referrals/{wrong.pk}/decision" in queue
    snapshot.create(acting_user=SYSTEM, snapshot_id="published", root=tmp_path)
    published = _report(tmp_path)

    url = f"/referrals/{wrong.pk}/withdraw"
    assert hub_practitioner_client.get(url).status_code == 200
    blank = hub_practitioner_client.post(
        url, {"reason": " ", "version": Referral.objects.get(pk=wrong.pk).version}
    )
    assert blank.status_code == 200
    assert "Enter why the referral is being withdrawn" in blank.content.decode()
    done = hub_practitioner_client.post(
        url,
        {
            "reason": "Entered against the wrong child",
            "version": Referral.objects.get(pk=wrong.pk).version,
        },
        follow=True,
    )
    page = done.content.decode()
    assert "govuk-notification-banner--success" in page
    assert "Referral withdrawn" in page
    assert "Entered against the wrong child" in page

    wrong.refresh_from_db()
    assert wrong.withdrawn_at is not None
    assert wrong.withdrawal_reason == "Entered against the wrong child"
    assert (
        AuditEvent.objects.filter(action="referral:withdrawn", object_id=str(wrong.pk)).count() == 1
    )
    assert f"/referrals/{wrong.pk}/decision" not in {i.link for i in due_items(practitioner)}
    # It stays in the child's history, marked.
    child_page = hub_practitioner_client.get(f"/children/{child.pk}").content.decode()
    assert "Referral received (withdrawn)" in child_page
    # As known on the reference day, before the withdrawal, it was a live referral.
    then = casefile.record_as_of(child, AS_OF)
    assert then.episode is not None
    assert [e.title for e in then.timeline if e.kind == "referral"] == ["Referral received"]
    assert casefile.record_as_of(child, timezone.localdate()).episode is None

    snapshot.create(acting_user=SYSTEM, snapshot_id="today", root=tmp_path)
    now = _report(tmp_path, compare_with="published")
    headline_then = published["headline"]
    headline_now = now["headline"]
    assert isinstance(headline_then, dict)
    assert isinstance(headline_now, dict)
    assert headline_now["open_children"] == headline_then["open_children"] - 1 == 1
    revision = now["revision"]
    assert isinstance(revision, dict)
    # Each cause carries the sign it moves the figure: one withdrawn is -1.
    assert (revision["published"], revision["now"], revision["withdrawn"]) == (2, 1, -1)
    assert revision["explanation"] == "\u22121 withdrawn"
    assert revision["merged_or_removed"] == revision["corrected"] == 0
    referrals_then = published["referrals_by_financial_year"]
    referrals_now = now["referrals_by_financial_year"]
    assert isinstance(referrals_then, list)
    assert isinstance(referrals_now, list)
    assert referrals_now[-1]["referrals"] == referrals_then[-1]["referrals"] - 1


def test_a_withdrawn_referral_cannot_be_screened_decided_or_withdrawn_again(
    practitioner: User,
) -> None:
    _, referral = _referred_child(practitioner, "Once")
    referrals.withdraw_referral(referral, reason="Duplicate", acting_user=practitioner)
    with pytest.raises(ValidationError, match="withdrawn"):
        referrals.record_decision(referral, outcome="advice", acting_user=practitioner)
    with pytest.raises(ValidationError, match="already been withdrawn"):
        referrals.withdraw_referral(referral, reason="Again", acting_user=practitioner)
    assert referral.episode is not None
    referral.episode.refresh_from_db()
    assert referral.episode.withdrawn


def test_an_episode_held_by_another_referral_stays_open(practitioner: User) -> None:
    child, first = _referred_child(practitioner, "Twice")
    second = referrals.receive_referral(
        child=child,
        received_at=dt.datetime(2016, 10, 5, 9, 0, tzinfo=LONDON),
        source="6",
        concerns="A second, genuine referral.",
        exploitation_types=["cse"],
        acting_user=practitioner,
    )
    referrals.record_screening(
        second, {"going_missing": True, "older_associates": True}, acting_user=practitioner
    )
    referrals.withdraw_referral(first, reason="Wrong child", acting_user=practitioner)
    assert first.episode is not None
    first.episode.refresh_from_db()
    assert not first.episode.withdrawn


def test_a_mistyped_postcode_is_corrected_with_a_reason_and_history_keeps_the_old_one(
    practitioner: User, hub_practitioner_client: Client
) -> None:
    child = people.register_child(
        acting_user=practitioner, given_name="Postie", family_name="Testcase", sex="M"
    )
    period = people.record_address(
        child, valid_from=dt.date(2015, 1, 1), ward_code="E05001365", acting_user=practitioner
    )
    page = hub_practitioner_client.get(f"/children/{child.pk}").content.decode()
    assert f'href="/addresses/{period.pk}"' in page
    assert f'href="/addresses/{period.pk}/withdraw"' in page
    form = {
        "valid_from_0": "1",
        "valid_from_1": "1",
        "valid_from_2": "2015",
        "postcode": "bd5 0aa",
        "ward_code": "E05001365",
        "version": str(period.version),
    }
    no_reason = hub_practitioner_client.post(f"/addresses/{period.pk}", form)
    assert "Enter why the address is being corrected" in no_reason.content.decode()
    done = hub_practitioner_client.post(
        f"/addresses/{period.pk}", form | {"reason": "Postcode mistyped"}, follow=True
    )
    assert "Address corrected" in done.content.decode()
    period.refresh_from_db()
    assert period.postcode == "BD5 0AA"
    latest = period.history.latest()
    assert latest.history_change_reason == "Postcode mistyped"
    assert period.history.earliest().postcode == ""


def test_a_postcode_not_in_the_directory_asks_for_the_ward_or_a_plain_confirmation(
    practitioner: User, hub_practitioner_client: Client
) -> None:
    child = people.register_child(
        acting_user=practitioner, given_name="Nowhere", family_name="Testcase", sex="F"
    )
    url = f"/children/{child.pk}/address/new"
    form = {"valid_from_0": "1", "valid_from_1": "1", "valid_from_2": "2015", "postcode": "ZZ9 9ZZ"}
    asked = hub_practitioner_client.post(url, form)
    page = asked.content.decode()
    assert asked.status_code == 200
    assert "govuk-error-summary" in page
    assert "ZZ9 9ZZ is not in the postcode directory" in page
    assert "ward not known" in page
    assert not child.addresses.exists()
    confirmed = hub_practitioner_client.post(url, form | {"no_ward": "on"})
    assert confirmed.status_code == 302
    saved = child.addresses.get()
    assert (saved.postcode, saved.ward) == ("ZZ9 9ZZ", None)


def test_removing_an_address_lets_the_one_before_run_on_and_the_past_still_shows_it(
    practitioner: User,
) -> None:
    child = people.register_child(
        acting_user=practitioner, given_name="Mover", family_name="Testcase", sex="F"
    )
    first = people.record_address(
        child, valid_from=dt.date(2015, 1, 1), ward_code="E05001370", acting_user=practitioner
    )
    wrong = people.record_address(
        child, valid_from=dt.date(2016, 6, 1), ward_code="E05001365", acting_user=practitioner
    )
    before_removal = casefile.record_as_of(child, dt.date(2016, 7, 1))
    assert before_removal.address is not None
    assert before_removal.address.pk == wrong.pk
    with pytest.raises(ValidationError, match="Enter why"):
        people.withdraw_address(wrong, reason="  ", acting_user=practitioner)
    people.withdraw_address(wrong, reason="Another child's address", acting_user=practitioner)
    first.refresh_from_db()
    assert first.valid_to is None
    now = casefile.record_as_of(child, dt.date(2016, 7, 1))
    assert now.address is not None
    assert now.address.pk == first.pk
    assert AuditEvent.objects.filter(action="child:address:withdrawn").count() == 1


def test_a_withdrawn_risk_change_and_missing_episode_leave_queue_and_current_level(
    practitioner: User, hub_practitioner_client: Client
) -> None:
    child, referral = _referred_child(practitioner, "Graded")
    episode = referral.episode
    assert episode is not None
    from safehub.episodes import services as episodes  # noqa: PLC0415

    wrong = episodes.change_risk(
        episode,
        level="high",
        effective_on=dt.date(2016, 10, 10),
        reason="Entered on the wrong child",
        acting_user=practitioner,
    )
    assert episodes.level_on(episode, dt.date(2016, 10, 20)) == "high"
    page = hub_practitioner_client.get(f"/episodes/{episode.pk}").content.decode()
    url = f"/episodes/{episode.pk}/risk/{wrong.pk}/withdraw"
    assert f'href="{url}"' in page
    done = hub_practitioner_client.post(
        url, {"reason": "Wrong child", "version": str(wrong.version)}, follow=True
    )
    assert "Risk level withdrawn" in done.content.decode()
    assert episodes.level_on(episode, dt.date(2016, 10, 20)) == "low"

    missing = episodes.record_missing_episode(
        child,
        started_at=dt.datetime(2016, 10, 11, 20, 0, tzinfo=LONDON),
        ended_at=dt.datetime(2016, 10, 12, 8, 0, tzinfo=LONDON),
        acting_user=practitioner,
    )
    assert f'href="/missing/{missing.pk}/withdraw"' in (
        hub_practitioner_client.get(f"/missing/{missing.pk}").content.decode()
    )
    done = hub_practitioner_client.post(
        f"/missing/{missing.pk}/withdraw",
        {"reason": "Duplicate of another report", "version": str(missing.version)},
        follow=True,
    )
    assert "Missing episode withdrawn" in done.content.decode()
    missing.refresh_from_db()
    assert missing.withdrawn
    assert AuditEvent.objects.filter(action="missing:withdrawn").count() == 1


def test_the_record_as_known_on_a_day_keeps_the_postcode_recorded_then(
    practitioner: User,
) -> None:
    """A correction made today changes today's record, not what the record said yesterday."""
    child = people.register_child(
        acting_user=practitioner, given_name="Before", family_name="Testcase", sex="F"
    )
    period = people.record_address(
        child,
        valid_from=dt.date(2015, 1, 1),
        postcode="BD5 0AB",
        ward_code="E05001365",
        acting_user=practitioner,
    )
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    # Recorded the day before: move its history back, as if entered then.
    period.history.update(history_date=timezone.now() - dt.timedelta(days=1))
    people.correct_address(
        period,
        valid_from=dt.date(2015, 1, 1),
        postcode="BD5 0AA",
        ward_code="E05001365",
        address="",
        reason="Postcode mistyped",
        acting_user=practitioner,
    )
    then = casefile.record_as_of(child, yesterday)
    today = casefile.record_as_of(child, timezone.localdate())
    assert then.address is not None
    assert today.address is not None
    assert (then.address.postcode, today.address.postcode) == ("BD5 0AB", "BD5 0AA")
