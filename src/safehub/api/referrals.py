"""Referrals: take one (about a known child or a new one), list, read, screen and decide.

Every change goes through the referral and people services, which check the policy and write
the audit; every read through the scoped queries, which audit what was shown.
"""

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Query, Router, Status
from ninja.pagination import paginate

from safehub.access.models import Agency
from safehub.api import problems
from safehub.api.keyset import KeysetPagination, Listing
from safehub.api.schemas import (
    DecisionIn,
    DecisionOut,
    ReferralFilters,
    ReferralIn,
    ReferralOut,
    ReferralSummary,
    ScreeningIn,
    ScreeningOut,
    SignOffOut,
    decision_out,
    referral_out,
    referral_summary,
    screening_out,
    sign_off_out,
)
from safehub.episodes.models import SignOffRequest
from safehub.people import queries as people_queries
from safehub.people import services as people
from safehub.people.models import Child
from safehub.referrals import queries, services
from safehub.referrals.models import Referral
from safehub.rules import screening

router = Router(tags=["referrals"])

PAGE_SIZE = 20


def _agency(name: str | None, field: str) -> Agency | None:
    if not name:
        return None
    agency = queries.agency_named(name)
    if agency is None:
        raise ValidationError({field: f"No agency is called {name!r}"})
    return agency


def _child_for(request: HttpRequest, payload: ReferralIn) -> Child:
    if payload.child_id is not None and payload.child is not None:
        raise ValidationError({"child": "Give child_id or child, not both"})
    if payload.child_id is not None:
        return people_queries.get_child(request.user, payload.child_id)
    if payload.child is None:
        raise ValidationError(
            {"child_id": "Give the child_id of a known child, or child to register a new one"}
        )
    with problems.fields_under("child"):
        child = people.register_child(
            acting_user=request.user,
            referred_on=timezone.localtime(payload.received_at).date(),
            **payload.child.identity(),
        )
        if payload.child.postcode:
            people.record_address(
                child,
                valid_from=timezone.localtime(payload.received_at).date(),
                postcode=payload.child.postcode,
                acting_user=request.user,
            )
    return child


@router.post(
    "/referrals",
    response={201: ReferralOut, **problems.PROBLEM_RESPONSES},
    summary="Receive a referral",
)
def create_referral(
    request: HttpRequest, response: HttpResponse, payload: ReferralIn
) -> Status[ReferralOut]:
    """Record a referral about a known child (`child_id`), or register the child (`child`).

    One request is one transaction: if the referral is refused, a child registered for it is
    not kept either.
    """
    agency = _agency(payload.referring_agency, "referring_agency")
    child = _child_for(request, payload)
    referral = services.receive_referral(
        child=child,
        received_at=payload.received_at,
        source=payload.source,
        concerns=payload.concerns,
        exploitation_types=list(payload.exploitation_types),
        referring_agency=agency,
        referrer_name=payload.referrer_name,
        referrer_contact=payload.referrer_contact,
        external_reference=payload.external_reference,
        acting_user=request.user,
    )
    response["Location"] = f"{request.path.rstrip('/')}/{referral.pk}"
    return Status(201, referral_out(referral))


@router.get(
    "/referrals",
    response={200: list[ReferralSummary], **problems.PROBLEM_RESPONSES},
    summary="List referrals",
)
@paginate(KeysetPagination, page_size=PAGE_SIZE, max_page_size=queries.LIST_LIMIT)
def list_referrals(request: HttpRequest, filters: Query[ReferralFilters]) -> Listing:
    """The referrals you may see, newest first, a page at a time.

    Each page has a `next` cursor: give it as `cursor` for the page after, until `next` is
    null. There is no total: counting every referral in scope on every page cost more than the
    page. Every page shown is audited with the ids of the referrals on it.
    """
    if (
        filters.received_from
        and filters.received_to
        and filters.received_to < filters.received_from
    ):
        raise ValidationError({"received_to": "Must be on or after received_from"})
    found = queries.find_referrals(
        request.user,
        received_from=filters.received_from,
        received_to=filters.received_to,
        child_id=filters.child_id,
    )

    def show(rows: Sequence[Referral]) -> list[ReferralSummary]:
        queries.record_listed(request.user, rows, context="listed: referrals")
        return [referral_summary(r) for r in rows]

    return Listing(found, show)


@router.get(
    "/referrals/{referral_id}",
    response={200: ReferralOut, **problems.PROBLEM_RESPONSES},
    summary="Read a referral",
)
def get_referral(request: HttpRequest, referral_id: int) -> ReferralOut:
    return referral_out(queries.get_referral(request.user, referral_id))


@router.post(
    "/referrals/{referral_id}/screening",
    response={201: ScreeningOut, **problems.PROBLEM_RESPONSES},
    summary="Screen a referral",
)
def screen_referral(
    request: HttpRequest, referral_id: int, payload: ScreeningIn
) -> Status[ScreeningOut]:
    """Score the answers with the current screening tool; a level above none holds the child
    in an episode (opening one, or changing the open one's risk)."""
    referral = queries.get_referral(request.user, referral_id)
    tool = screening.load_tool()
    unknown = sorted(set(payload.answers) - set(tool.indicator_keys))
    if unknown:
        raise ValidationError(
            {
                f"answers.{key}": f"{tool.id} v{tool.version} has no such indicator"
                for key in unknown
            }
        )
    recorded = services.record_screening(
        referral,
        payload.answers,
        override_level=payload.override_level,
        override_reason=payload.override_reason,
        screened_at=payload.screened_at,
        tool=tool,
        acting_user=request.user,
    )
    return Status(201, screening_out(recorded))


@router.post(
    "/referrals/{referral_id}/decision",
    response={201: DecisionOut, 202: SignOffOut, **problems.PROBLEM_RESPONSES},
    summary="Decide on a referral",
)
def decide_referral(
    request: HttpRequest, referral_id: int, payload: DecisionIn
) -> Status[DecisionOut] | Status[SignOffOut]:
    """201 with the decision; or 202 when it waits for a hub manager's sign-off (no further
    action on a medium- or high-risk screening): nothing is decided until it is approved."""
    referral = queries.get_referral(request.user, referral_id)
    decision = services.record_decision(
        referral,
        outcome=payload.outcome,
        rationale=payload.rationale,
        pathway_agency=_agency(payload.pathway_agency, "pathway_agency"),
        decided_at=payload.decided_at,
        acting_user=request.user,
    )
    if isinstance(decision, SignOffRequest):
        return Status(202, sign_off_out(decision))
    return Status(201, decision_out(decision))
