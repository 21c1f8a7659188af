"""Pathway referrals, step by step: the hub refers, the service answers and works, and reports.

Each step is one transaction: checked against the policy and the referral's state (locked, so
two people answering at once cannot both accept), time-stamped as a `PathwayStep` for the
child's timeline, and audited.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from safehub.access.models import Agency, Role, User
from safehub.access.policy import OutOfScopeError, Principal, require, user_or_none
from safehub.audit import services as audit
from safehub.geo.models import AreaCommittee
from safehub.partnership import alerts, eligibility
from safehub.partnership.models import (
    ContactMethod,
    Observation,
    Outcome,
    PathwayReferral,
    PathwayStep,
    Status,
    StepKind,
    SupportService,
)
from safehub.people import sharing
from safehub.people.corrections import lock
from safehub.people.models import Child, Share
from safehub.people.services import refuse, save_with_history
from safehub.referrals import services as referrals
from safehub.referrals.models import Decision, DecisionOutcome, Referral
from safehub.rules import plausibility, working_time

CLOCK_SKEW = dt.timedelta(minutes=5)

# Where a concern raised by a partner comes from, as a CIN census ReferralSource code.
SOURCE_BY_AGENCY_TYPE = {
    "youth_service": "5D",
    "early_help": "5B",
    "education": "2B",
    "health": "3F",
    "police": "6",
    "voluntary_sector": "8",
}


def _step(
    referral: PathwayReferral, kind: str, *, at: dt.datetime, text: str, acting_user: Principal
) -> PathwayStep:
    step = PathwayStep(
        referral=referral,
        kind=kind,
        at=at,
        recorded_at=timezone.now(),
        recorded_by=user_or_none(acting_user),
        text=text,
    )
    save_with_history(step, acting_user)
    return step


def _when(field: str, moment: dt.datetime | None, *, after: dt.datetime, label: str) -> dt.datetime:
    """A step happens after the one before it (to the minute, as forms give times), and not in
    the future."""
    moment = moment or timezone.now()
    if moment < after.replace(second=0, microsecond=0):
        refuse([(field, f"{label} must be on or after the referral's previous step")])
    if moment > timezone.now() + CLOCK_SKEW:
        refuse([(field, f"{label} must be today or in the past")])
    return moment


@transaction.atomic
def refer(  # noqa: PLR0913 - a referral and the share that goes with it
    child: Child,
    *,
    services: Sequence[SupportService],
    message: str,
    lawful_basis: str,
    purpose: str,
    sections: Sequence[str],
    expires_on: dt.date,
    acting_user: Principal,
    decision: Decision | None = None,
    referred_at: dt.datetime | None = None,
) -> list[PathwayReferral]:
    """Refer the child to each service, sharing the record with each service's agency (one share
    per agency, with the sections and expiry chosen) in the same transaction."""
    require(acting_user, "pathway:refer", child)
    referred_at = referred_at or timezone.now()
    errors: plausibility.Problems = []
    if not services:
        errors.append(("services", "Choose at least one service"))
    if not message.strip():
        errors.append(("message", "Enter a message for the service"))
    errors += plausibility.text("message", message, label="Message")
    if decision is not None and (
        decision.referral.child_id != child.pk
        or decision.outcome != DecisionOutcome.PATHWAY_REFERRAL
    ):
        errors.append(("decision", "The decision must be a pathway referral about this child"))
    facts = eligibility.facts_of(child, timezone.localtime(referred_at).date())
    for service in services:
        for _, problem in plausibility.pathway_service(
            eligibility.terms_of(service),
            risk_level=facts.risk_level,
            age=facts.age,
            area=facts.area,
        ):
            errors.append(("services", f"{service.name}: {problem}"))
    refuse(errors)
    shares: dict[int, Share] = {}
    made = []
    for service in services:
        agency: Agency = service.agency
        if agency.pk not in shares:
            shares[agency.pk] = sharing.share_child(
                child,
                agency=agency,
                lawful_basis=lawful_basis,
                purpose=purpose,
                sections=sections,
                expires_on=expires_on,
                reasons=f"Pathway referral to {service.name}",
                acting_user=acting_user,
            )
        referral = PathwayReferral(
            child=child,
            service=service,
            decision=decision,
            share=shares[agency.pk],
            message=message,
            risk_level=facts.risk_level or "",
            referred_at=referred_at,
            referred_by=user_or_none(acting_user),
            accept_due_at=working_time.add_working_days(referred_at, service.accept_within_days),
        )
        save_with_history(referral, acting_user)
        _step(referral, StepKind.REFERRED, at=referred_at, text=message, acting_user=acting_user)
        audit.write(acting_user, "pathway:referred", referral)
        made.append(referral)
    return made


def _answering(referral: PathwayReferral, acting_user: Principal, *states: str) -> PathwayReferral:
    """The referral locked, if the caller works for its service's agency and it is in one of
    `states`; another agency's referral is out of scope (404), a wrong state a form error."""
    require(acting_user, "pathway:respond", referral)
    locked = lock(PathwayReferral, referral.pk)
    if getattr(acting_user, "agency_id", None) != locked.service.agency_id:
        raise OutOfScopeError(
            "partnership.pathwayreferral", str(referral.pk), child_id=locked.child_id
        )
    if locked.status not in states:
        raise ValidationError(f"This referral is {locked.get_status_display().lower()}")
    return locked


@transaction.atomic
def accept(
    referral: PathwayReferral,
    *,
    worker: User,
    acting_user: Principal,
    accepted_at: dt.datetime | None = None,
) -> PathwayReferral:
    """Accept, allocating a worker of the service's agency: first contact is due from now."""
    referral = _answering(referral, acting_user, Status.AWAITING)
    if (
        worker.agency_id != referral.service.agency_id
        or worker.role != Role.PARTNER_WORKER
        or not worker.is_active
    ):
        refuse([("worker", "Choose a worker of your agency")])
    at = _when("accepted_at", accepted_at, after=referral.referred_at, label="Date accepted")
    referral.status = Status.ACCEPTED
    referral.accepted_at = at
    referral.worker = worker
    referral.first_contact_due_at = working_time.add_working_days(
        at, referral.service.first_contact_within_days
    )
    save_with_history(referral, acting_user)
    _step(referral, StepKind.ACCEPTED, at=at, text="", acting_user=acting_user)
    audit.write(acting_user, "pathway:accepted", referral)
    return referral


@transaction.atomic
def decline(
    referral: PathwayReferral,
    *,
    reason: str,
    acting_user: Principal,
    declined_at: dt.datetime | None = None,
) -> PathwayReferral:
    """Decline with a reason: the referral goes back to the hub's triage queue, and the hub
    managers are told."""
    referral = _answering(referral, acting_user, Status.AWAITING)
    if not reason.strip():
        refuse([("reason", "Enter the reason for declining")])
    refuse(plausibility.text("reason", reason, label="Reason"))
    at = _when("declined_at", declined_at, after=referral.referred_at, label="Date declined")
    referral.status = Status.DECLINED
    referral.declined_at = at
    referral.decline_reason = reason
    referral.returned_at = at
    referral.return_reason = reason
    save_with_history(referral, acting_user)
    _step(referral, StepKind.DECLINED, at=at, text=reason, acting_user=acting_user)
    audit.write(acting_user, "pathway:declined", referral)
    alerts.returned_to_hub(referral, what="declined")
    return referral


@transaction.atomic
def record_first_contact(
    referral: PathwayReferral,
    *,
    contacted_at: dt.datetime,
    method: str,
    acting_user: Principal,
    note: str = "",
) -> PathwayReferral:
    referral = _answering(referral, acting_user, Status.ACCEPTED)
    if referral.first_contact_at is not None:
        refuse([("contacted_at", "First contact has already been recorded")])
    if method not in ContactMethod.values:
        refuse([("method", "Choose how the first contact was made")])
    assert referral.accepted_at is not None  # noqa: S101 - accepted
    at = _when("contacted_at", contacted_at, after=referral.accepted_at, label="Date of contact")
    refuse(plausibility.text("note", note, label="Note"))
    referral.first_contact_at = at
    referral.first_contact_method = method
    save_with_history(referral, acting_user)
    text = ContactMethod(method).label + (f": {note}" if note.strip() else "")
    _step(referral, StepKind.FIRST_CONTACT, at=at, text=text, acting_user=acting_user)
    audit.write(acting_user, "pathway:first_contact", referral)
    return referral


@transaction.atomic
def record_update(
    referral: PathwayReferral,
    *,
    text: str,
    acting_user: Principal,
    at: dt.datetime | None = None,
) -> PathwayStep:
    """An engagement update: how the work with the young person is going."""
    referral = _answering(referral, acting_user, Status.ACCEPTED)
    if not text.strip():
        refuse([("text", "Enter the update")])
    refuse(plausibility.text("text", text, label="Update"))
    assert referral.accepted_at is not None  # noqa: S101 - accepted
    when = _when("at", at, after=referral.accepted_at, label="Date of the update")
    step = _step(referral, StepKind.UPDATE, at=when, text=text, acting_user=acting_user)
    audit.write(acting_user, "pathway:updated", referral)
    return step


@transaction.atomic
def close(
    referral: PathwayReferral,
    *,
    outcome: str,
    acting_user: Principal,
    note: str = "",
    closed_at: dt.datetime | None = None,
) -> PathwayReferral:
    referral = _answering(referral, acting_user, Status.ACCEPTED)
    if outcome not in Outcome.values:
        refuse([("outcome", "Choose the outcome")])
    refuse(plausibility.text("note", note, label="Note"))
    assert referral.accepted_at is not None  # noqa: S101 - accepted
    at = _when("closed_at", closed_at, after=referral.accepted_at, label="Date closed")
    referral.status = Status.CLOSED
    referral.closed_at = at
    referral.outcome = outcome
    save_with_history(referral, acting_user)
    text = Outcome(outcome).label + (f": {note}" if note.strip() else "")
    _step(referral, StepKind.CLOSED, at=at, text=text, acting_user=acting_user)
    audit.write(acting_user, "pathway:closed", referral)
    return referral


@transaction.atomic
def hand_back(
    referral: PathwayReferral,
    *,
    reason: str,
    acting_user: Principal,
    at: dt.datetime | None = None,
) -> PathwayReferral:
    """Hand the child back to the hub (new concerns, or the service can do no more)."""
    referral = _answering(referral, acting_user, Status.ACCEPTED)
    if not reason.strip():
        refuse([("reason", "Enter why the child is handed back")])
    refuse(plausibility.text("reason", reason, label="Reason"))
    assert referral.accepted_at is not None  # noqa: S101 - accepted
    when = _when("at", at, after=referral.accepted_at, label="Date handed back")
    referral.status = Status.HANDED_BACK
    referral.closed_at = when
    referral.returned_at = when
    referral.return_reason = reason
    save_with_history(referral, acting_user)
    _step(referral, StepKind.HANDED_BACK, at=when, text=reason, acting_user=acting_user)
    audit.write(acting_user, "pathway:handed_back", referral)
    alerts.returned_to_hub(referral, what="handed_back")
    return referral


@transaction.atomic
def mark_return_seen(
    referral: PathwayReferral, *, note: str, acting_user: Principal
) -> PathwayReferral:
    """The hub has seen a declined or handed-back referral: it leaves the triage queue."""
    require(acting_user, "pathway:refer", referral)
    referral = lock(PathwayReferral, referral.pk)
    if referral.returned_at is None or referral.return_seen_at is not None:
        raise ValidationError("Nothing is waiting for the hub on this referral")
    refuse(plausibility.text("note", note, label="Note"))
    now = timezone.now()
    referral.return_seen_at = now
    referral.return_seen_by = user_or_none(acting_user)
    save_with_history(referral, acting_user)
    _step(referral, StepKind.RETURN_SEEN, at=now, text=note, acting_user=acting_user)
    audit.write(acting_user, "pathway:return:seen", referral)
    return referral


@transaction.atomic
def add_observation(
    child: Child, *, text: str, acting_user: Principal, observed_at: dt.datetime | None = None
) -> Observation:
    """A partner worker's observation, on the child's timeline marked with their agency.

    The caller has read `child` through `people.queries.get_child` (in scope, audited)."""
    require(acting_user, "observation:add", child)
    author = user_or_none(acting_user)
    assert author is not None  # noqa: S101 - held by signed-in partner workers only
    if not text.strip():
        refuse([("text", "Enter the observation")])
    observed_at = observed_at or timezone.now()
    if observed_at > timezone.now() + CLOCK_SKEW:
        refuse([("observed_at", "Date observed must be today or in the past")])
    refuse(
        plausibility.after_birth(
            "observed_at",
            observed_at,
            plausibility.Birth(child.date_of_birth, approximate=child.dob_approximate),
            label="Date observed",
        )
    )
    observation = Observation(
        child=child,
        agency_id=author.agency_id,
        author=author,
        observed_at=observed_at,
        written_at=timezone.now(),
        text=text,
    )
    save_with_history(observation, acting_user)
    audit.write(acting_user, "child:observation:added", observation)
    return observation


@transaction.atomic
def raise_concern(
    child: Child,
    *,
    concerns: str,
    exploitation_types: Sequence[str],
    acting_user: Principal,
) -> Referral:
    """A partner's concern becomes a referral about the child from their agency, which the hub
    screens and decides on like any other (it enters the triage queue as a decision due)."""
    require(acting_user, "concern:raise", child)
    author = user_or_none(acting_user)
    assert author is not None  # noqa: S101 - held by signed-in partner workers only
    agency = author.agency
    referral = referrals.receive_referral(
        child=child,
        received_at=timezone.now(),
        source=SOURCE_BY_AGENCY_TYPE.get(agency.agency_type, "8"),
        concerns=concerns,
        exploitation_types=exploitation_types,
        referring_agency=agency,
        referrer_name=author.get_full_name(),
        acting_user=acting_user,
        permission="concern:raise",
    )
    audit.write(acting_user, "referral:raised_by_partner", referral)
    return referral


@transaction.atomic
def ensure_service(  # noqa: PLR0913 - a service's terms
    *,
    name: str,
    agency: Agency,
    acting_user: Principal,
    risk_levels: Sequence[str] = (),
    min_age: int | None = None,
    max_age: int | None = None,
    area_committees: Sequence[str] = (),
    managers: Sequence[User] = (),
    description: str = "",
) -> SupportService:
    """Set up a support service once (the demo and set-up scripts; administrators use /admin/):
    an existing service of that name is returned unchanged."""
    require(acting_user, "agencies:manage")
    service, created = SupportService.objects.get_or_create(
        name=name,
        defaults={
            "agency": agency,
            "risk_levels": list(risk_levels),
            "min_age": min_age,
            "max_age": max_age,
            "description": description,
        },
    )
    if created:
        service.area_committees.set(AreaCommittee.objects.filter(name__in=area_committees))
        service.managers.set(managers)
        audit.write(acting_user, "support_service:created", service)
    return service
