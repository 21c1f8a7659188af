"""A hub manager's sign-off: decisions held back until a second pair of eyes approves them.

Which decisions wait is configured per kind (`SAFEHUB_SIGN_OFF`): no further action on a
medium- or high-risk screening, an override of the screening tool, closing an episode. The
services that make those decisions (`referrals.services.record_decision`, `record_screening`,
`episodes.services.close_episode`) ask for sign-off instead of acting; here a manager approves
(the decision then takes effect, as its maker's, from now) or returns it with a note (nothing
changes; the maker can decide again). Every step is audited and on the child's timeline.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from safehub.access.policy import OutOfScopeError, Principal, require, user_or_none
from safehub.audit import services as audit
from safehub.episodes import services as episodes
from safehub.episodes.models import SignOffKind, SignOffRequest, SignOffStatus
from safehub.people.corrections import lock
from safehub.people.queries import children_for
from safehub.people.services import save_with_history
from safehub.referrals import services
from safehub.referrals.models import OverrideReview, Referral, Screening
from safehub.rules.codes import RiskLevel

LIST_LIMIT = 100


def _requests(user: Principal) -> QuerySet[SignOffRequest]:
    require(user, "sign_off:decide")
    return SignOffRequest.objects.filter(child__in=children_for(user)).select_related(
        "child", "requested_by", "decided_by", "referral", "episode", "screening"
    )


def waiting(user: Principal) -> tuple[list[SignOffRequest], list[SignOffRequest]]:
    """Requests waiting (oldest first) and the latest decided; the children listed audited."""
    found = _requests(user)
    open_ = list(found.filter(status=SignOffStatus.WAITING).order_by("requested_at", "pk"))
    done = list(
        found.exclude(status=SignOffStatus.WAITING).order_by("-decided_at", "-pk")[:LIST_LIMIT]
    )
    children = {r.child_id: r.child for r in [*open_, *done]}
    audit.write_each(
        user, "child:listed", [children[k] for k in sorted(children)], context="listed: sign-off"
    )
    return open_[:LIST_LIMIT], done


def waiting_for(referral: Referral) -> list[SignOffRequest]:
    """The requests waiting about this referral (the caller has read it, scoped)."""
    return list(
        SignOffRequest.objects.filter(referral=referral, status=SignOffStatus.WAITING).order_by(
            "requested_at"
        )
    )


def _take(request_id: int, acting_user: Principal) -> SignOffRequest:
    request = _requests(acting_user).filter(pk=request_id).first()
    if request is None:
        raise OutOfScopeError("episodes.signoffrequest", str(request_id))
    request = lock(SignOffRequest, request.pk)
    if request.status != SignOffStatus.WAITING:
        raise ValidationError({"note": "This request has already been decided"})
    if request.requested_by_id == getattr(user_or_none(acting_user), "pk", None):
        raise ValidationError({"note": "Another hub manager must sign off your own request"})
    return request


def _decided(
    request: SignOffRequest, status: SignOffStatus, note: str, acting_user: Principal
) -> None:
    request.status = status
    request.note = note.strip()
    request.decided_by = user_or_none(acting_user)
    request.decided_at = timezone.now()
    save_with_history(request, acting_user)
    audit.write(acting_user, f"sign_off:{status.value}", request)


@transaction.atomic
def approve(request_id: int, *, note: str, acting_user: Principal) -> SignOffRequest:
    """Approve: the decision takes effect now, recorded as its maker's."""
    request = _take(request_id, acting_user)
    _decided(request, SignOffStatus.APPROVED, note, acting_user)
    if request.kind == SignOffKind.NO_FURTHER_ACTION:
        assert request.referral is not None  # noqa: S101 - a decision names its referral
        referral = request.referral
        services.record_decision(
            referral,
            outcome=request.proposal["outcome"],
            rationale=request.reasons,
            decided_at=dt.datetime.fromisoformat(request.proposal["decided_at"]),
            acting_user=acting_user,
            signed_off=request,
        )
    elif request.kind == SignOffKind.OVERRIDE:
        _apply_override(request, acting_user)
    else:
        assert request.episode is not None  # noqa: S101 - a closure names its episode
        # Figures count the closure from its approval, never before it.
        asked = dt.date.fromisoformat(request.proposal["closed_on"])
        episodes.close_episode(
            request.episode,
            closed_on=max(asked, timezone.localdate()),
            reason=request.proposal["reason"],
            acting_user=acting_user,
            signed_off=request,
        )
    return request


def _apply_override(request: SignOffRequest, acting_user: Principal) -> None:
    assert request.screening_id is not None  # noqa: S101 - an override names its screening
    screening = lock(Screening, request.screening_id)
    level = RiskLevel(request.proposal["level"])
    screening.final_level = level.value
    screening.override_reason = request.proposal["reason"]
    save_with_history(screening, acting_user)
    audit.write(acting_user, "screening:overridden", screening)
    reviewer = user_or_none(acting_user)
    if reviewer is not None and not OverrideReview.objects.filter(screening=screening).exists():
        OverrideReview.objects.create(
            screening=screening,
            reviewed_by=reviewer,
            reviewed_at=timezone.now(),
            note=f"Signed off before it took effect. {request.note}".strip(),
        )
    referral = screening.referral
    if level != RiskLevel.NONE:
        episode = episodes.hold_at_risk(
            referral.child,
            level=level,
            on=timezone.localtime(referral.received_at).date(),
            reason=f"Screening of referral {referral.pk}, override signed off",
            acting_user=acting_user,
        )
        if referral.episode_id != episode.pk:
            referral.episode = episode
            save_with_history(referral, acting_user)


@transaction.atomic
def send_back(request_id: int, *, note: str, acting_user: Principal) -> SignOffRequest:
    """Return the request with a note saying why; nothing it proposed takes effect."""
    if not note.strip():
        raise ValidationError({"note": "Say why you are returning it"})
    request = _take(request_id, acting_user)
    _decided(request, SignOffStatus.RETURNED, note, acting_user)
    return request
