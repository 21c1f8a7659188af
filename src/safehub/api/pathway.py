"""Pathway referrals for partners' systems: list and read those to the caller's agency, and
answer and update them (accept, decline, first contact, engagement update, outcome).

A partner worker, or the agency's system with its API key (`Authorization: Bearer shk_…`,
acting as that agency's partner: "recorded by" stays empty and the audit trail names the key),
sees only the agency's own pathway referrals, about children still shared with it; any other
id answers 404. Accepting by key must name the worker. Every step goes through
`safehub.partnership.services`.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.security import django_auth

from safehub.access.models import User
from safehub.access.policy import Principal, require, user_or_none
from safehub.api import problems
from safehub.api.auth import AgencyKey
from safehub.audit import services as audit
from safehub.partnership import queries, services
from safehub.partnership.models import ContactMethod, Outcome, PathwayReferral

# A partner worker signed in, or the agency's own case system with its API key: either way the
# caller acts as that agency's partner (`request.auth`), and sees only its pathway referrals.
router = Router(tags=["pathway referrals"], auth=[django_auth, AgencyKey()])

LIST_LIMIT = 500


def _caller(request: HttpRequest) -> Principal:
    """Whoever authenticated the request: the signed-in user, or the agency's key."""
    return request.auth  # type: ignore[attr-defined, no-any-return]


ContactCode = Literal["in_person", "phone", "video", "message", "through_school"]
OutcomeCode = Literal[
    "engaged_risk_reduced",
    "engaged_no_change",
    "declined_by_young_person",
    "not_engaged",
    "moved_away",
    "escalated",
    "other",
]


class StepOut(Schema):
    kind: str
    at: dt.datetime
    text: str


class PathwayReferralOut(Schema):
    id: int
    reference: str = Field(description="How Safehub's notifications name it: never the child.")
    child_id: int
    service: str
    agency: str
    status: str
    message: str
    referred_at: dt.datetime
    accept_due_at: dt.datetime
    accepted_at: dt.datetime | None
    worker: str | None = Field(description="The allocated worker's username.")
    first_contact_due_at: dt.datetime | None
    first_contact_at: dt.datetime | None
    first_contact_method: str | None
    declined_at: dt.datetime | None
    decline_reason: str | None
    closed_at: dt.datetime | None
    outcome: str | None
    steps: list[StepOut]


def _out(referral: PathwayReferral, *, steps: bool = True) -> PathwayReferralOut:
    return PathwayReferralOut(
        id=referral.pk,
        reference=referral.reference,
        child_id=referral.child_id,
        service=referral.service.name,
        agency=referral.service.agency.name,
        status=referral.status,
        message=referral.message,
        referred_at=referral.referred_at,
        accept_due_at=referral.accept_due_at,
        accepted_at=referral.accepted_at,
        worker=referral.worker.get_username() if referral.worker else None,
        first_contact_due_at=referral.first_contact_due_at,
        first_contact_at=referral.first_contact_at,
        first_contact_method=referral.first_contact_method or None,
        declined_at=referral.declined_at,
        decline_reason=referral.decline_reason or None,
        closed_at=referral.closed_at,
        outcome=referral.outcome or None,
        steps=[StepOut(kind=s.kind, at=s.at, text=s.text) for s in queries.steps_of(referral)]
        if steps
        else [],
    )


@router.get(
    "/pathway-referrals",
    response={200: list[PathwayReferralOut], **problems.PROBLEM_RESPONSES},
    summary="List pathway referrals",
)
def list_pathway_referrals(
    request: HttpRequest, *, open_only: bool = True
) -> list[PathwayReferralOut]:
    """The pathway referrals you may see (a partner: those to your agency's services), oldest
    first, open ones only unless `open_only=false`; steps are in each referral's own read."""
    require(_caller(request), "pathway:view")
    found = queries.pathway_referrals_for(_caller(request)).select_related(
        "service", "service__agency", "worker", "child"
    )
    if open_only:
        found = found.filter(status__in=queries.OPEN)
    rows = list(found.order_by("referred_at", "pk")[:LIST_LIMIT])
    audit.write_each(
        _caller(request),
        "child:listed",
        {r.child_id: r.child for r in rows}.values(),
        context="listed: pathway referrals",
    )
    return [_out(r, steps=False) for r in rows]


@router.get(
    "/pathway-referrals/{pathway_id}",
    response={200: PathwayReferralOut, **problems.PROBLEM_RESPONSES},
    summary="Read a pathway referral",
)
def get_pathway_referral(request: HttpRequest, pathway_id: int) -> PathwayReferralOut:
    return _out(queries.get_pathway_referral(_caller(request), pathway_id))


class AcceptIn(Schema):
    worker: str | None = Field(
        None, description="Username of the worker to allocate; yourself when left out."
    )
    accepted_at: dt.datetime | None = None


class DeclineIn(Schema):
    reason: str = Field(min_length=1)
    declined_at: dt.datetime | None = None


class FirstContactIn(Schema):
    contacted_at: dt.datetime
    method: ContactCode
    note: str = ""


class UpdateIn(Schema):
    text: str = Field(min_length=1)
    at: dt.datetime | None = None


class OutcomeIn(Schema):
    outcome: OutcomeCode
    note: str = ""
    closed_at: dt.datetime | None = None


def _worker(request: HttpRequest, username: str | None, referral: PathwayReferral) -> User:
    if username is None:
        me = user_or_none(_caller(request))
        if me is None:
            raise ValidationError({"worker": "Name the worker to allocate"})
        return me
    worker = queries.workers_of(referral.service.agency).filter(username=username).first()
    if worker is None:
        raise ValidationError({"worker": f"No worker of your agency is called {username!r}"})
    return worker


@router.post(
    "/pathway-referrals/{pathway_id}/accept",
    response={200: PathwayReferralOut, **problems.PROBLEM_RESPONSES},
    summary="Accept a pathway referral",
)
def accept(request: HttpRequest, pathway_id: int, payload: AcceptIn) -> PathwayReferralOut:
    referral = queries.get_pathway_referral(_caller(request), pathway_id)
    done = services.accept(
        referral,
        worker=_worker(request, payload.worker, referral),
        accepted_at=payload.accepted_at,
        acting_user=_caller(request),
    )
    return _out(done)


@router.post(
    "/pathway-referrals/{pathway_id}/decline",
    response={200: PathwayReferralOut, **problems.PROBLEM_RESPONSES},
    summary="Decline a pathway referral",
)
def decline(request: HttpRequest, pathway_id: int, payload: DeclineIn) -> PathwayReferralOut:
    referral = queries.get_pathway_referral(_caller(request), pathway_id)
    done = services.decline(
        referral,
        reason=payload.reason,
        declined_at=payload.declined_at,
        acting_user=_caller(request),
    )
    return _out(done)


@router.post(
    "/pathway-referrals/{pathway_id}/first-contact",
    response={200: PathwayReferralOut, **problems.PROBLEM_RESPONSES},
    summary="Record first contact",
)
def first_contact(
    request: HttpRequest, pathway_id: int, payload: FirstContactIn
) -> PathwayReferralOut:
    referral = queries.get_pathway_referral(_caller(request), pathway_id)
    done = services.record_first_contact(
        referral,
        contacted_at=payload.contacted_at,
        method=ContactMethod(payload.method),
        note=payload.note,
        acting_user=_caller(request),
    )
    return _out(done)


@router.post(
    "/pathway-referrals/{pathway_id}/updates",
    response={201: PathwayReferralOut, **problems.PROBLEM_RESPONSES},
    summary="Add an engagement update",
)
def add_update(
    request: HttpRequest, pathway_id: int, payload: UpdateIn
) -> Status[PathwayReferralOut]:
    referral = queries.get_pathway_referral(_caller(request), pathway_id)
    services.record_update(referral, text=payload.text, at=payload.at, acting_user=_caller(request))
    referral.refresh_from_db()
    return Status(201, _out(referral))


@router.post(
    "/pathway-referrals/{pathway_id}/outcome",
    response={200: PathwayReferralOut, **problems.PROBLEM_RESPONSES},
    summary="Close with an outcome",
)
def outcome(request: HttpRequest, pathway_id: int, payload: OutcomeIn) -> PathwayReferralOut:
    referral = queries.get_pathway_referral(_caller(request), pathway_id)
    done = services.close(
        referral,
        outcome=Outcome(payload.outcome),
        note=payload.note,
        closed_at=payload.closed_at,
        acting_user=_caller(request),
    )
    return _out(done)
