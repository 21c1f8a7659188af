"""Scoped, audited reads of pathway referrals, and what is due on them.

The hub's roles see every pathway referral; a partner worker sees those to their own agency's
services, about children still shared with that agency. Anything else answers 404.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from safehub.access.models import Agency, Role, User
from safehub.access.policy import HUB_ROLES, OutOfScopeError, Principal, can, require
from safehub.audit import services as audit
from safehub.partnership.models import (
    Observation,
    PathwayReferral,
    PathwayStep,
    Status,
    SupportService,
)
from safehub.people.models import Child
from safehub.people.queries import children_for
from safehub.rules import working_time
from safehub.rules.working_time import Rag

INBOX_LIMIT = 500
OPEN = (Status.AWAITING, Status.ACCEPTED)


def pathway_referrals_for(user: Principal) -> QuerySet[PathwayReferral]:
    """The pathway referrals this user may see at all."""
    if not can(user, "pathway:view"):
        return PathwayReferral.objects.none()
    if getattr(user, "role", None) in HUB_ROLES:
        return PathwayReferral.objects.all()
    agency_id = getattr(user, "agency_id", None)
    if agency_id is None:
        return PathwayReferral.objects.none()
    return PathwayReferral.objects.filter(
        service__agency_id=agency_id, child__in=children_for(user)
    )


def get_pathway_referral(user: Principal, pk: int) -> PathwayReferral:
    """One pathway referral, or 404 outside the caller's scope (a role that sees none has an
    empty scope, so it too gets 404, as for a child); the read is audited."""
    referral = (
        pathway_referrals_for(user)
        .filter(pk=pk)
        .select_related("child", "service", "service__agency", "worker", "referred_by")
        .first()
    )
    if referral is None:
        raise OutOfScopeError("partnership.pathwayreferral", str(pk))
    audit.write(user, "pathway:viewed", referral)
    return referral


def steps_of(referral: PathwayReferral) -> list[PathwayStep]:
    """The referral's steps, oldest first; the caller has read the referral (scoped, audited)."""
    return list(referral.steps.select_related("recorded_by", "recorded_by__agency"))


@dataclass(frozen=True)
class Due:
    """What is due next on a pathway referral, and by when."""

    kind: str
    start: dt.datetime
    due: dt.datetime

    @property
    def label(self) -> str:
        return DUE_LABELS[self.kind]


DUE_LABELS = {
    "pathway_acceptance": "Accept or decline pathway referral",
    "pathway_first_contact": "First contact (pathway referral)",
    "pathway_returned": "Pathway referral returned to the hub",
}


# What `due_of` reads of a referral.
_DUE_FIELDS = (
    "status",
    "referred_at",
    "accept_due_at",
    "accepted_at",
    "first_contact_at",
    "first_contact_due_at",
    "returned_at",
    "return_seen_at",
)


def due_of(referral: PathwayReferral) -> Due | None:
    """Awaiting acceptance, awaiting first contact, or back with the hub (declined or handed
    back, and not yet seen): the one thing due, with its due time."""
    if referral.status == Status.AWAITING:
        return Due("pathway_acceptance", referral.referred_at, referral.accept_due_at)
    if (
        referral.status == Status.ACCEPTED
        and referral.first_contact_at is None
        and referral.accepted_at is not None
        and referral.first_contact_due_at is not None
    ):
        return Due("pathway_first_contact", referral.accepted_at, referral.first_contact_due_at)
    if referral.returned_at is not None and referral.return_seen_at is None:
        return Due(
            "pathway_returned",
            referral.returned_at,
            working_time.decision_due(referral.returned_at),
        )
    return None


def _waiting() -> Q:
    return (
        Q(status=Status.AWAITING)
        | Q(status=Status.ACCEPTED, first_contact_at__isnull=True)
        | Q(returned_at__isnull=False, return_seen_at__isnull=True)
    )


def waiting(children: QuerySet[Child]) -> QuerySet[PathwayReferral]:
    """Pathway referrals of these children with something due (`due_of`): the triage queue's
    source (awaiting acceptance or first contact, which the hub follows up, and referrals
    declined or handed back, on which the hub must decide again)."""
    return PathwayReferral.objects.filter(_waiting(), child__in=children)


@dataclass(frozen=True)
class InboxRow:
    referral: PathwayReferral
    due: Due | None
    rag: Rag | None
    remaining: str


def inbox(
    user: Principal, *, now: dt.datetime | None = None, limit: int = INBOX_LIMIT
) -> list[InboxRow]:
    """A partner worker's agency's open pathway referrals (its inbox and caseload), most urgent
    first, the first `limit` of them; each child listed is audited."""
    require(user, "pathway:inbox")
    now = now or timezone.now()
    open_referrals = pathway_referrals_for(user).filter(status__in=OPEN)
    # Which come first needs only the times `due_of` reads; the page's rows are then read
    # whole, with their children, so a short list does not build every open referral's.
    timed = open_referrals.only(*_DUE_FIELDS).order_by("referred_at")[:INBOX_LIMIT]
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    first = sorted(
        ((due_of(referral), referral.pk) for referral in timed),
        key=lambda pair: (pair[0] is None, pair[0].due if pair[0] else far, pair[1]),
    )[:limit]
    whole = open_referrals.filter(pk__in=[pk for _, pk in first])
    by_pk = whole.select_related("child", "service", "worker").defer("message").in_bulk()
    result = []
    for due, pk in first:
        rag = None
        remaining = ""
        if due is not None:
            rag = working_time.rag(now=now, due=due.due, period_start=due.start)
            remaining = working_time.describe_remaining(working_time.time_remaining(now, due.due))
        result.append(InboxRow(by_pk[pk], due, rag, remaining))
    audit.write_each(
        user,
        "child:listed",
        {r.referral.child_id: r.referral.child for r in result}.values(),
        context="listed: pathway inbox",
    )
    return result


def workers_of(agency: Agency) -> QuerySet[User]:
    """Who a service may allocate: the active partner workers of its agency."""
    return User.objects.filter(agency=agency, role=Role.PARTNER_WORKER, is_active=True)


def active_services() -> QuerySet[SupportService]:
    return SupportService.objects.filter(is_active=True, agency__is_active=True).select_related(
        "agency"
    )


def of_child(child: Child) -> list[PathwayReferral]:
    """The child's pathway referrals, newest first: for the hub's child page (the caller has
    read the child through `people.queries.get_child`)."""
    referrals = child.pathway_referrals.select_related("service").only(
        "child_id", "service__name", "referred_at", "status", "outcome", "first_contact_at"
    )
    return list(referrals.order_by("-referred_at", "-pk"))


def steps_of_child(child: Child, end: dt.datetime) -> QuerySet[PathwayStep]:
    """The child's pathway steps up to `end`, each with its service's name, for the timeline."""
    return (
        PathwayStep.objects.filter(referral__child=child, at__lt=end)
        .select_related("referral__service")
        .only("referral_id", "kind", "at", "text", "referral__service__name")
    )


def observations_of_child(child: Child, end: dt.datetime) -> QuerySet[Observation]:
    """Partners' observations of the child up to `end`, each with its agency, for the timeline."""
    return (
        Observation.objects.filter(child=child, observed_at__lt=end)
        .select_related("agency")
        .only("observed_at", "text", "agency__name")
    )
