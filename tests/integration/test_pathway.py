"""Pathway referrals: made with a share, answered by the service, timed, scoped and audited."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.http import Http404
from django.test import Client
from django.utils import timezone

from safehub.access import api_keys
from safehub.access.models import Agency, AgencyType, Role, User
from safehub.access.policy import SYSTEM, AccessDeniedError
from safehub.audit.models import AuditEvent
from safehub.casefile import queries as casefile
from safehub.episodes import services as episodes
from safehub.geo import services as geo
from safehub.notifications.models import Notification
from safehub.partnership import checks, queries, services
from safehub.partnership.models import (
    PathwayBreach,
    PathwayReferral,
    Status,
    SupportService,
)
from safehub.people import services as people
from safehub.people.models import Child, Share
from safehub.referrals import services as referrals
from safehub.referrals.models import Referral
from safehub.rules import working_time
from safehub.rules.codes import RiskLevel
from tests.factories import AgencyFactory, SupportServiceFactory, UserFactory
from tests.integration.conftest import sign_in_verified
from tests.integration.due import due_items
from tests.integration.test_concurrent_edits import THREADS_NEED_POSTGRES, _at_once
from tests.integration.test_notifications import _free_port, _Sink

LONDON = working_time.LONDON


@pytest.fixture
def hub(make_user: Callable[..., User]) -> User:
    geo.load_reference_data(acting_user=SYSTEM)
    return make_user(Role.HUB_PRACTITIONER)


@pytest.fixture
def youth_worker(make_user: Callable[..., User]) -> User:
    return make_user(Role.PARTNER_WORKER)


@pytest.fixture
def service(youth_worker: User) -> SupportService:
    return SupportServiceFactory(
        name="Youth Service – detached youth work",
        agency=youth_worker.agency,
        risk_levels=["low", "medium"],
    )


def _child(hub: User, level: str | None = "low", given: str = "Paige") -> Child:
    child = people.register_child(
        acting_user=hub,
        given_name=given,
        family_name="Pathwell",
        date_of_birth=dt.date(2011, 5, 6),
        sex="F",
    )
    if level is not None:
        episodes.hold_at_risk(
            child,
            level=RiskLevel(level),
            on=timezone.localdate() - dt.timedelta(days=3),
            reason="Screening",
            acting_user=hub,
        )
    return child


def _refer(
    hub: User, child: Child, *chosen: SupportService, **extra: object
) -> list[PathwayReferral]:
    values: dict[str, object] = {
        "services": list(chosen),
        "message": "Needs a trusted adult; meets friends at the park after school.",
        "lawful_basis": "safeguarding",
        "purpose": "Youth work support",
        "sections": ["risk"],
        "expires_on": timezone.localdate() + dt.timedelta(days=90),
    }
    values.update(extra)
    return services.refer(child, acting_user=hub, **values)  # type: ignore[arg-type]


def test_a_referral_shares_the_record_with_the_agency_in_the_same_transaction(
    hub: User, service: SupportService, youth_worker: User, engine: str
) -> None:
    child = _child(hub)
    (made,) = _refer(hub, child, service)
    share = Share.objects.get(child=child, agency=service.agency)
    assert made.share_id == share.pk
    assert share.sections == ["risk"]
    assert made.status == Status.AWAITING
    assert made.risk_level == "low"
    assert made.accept_due_at == working_time.add_working_days(made.referred_at, 2)
    assert AuditEvent.objects.filter(action="pathway:referred", child_id=child.pk).count() == 1
    assert AuditEvent.objects.filter(action="child:shared", child_id=child.pk).count() == 1
    # The youth worker now sees the child (their share) and the referral in their inbox.
    rows = queries.inbox(youth_worker)
    assert [r.referral.pk for r in rows] == [made.pk]
    assert rows[0].due is not None
    assert rows[0].due.kind == "pathway_acceptance"
    assert engine in {"sqlite", "postgresql"}


def test_a_child_not_eligible_is_refused_and_nothing_is_shared(
    hub: User, service: SupportService
) -> None:
    high = _child(hub, "high")
    with pytest.raises(ValidationError) as refused:
        _refer(hub, high, service)
    assert refused.value.message_dict == {
        "services": [f"{service.name}: This service takes children at low, medium risk only"]
    }
    SupportService.objects.filter(pk=service.pk).update(risk_levels=[], max_age=10)
    with pytest.raises(ValidationError) as too_old:
        _refer(hub, high, SupportService.objects.get(pk=service.pk))
    assert "aged 0 to 10" in too_old.value.message_dict["services"][0]
    SupportService.objects.filter(pk=service.pk).update(is_active=False, max_age=None)
    with pytest.raises(ValidationError) as closed:
        _refer(hub, high, SupportService.objects.get(pk=service.pk))
    assert "open to referrals" in closed.value.message_dict["services"][0]
    assert not Share.objects.exists()
    assert not PathwayReferral.objects.exists()


def test_accept_first_contact_and_outcome_are_steps_on_the_childs_timeline(
    hub: User, service: SupportService, youth_worker: User
) -> None:
    child = _child(hub)
    (made,) = _refer(hub, child, service)
    services.accept(made, worker=youth_worker, acting_user=youth_worker)
    made.refresh_from_db()
    assert made.status == Status.ACCEPTED
    assert made.worker == youth_worker
    assert made.accepted_at is not None
    assert made.first_contact_due_at == working_time.add_working_days(made.accepted_at, 5)
    contacted = timezone.now()
    services.record_first_contact(
        made, contacted_at=contacted, method="in_person", acting_user=youth_worker
    )
    services.record_update(made, text="Came to the youth club twice", acting_user=youth_worker)
    services.close(made, outcome="engaged_risk_reduced", acting_user=youth_worker)
    made.refresh_from_db()
    assert made.status == Status.CLOSED
    assert made.outcome == "engaged_risk_reduced"
    titles = [e.title for e in casefile.record_as_of(child, timezone.localdate()).timeline]
    for step in ("Referred", "Accepted", "First contact", "Engagement update", "Closed"):
        assert f"{service.name}: {step}" in titles
    actions = set(
        AuditEvent.objects.filter(child_id=child.pk, action__startswith="pathway:").values_list(
            "action", flat=True
        )
    )
    assert actions >= {
        "pathway:referred",
        "pathway:accepted",
        "pathway:first_contact",
        "pathway:updated",
        "pathway:closed",
    }


def test_steps_out_of_order_are_refused(
    hub: User, service: SupportService, youth_worker: User
) -> None:
    (made,) = _refer(hub, _child(hub), service)
    with pytest.raises(ValidationError, match="waiting for the service"):
        services.record_first_contact(
            made, contacted_at=timezone.now(), method="phone", acting_user=youth_worker
        )
    services.accept(made, worker=youth_worker, acting_user=youth_worker)
    with pytest.raises(ValidationError, match="accepted"):
        services.accept(made, worker=youth_worker, acting_user=youth_worker)
    with pytest.raises(ValidationError) as early:
        services.record_first_contact(
            made,
            contacted_at=made.referred_at - dt.timedelta(days=1),
            method="phone",
            acting_user=youth_worker,
        )
    assert list(early.value.message_dict) == ["contacted_at"]


def test_another_agency_cannot_see_or_answer_the_referral(
    hub: User, service: SupportService, make_user: Callable[..., User]
) -> None:
    child = _child(hub)
    (made,) = _refer(hub, child, service)
    other_agency = AgencyFactory(name="Early Help", agency_type=AgencyType.EARLY_HELP)
    other = UserFactory(role=Role.PARTNER_WORKER, agency=other_agency)
    # Even with the child shared with their agency too, another agency's referral is not theirs.
    SupportServiceFactory(name="Early help family support", agency=other_agency)
    assert list(queries.pathway_referrals_for(other)) == []
    with pytest.raises(Http404):
        queries.get_pathway_referral(other, made.pk)
    with pytest.raises(Http404):
        services.accept(made, worker=other, acting_user=other)
    with pytest.raises(AccessDeniedError):
        services.accept(made, worker=other, acting_user=hub)
    client = sign_in_verified(Client(), other)
    assert client.get(f"/pathway/{made.pk}").status_code == 404
    assert client.get(f"/api/v1/pathway-referrals/{made.pk}").status_code == 404
    assert client.get("/api/v1/pathway-referrals").json() == []
    assert (
        client.post(
            f"/api/v1/pathway-referrals/{made.pk}/accept", {}, content_type="application/json"
        ).status_code
        == 404
    )
    assert AuditEvent.objects.filter(
        action="access:denied", object_type="partnership.pathwayreferral", actor=other
    ).exists()


def test_the_api_lists_reads_and_answers_for_the_callers_agency(
    hub: User, service: SupportService, youth_worker: User
) -> None:
    child = _child(hub)
    (made,) = _refer(hub, child, service)
    client = sign_in_verified(Client(), youth_worker)
    listed = client.get("/api/v1/pathway-referrals").json()
    assert [r["id"] for r in listed] == [made.pk]
    assert listed[0]["reference"] == f"PR-{made.pk:06d}"
    bad = client.post(
        f"/api/v1/pathway-referrals/{made.pk}/accept",
        {"worker": "nobody-here"},
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert bad["Content-Type"] == "application/problem+json"
    assert [e["field"] for e in bad.json()["errors"]] == ["worker"]
    accepted = client.post(
        f"/api/v1/pathway-referrals/{made.pk}/accept", {}, content_type="application/json"
    )
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["worker"] == youth_worker.username
    wrong_method = client.post(
        f"/api/v1/pathway-referrals/{made.pk}/first-contact",
        {"contacted_at": timezone.now().isoformat(), "method": "pigeon"},
        content_type="application/json",
    )
    assert wrong_method.status_code == 422
    assert [e["field"] for e in wrong_method.json()["errors"]] == ["method"]
    contact = client.post(
        f"/api/v1/pathway-referrals/{made.pk}/first-contact",
        {"contacted_at": timezone.now().isoformat(), "method": "phone"},
        content_type="application/json",
    )
    assert contact.status_code == 200, contact.content
    update = client.post(
        f"/api/v1/pathway-referrals/{made.pk}/updates",
        {"text": "Met at the youth centre"},
        content_type="application/json",
    )
    assert update.status_code == 201
    closed = client.post(
        f"/api/v1/pathway-referrals/{made.pk}/outcome",
        {"outcome": "moved_away"},
        content_type="application/json",
    )
    assert closed.status_code == 200
    body = client.get(f"/api/v1/pathway-referrals/{made.pk}").json()
    assert body["status"] == "closed"
    assert [s["kind"] for s in body["steps"]] == [
        "referred",
        "accepted",
        "first_contact",
        "update",
        "closed",
    ]


def test_a_decline_returns_to_the_hubs_triage_queue_until_seen(
    hub: User, service: SupportService, youth_worker: User
) -> None:
    child = _child(hub)
    (made,) = _refer(hub, child, service)
    kinds = {i.kind for i in due_items(hub)}
    assert "pathway_acceptance" in kinds
    with pytest.raises(ValidationError):
        services.decline(made, reason="  ", acting_user=youth_worker)
    services.decline(made, reason="No capacity in that area", acting_user=youth_worker)
    items = [i for i in due_items(hub) if i.kind.startswith("pathway")]
    assert [(i.kind, i.link) for i in items] == [("pathway_returned", f"/pathway/{made.pk}")]
    services.mark_return_seen(made, note="Refer to early help", acting_user=hub)
    assert [i for i in due_items(hub) if i.kind.startswith("pathway")] == []


def test_a_breach_is_recorded_once_however_often_the_check_runs(
    hub: User, service: SupportService, youth_worker: User
) -> None:
    child = _child(hub)
    (late,) = _refer(hub, child, service)
    (on_time,) = _refer(hub, _child(hub, given="Quinn"), service)
    PathwayReferral.objects.filter(pk=late.pk).update(
        accept_due_at=timezone.now() - dt.timedelta(hours=1)
    )
    now = timezone.now()
    first = checks.record_breaches(now)
    assert [(b.referral_id, b.kind) for b in first] == [(late.pk, "accept")]
    assert checks.record_breaches(now) == []
    assert checks.record_breaches(now + dt.timedelta(minutes=15)) == []
    assert PathwayBreach.objects.count() == 1
    assert AuditEvent.objects.filter(action="pathway:breach:recorded").count() == 1
    # Accepted late, then no first contact in time: a second kind of breach, once.
    services.accept(late, worker=youth_worker, acting_user=youth_worker)
    PathwayReferral.objects.filter(pk=late.pk).update(
        first_contact_due_at=timezone.now() - dt.timedelta(minutes=1)
    )
    assert [b.kind for b in checks.record_breaches(timezone.now())] == ["first_contact"]
    assert checks.check_pathway_timeliness(timezone.now()) == 0
    assert not PathwayBreach.objects.filter(referral=on_time).exists()


def test_a_partners_concern_becomes_a_referral_from_their_agency_due_a_decision(
    hub: User, service: SupportService, youth_worker: User
) -> None:
    child = _child(hub)
    _refer(hub, child, service)
    referral = services.raise_concern(
        child,
        concerns="Seen getting into cars with older men",
        exploitation_types=["cse"],
        acting_user=youth_worker,
    )
    assert referral.referring_agency == youth_worker.agency
    assert referral.source == "5D"
    decisions = [i for i in due_items(hub) if i.kind == "decision"]
    assert [i.link for i in decisions] == [f"/referrals/{referral.pk}/decision"]
    with pytest.raises(AccessDeniedError):
        services.raise_concern(child, concerns="x", exploitation_types=["cse"], acting_user=hub)
    assert Referral.objects.count() == 1


def test_a_partners_observation_is_on_the_hubs_timeline_marked_with_their_agency(
    hub: User, service: SupportService, youth_worker: User
) -> None:
    child = _child(hub)
    _refer(hub, child, service)
    partner = sign_in_verified(Client(), youth_worker)
    page = partner.post(
        f"/children/{child.pk}/observations/new", {"text": "Has a new phone and new trainers"}
    )
    assert page.status_code == 302
    hub_client = sign_in_verified(Client(), hub)
    shown = hub_client.get(f"/children/{child.pk}").content.decode()
    assert f"Observation by {youth_worker.agency.name}" in shown
    assert "Has a new phone and new trainers" in shown
    assert "Support from other agencies" in shown


def test_a_decision_of_pathway_referral_needs_an_agency_offering_a_service(
    hub: User, service: SupportService
) -> None:
    child = _child(hub, level=None)
    received = timezone.now() - dt.timedelta(hours=2)
    referral = referrals.receive_referral(
        child=child,
        received_at=received,
        source="6",
        concerns="x",
        exploitation_types=["cse"],
        acting_user=hub,
    )
    police = Agency.objects.create(name="Police", agency_type=AgencyType.POLICE)
    with pytest.raises(ValidationError) as refused:
        referrals.record_decision(
            referral, outcome="pathway_referral", pathway_agency=police, acting_user=hub
        )
    assert refused.value.message_dict == {
        "pathway_agency": ["Choose an agency that offers a support service"]
    }
    client = sign_in_verified(Client(), hub)
    answer = client.post(
        f"/referrals/{referral.pk}/decision",
        {"outcome": "pathway_referral", "pathway_agency": service.agency_id, "rationale": "r"},
    )
    assert answer.status_code == 302
    assert answer["Location"] == f"/children/{child.pk}/pathway/new?referral={referral.pk}"


def test_a_breach_tells_each_manager_once_in_the_app_and_by_one_email(
    hub: User,
    service: SupportService,
    make_user: Callable[..., User],
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """The scheduled check, run three times, records the breach once and tells the service's
    manager and every hub manager once each: one in-app notification each, and one email each
    through a real SMTP server, with a reference and a link but no name."""
    service_manager = make_user(Role.PARTNER_WORKER, email="youth.manager@example.test")
    service_manager.agency = service.agency
    service_manager.save()
    service.managers.set([service_manager])
    manager = make_user(Role.HUB_MANAGER, email="hub.manager@example.test")
    child = _child(hub)
    (late,) = _refer(hub, child, service)
    PathwayReferral.objects.filter(pk=late.pk).update(
        accept_due_at=timezone.now() - dt.timedelta(hours=1)
    )
    sink = _Sink()
    smtp = Controller(sink, hostname="127.0.0.1", port=_free_port())
    smtp.start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = smtp.hostname, smtp.port
        for _ in range(3):
            with django_capture_on_commit_callbacks(execute=True):
                call_command("checks", "run", "pathway-timeliness")
        deadline = time.monotonic() + 10
        while len(sink.messages) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.2)  # a third email, were one sent, would have arrived by now
    finally:
        smtp.stop()

    assert PathwayBreach.objects.filter(referral=late).count() == 1
    told = Notification.objects.filter(key=f"pathway-referral:{late.pk}:accept-breach")
    assert sorted(n.recipient_id for n in told) == sorted([service_manager.pk, manager.pk])
    assert sorted(r for m in sink.messages for r in m.rcpt_tos) == [
        "hub.manager@example.test",
        "youth.manager@example.test",
    ]
    for message in sink.messages:
        body = message.content.decode()
        assert f"PR-{late.pk:06d}" in body
        assert f"/pathway/{late.pk}" in body
        for personal in (child.given_name, child.family_name, "2011"):
            assert personal not in body


def test_an_agencys_system_answers_its_referrals_with_its_api_key(
    hub: User, service: SupportService, youth_worker: User, make_user: Callable[..., User]
) -> None:
    """Without a person signing in: the agency's key lists, accepts (naming the worker) and
    records first contact; another agency's key sees nothing and gets 404."""
    admin = make_user(Role.ADMINISTRATOR)
    _, key = api_keys.issue(service.agency, name="Youth case system", days=30, acting_user=admin)
    other_agency = AgencyFactory(name="Another agency")
    _, other_key = api_keys.issue(other_agency, name="Theirs", days=30, acting_user=admin)
    child = _child(hub)
    (made,) = _refer(hub, child, service)
    system = Client(headers={"authorization": f"Bearer {key}"})
    assert [r["id"] for r in system.get("/api/v1/pathway-referrals").json()] == [made.pk]
    nameless = system.post(
        f"/api/v1/pathway-referrals/{made.pk}/accept", {}, content_type="application/json"
    )
    assert nameless.status_code == 422
    assert [e["field"] for e in nameless.json()["errors"]] == ["worker"]
    accepted = system.post(
        f"/api/v1/pathway-referrals/{made.pk}/accept",
        {"worker": youth_worker.username},
        content_type="application/json",
    )
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["worker"] == youth_worker.username
    contact = system.post(
        f"/api/v1/pathway-referrals/{made.pk}/first-contact",
        {"contacted_at": timezone.now().isoformat(), "method": "phone"},
        content_type="application/json",
    )
    assert contact.status_code == 200, contact.content
    assert AuditEvent.objects.filter(action="api_key:used", actor_agency=service.agency).exists()
    theirs = Client(headers={"authorization": f"Bearer {other_key}"})
    assert theirs.get("/api/v1/pathway-referrals").json() == []
    assert theirs.get(f"/api/v1/pathway-referrals/{made.pk}").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_simultaneous_checks_record_a_breach_once_and_simultaneous_accepts_accept_once(
    make_user: Callable[..., User], engine: str
) -> None:
    if engine == "sqlite":
        pytest.skip(THREADS_NEED_POSTGRES)
    geo.load_reference_data(acting_user=SYSTEM)
    hub = make_user(Role.HUB_PRACTITIONER)
    manager = make_user(Role.HUB_MANAGER)
    worker = make_user(Role.PARTNER_WORKER)
    service = SupportServiceFactory(name="Youth work", agency=worker.agency)
    (late,) = _refer(hub, _child(hub), service)
    PathwayReferral.objects.filter(pk=late.pk).update(
        accept_due_at=timezone.now() - dt.timedelta(hours=1)
    )
    new: list[int] = []
    outcomes = _at_once(lambda _n: new.append(len(checks.record_breaches(timezone.now()))), 5)
    assert outcomes == ["done"] * 5
    assert sorted(new) == [0, 0, 0, 0, 1]
    assert PathwayBreach.objects.filter(referral=late).count() == 1
    told = Notification.objects.filter(key=f"pathway-referral:{late.pk}:accept-breach")
    assert [n.recipient_id for n in told] == [manager.pk]
    copies = [PathwayReferral.objects.get(pk=late.pk) for _ in range(5)]
    outcomes = _at_once(lambda n: services.accept(copies[n], worker=worker, acting_user=worker), 5)
    assert outcomes == ["done"] + ["refused"] * 4
    assert AuditEvent.objects.filter(action="pathway:accepted").count() == 1


def test_a_child_handed_back_returns_to_the_hub_until_taken_back(
    hub: User, service: SupportService, youth_worker: User
) -> None:
    child = _child(hub)
    (made,) = _refer(hub, child, service)
    with pytest.raises(ValidationError, match="waiting for the service"):
        services.hand_back(made, reason="New concerns", acting_user=youth_worker)
    services.accept(made, worker=youth_worker, acting_user=youth_worker)
    services.hand_back(made, reason="Disclosed new concerns", acting_user=youth_worker)
    made.refresh_from_db()
    assert made.status == Status.HANDED_BACK
    assert [i.kind for i in due_items(hub) if i.kind.startswith("pathway")] == ["pathway_returned"]
    assert queries.inbox(youth_worker) == []
    with pytest.raises(AccessDeniedError):
        services.mark_return_seen(made, note="", acting_user=youth_worker)
    services.mark_return_seen(made, note="Strategy discussion booked", acting_user=hub)
    with pytest.raises(ValidationError, match="Nothing is waiting"):
        services.mark_return_seen(made, note="", acting_user=hub)
    titles = [e.title for e in casefile.record_as_of(child, timezone.localdate()).timeline]
    assert f"{service.name}: Handed back to the hub" in titles
    assert f"{service.name}: Seen by the hub" in titles


def test_the_partner_home_page_shows_the_ten_most_urgent_and_links_to_the_inbox(
    hub: User, service: SupportService, youth_worker: User, client: Client
) -> None:
    for n in range(12):
        _refer(hub, _child(hub, given=f"Urgent{n:02d}"), service)
    sign_in_verified(client, youth_worker)
    listed = AuditEvent.objects.filter(action="child:listed", reason="listed: pathway inbox")
    home = client.get("/").content.decode()
    shown = [n for n in range(12) if f"Urgent{n:02d} " in home]
    assert shown == list(range(10))  # referred in order, so due in order
    assert "The most urgent 10." in home
    assert 'href="/pathway"' in home
    assert listed.count() == 10
    inbox = client.get("/pathway").content.decode()
    assert all(f"Urgent{n:02d} " in inbox for n in range(12))
    assert listed.count() == 22
