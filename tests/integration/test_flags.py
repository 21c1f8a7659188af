"""Warning flags: raised pending, signed off by another hub manager, reviewed within a year,
shown on the child's pages and in search results, chased in the triage queue, and scoped for
partners by the risk section."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from safehub.access.models import Role, User
from safehub.access.policy import SYSTEM, AccessDeniedError
from safehub.audit.models import AuditEvent
from safehub.flags import services as flags
from safehub.flags.models import WarningFlag
from safehub.geo import services as geo
from safehub.people import services as people
from safehub.people import sharing
from safehub.people.corrections import StaleEditError
from safehub.people.models import Child
from safehub.triage import store
from tests.integration.due import due_items

TEXT = "Do not disclose her address to callers"


@pytest.fixture
def manager(make_user: Callable[..., User]) -> User:
    geo.load_reference_data(acting_user=SYSTEM)
    return make_user(Role.HUB_MANAGER)


@pytest.fixture
def child(manager: User) -> Child:
    return people.register_child(
        acting_user=manager,
        given_name="Flora",
        family_name="Flagged",
        date_of_birth=dt.date(2010, 5, 6),
        sex="F",
    )


def _user(client: Client) -> User:
    user = client.get("/").wsgi_request.user
    assert isinstance(user, User)
    return user


def _raise(child: Child, by: User, **extra: object) -> WarningFlag:
    values: dict[str, object] = {
        "kind": "criminal_exploitation",
        "text": TEXT,
        "owner": by,
        "review_on": timezone.localdate() + dt.timedelta(days=90),
    }
    values.update(extra)
    return flags.raise_flag(child, acting_user=by, **values)  # type: ignore[arg-type]


def _review_date_fields(day: dt.date) -> dict[str, str]:
    return {
        "review_on_0": str(day.day),
        "review_on_1": str(day.month),
        "review_on_2": str(day.year),
    }


@pytest.mark.django_db
def test_a_flag_raised_on_the_page_waits_for_a_managers_sign_off_then_shows(
    child: Child, hub_practitioner_client: Client, hub_manager_client: Client
) -> None:
    practitioner = _user(hub_practitioner_client)
    review = timezone.localdate() + dt.timedelta(days=60)
    response = hub_practitioner_client.post(
        f"/children/{child.pk}/flags/new",
        {"kind": "missing_from_care", "text": "Philomena profile held", "owner": practitioner.pk}
        | _review_date_fields(review),
    )
    assert response.status_code == 302
    flag = WarningFlag.objects.get(child=child)
    assert (flag.status, flag.review_on, flag.raised_by) == ("pending", review, practitioner)
    page = hub_practitioner_client.get(f"/children/{child.pk}").content.decode()
    assert "Philomena profile held" in page
    assert "Waiting for sign-off" in page
    # A practitioner may not sign off.
    assert hub_practitioner_client.get(f"/flags/{flag.pk}/sign-off").status_code == 403
    response = hub_manager_client.post(f"/flags/{flag.pk}/sign-off", {"decision": "approve"})
    assert response.status_code == 302
    flag.refresh_from_db()
    assert flag.status == "active"
    assert flag.signed_off_by == _user(hub_manager_client)
    page = hub_practitioner_client.get(f"/children/{child.pk}").content.decode()
    assert "Philomena profile held" in page
    assert "Waiting for sign-off" not in page
    actions = set(
        AuditEvent.objects.filter(object_type="flags.warningflag").values_list("action", flat=True)
    )
    assert {"flag:raised", "flag:approved"} <= actions
    assert AuditEvent.objects.filter(action="flag:approved", child_id=child.pk).count() == 1
    assert flag.history.count() == 2  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_the_manager_who_raised_a_flag_cannot_sign_it_off(
    child: Child, manager: User, make_user: Callable[..., User]
) -> None:
    flag = _raise(child, manager)
    with pytest.raises(ValidationError, match="Another hub manager"):
        flags.sign_off(flag, approve=True, acting_user=manager)
    with pytest.raises(AccessDeniedError):
        flags.sign_off(flag, approve=True, acting_user=make_user(Role.HUB_PRACTITIONER))
    with pytest.raises(ValidationError, match="why the flag is not approved"):
        flags.sign_off(flag, approve=False, acting_user=make_user(Role.HUB_MANAGER))
    declined = flags.sign_off(
        flag, approve=False, note="Not a risk now", acting_user=make_user(Role.HUB_MANAGER)
    )
    assert declined.status == "declined"
    with pytest.raises(ValidationError, match="not waiting"):
        flags.sign_off(flag, approve=True, acting_user=make_user(Role.HUB_MANAGER))


@pytest.mark.django_db
def test_a_review_date_more_than_a_year_ahead_is_refused_with_a_clear_message(
    child: Child, hub_practitioner_client: Client, manager: User
) -> None:
    today = timezone.localdate()
    too_late = today + dt.timedelta(days=367)
    response = hub_practitioner_client.post(
        f"/children/{child.pk}/flags/new",
        {"kind": "other", "text": TEXT, "owner": manager.pk} | _review_date_fields(too_late),
    )
    assert response.status_code == 200
    assert "Review date must be no more than a year ahead" in response.content.decode()
    assert not WarningFlag.objects.exists()
    with pytest.raises(ValidationError, match="today or in the future"):
        _raise(child, manager, review_on=today - dt.timedelta(days=1))


@pytest.mark.django_db
def test_rewording_goes_back_for_sign_off_and_a_new_review_date_does_not(
    child: Child, manager: User, make_user: Callable[..., User]
) -> None:
    flag = flags.sign_off(
        _raise(child, manager), approve=True, acting_user=make_user(Role.HUB_MANAGER)
    )
    later = timezone.localdate() + dt.timedelta(days=200)
    kept = flags.correct_flag(
        flag,
        kind=flag.kind,
        text=TEXT,
        owner=manager,
        review_on=later,
        expected_version=flag.version,
        acting_user=manager,
    )
    assert (kept.status, kept.review_on) == ("active", later)
    reworded = flags.correct_flag(
        kept,
        kind=kept.kind,
        text="Do not disclose her school to callers",
        owner=manager,
        review_on=later,
        expected_version=kept.version,
        acting_user=manager,
    )
    assert reworded.status == "pending"
    with pytest.raises(StaleEditError, match="Someone else saved a change"):
        flags.correct_flag(
            reworded,
            kind="other",
            text=TEXT,
            owner=manager,
            review_on=later,
            expected_version=flag.version,
            acting_user=manager,
        )
    texts = [h.text for h in reworded.history.order_by("history_date")]  # type: ignore[attr-defined]
    assert texts == [TEXT, TEXT, TEXT, "Do not disclose her school to callers"]


@pytest.mark.django_db
def test_an_ended_or_withdrawn_flag_leaves_the_banner_and_keeps_its_history(
    child: Child, manager: User, make_user: Callable[..., User], hub_practitioner_client: Client
) -> None:
    other = make_user(Role.HUB_MANAGER)
    ended = flags.sign_off(_raise(child, manager), approve=True, acting_user=other)
    wrong = flags.sign_off(
        _raise(child, manager, text="Raised on the wrong child"), approve=True, acting_user=other
    )
    response = hub_practitioner_client.post(
        f"/flags/{ended.pk}/end", {"reason": "Moved out of area", "version": ended.version}
    )
    assert response.status_code == 302
    response = hub_practitioner_client.post(
        f"/flags/{wrong.pk}/withdraw", {"reason": "Wrong child", "version": wrong.version}
    )
    assert response.status_code == 302
    page = hub_practitioner_client.get(f"/children/{child.pk}").content.decode()
    banner = page.split('id="warning-flags"')[1] if 'id="warning-flags"' in page else ""
    assert banner == ""
    ended.refresh_from_db()
    wrong.refresh_from_db()
    assert (ended.status, ended.end_reason) == ("ended", "Moved out of area")
    assert (wrong.status, wrong.withdrawal_reason) == ("withdrawn", "Wrong child")
    # Still listed on the child's page for the hub, with its status.
    assert "Ended" in page
    assert "Withdrawn (raised in error)" in page


@pytest.mark.django_db
def test_a_partner_sees_approved_flags_only_when_the_risk_section_is_shared(
    child: Child, manager: User, make_user: Callable[..., User], partner_worker_client: Client
) -> None:
    approved = flags.sign_off(
        _raise(child, manager), approve=True, acting_user=make_user(Role.HUB_MANAGER)
    )
    pending = _raise(child, manager, text="Pending: not for partners yet")
    partner = _user(partner_worker_client)
    share = sharing.share_child(
        child,
        agency=partner.agency,
        lawful_basis="safeguarding",
        purpose="Youth work",
        sections=["address"],
        expires_on=timezone.localdate() + dt.timedelta(days=10),
        reasons="Agreed",
        acting_user=manager,
    )
    page = partner_worker_client.get(f"/children/{child.pk}").content.decode()
    assert TEXT not in page
    assert partner_worker_client.get(f"/flags/{approved.pk}").status_code == 404
    sharing.revoke_share(share, reason="Changed", acting_user=manager)
    sharing.share_child(
        child,
        agency=partner.agency,
        lawful_basis="safeguarding",
        purpose="Youth work",
        sections=["risk"],
        expires_on=timezone.localdate() + dt.timedelta(days=10),
        reasons="Agreed",
        acting_user=manager,
    )
    page = partner_worker_client.get(f"/children/{child.pk}").content.decode()
    assert TEXT in page
    assert "Pending: not for partners yet" not in page
    assert partner_worker_client.get(f"/flags/{approved.pk}").status_code == 200
    assert partner_worker_client.get(f"/flags/{pending.pk}").status_code == 404
    assert partner_worker_client.get(f"/flags/{approved.pk}/edit").status_code == 403


@pytest.mark.django_db
def test_search_results_show_a_childs_approved_flags(
    child: Child, manager: User, make_user: Callable[..., User], hub_practitioner_client: Client
) -> None:
    _raise(child, manager, text="Pending: shown on the record, not in search")
    flags.sign_off(_raise(child, manager), approve=True, acting_user=make_user(Role.HUB_MANAGER))
    page = hub_practitioner_client.get("/children/search", {"name": "Flora Flagged"})
    text = page.content.decode()
    results = text.split('id="results"')[1]
    assert TEXT in results
    assert "Risk of criminal exploitation" in results
    assert "Pending: shown on the record" not in results


@pytest.mark.django_db
def test_the_triage_queue_chases_due_reviews_and_waiting_sign_offs(
    child: Child, manager: User, make_user: Callable[..., User]
) -> None:
    other = make_user(Role.HUB_MANAGER)
    overdue = flags.sign_off(_raise(child, manager), approve=True, acting_user=other)
    far = flags.sign_off(_raise(child, manager, text="Far off"), approve=True, acting_user=other)
    waiting = _raise(child, manager, text="Waiting")
    ended = flags.sign_off(_raise(child, manager, text="Ended"), approve=True, acting_user=other)
    flags.end_flag(ended, reason="No longer applies", acting_user=manager)
    today = timezone.localdate()
    # Time has passed since the flag was raised: its review date is now behind us.
    WarningFlag.objects.filter(pk__in=[overdue.pk, ended.pk]).update(
        review_on=today - dt.timedelta(days=3)
    )
    WarningFlag.objects.filter(pk=far.pk).update(review_on=today + dt.timedelta(days=200))
    store.refresh([child.pk])  # the updates above bypass the saves that keep the queue
    items = due_items(manager, kinds=["flag_review", "flag_sign_off"])
    found = {(i.kind, i.link): i for i in items}
    # Every flag in force owes its review (like an episode's review, listed from the start);
    # an ended flag owes nothing.
    assert set(found) == {
        ("flag_review", f"/flags/{overdue.pk}"),
        ("flag_review", f"/flags/{far.pk}"),
        ("flag_sign_off", f"/flags/{waiting.pk}/sign-off"),
    }
    review = found[("flag_review", f"/flags/{overdue.pk}")]
    assert review.rag == "red"
    assert review.remaining < dt.timedelta(0)
    assert found[("flag_review", f"/flags/{far.pk}")].rag == "green"


@pytest.mark.django_db
def test_the_banner_shows_on_every_page_about_the_child(
    child: Child, manager: User, make_user: Callable[..., User], hub_practitioner_client: Client
) -> None:
    from safehub.episodes import services as episodes  # noqa: PLC0415
    from safehub.referrals import services as referrals  # noqa: PLC0415

    flags.sign_off(_raise(child, manager), approve=True, acting_user=make_user(Role.HUB_MANAGER))
    referral = referrals.receive_referral(
        child=child,
        received_at=timezone.now() - dt.timedelta(hours=2),
        source="6",
        concerns="Concerns",
        exploitation_types=["cce"],
        acting_user=manager,
    )
    referrals.record_screening(referral, {"disclosure": True}, acting_user=manager)
    referral.refresh_from_db()
    missing = episodes.record_missing_episode(
        child,
        started_at=timezone.now() - dt.timedelta(days=2),
        ended_at=timezone.now() - dt.timedelta(days=1),
        acting_user=manager,
    )
    pages = [
        f"/children/{child.pk}",
        f"/children/{child.pk}/chronology",
        f"/children/{child.pk}/missing/new",
        f"/referrals/{referral.pk}",
        f"/referrals/{referral.pk}/screening",
        f"/referrals/{referral.pk}/decision",
        f"/episodes/{referral.episode_id}",
        f"/episodes/{referral.episode_id}/review",
        f"/missing/{missing.pk}",
    ]
    for url in pages:
        response = hub_practitioner_client.get(url)
        assert response.status_code == 200, url
        banner = re.search(r'id="warning-flags".*?</ul>', response.content.decode(), re.DOTALL)
        assert banner is not None, url
        assert TEXT in banner.group(0), url
