"""Holding a child as at risk: opening, re-grading, reviewing and closing episodes."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from safehub.access.models import Role, User
from safehub.access.policy import Principal, require, user_or_none
from safehub.audit import services as audit
from safehub.episodes.models import (
    Episode,
    MissingEpisode,
    MissingKind,
    Review,
    RiskChange,
    SignOffKind,
    SignOffRequest,
    SignOffStatus,
)
from safehub.people.corrections import check_version, lock, mark_withdrawn
from safehub.people.models import Child
from safehub.people.services import birth_of, refuse, save_with_history
from safehub.rules import plausibility
from safehub.rules.codes import RiskLevel


def level_on(episode: Episode, on: dt.date) -> str | None:
    change = episode.risk_changes.filter(effective_on__lte=on, withdrawn_at__isnull=True).order_by(
        "-effective_on", "-id"
    )
    first = change.first()
    return first.level if first else None


@transaction.atomic
def hold_at_risk(
    child: Child, *, level: RiskLevel, on: dt.date, reason: str, acting_user: Principal
) -> Episode:
    """Open an episode at `level`, or change the open episode's level when it differs.

    The child's row is locked first, so two screenings at once cannot both open an episode.
    """
    require(acting_user, "episode:update", child)
    lock(Child, child.pk)
    episode = Episode.objects.filter(
        child=child, closed_on__isnull=True, withdrawn_at__isnull=True
    ).first()
    if episode is None:
        # Opened unallocated: a hub manager allocates it (safehub.episodes.allocation).
        episode = Episode(child=child, opened_on=on)
        save_with_history(episode, acting_user)
        audit.write(acting_user, "episode:opened", episode)
        _record_change(episode, level, on, reason, acting_user)
    elif level_on(episode, max(on, episode.opened_on)) != level:
        _record_change(episode, level, max(on, episode.opened_on), reason, acting_user)
    return episode


@transaction.atomic
def change_risk(
    episode: Episode, *, level: str, effective_on: dt.date, reason: str, acting_user: Principal
) -> RiskChange:
    """Escalate or de-escalate. A reason is required: the history must explain itself."""
    require(acting_user, "episode:update", episode)
    if not reason.strip():
        raise ValidationError({"reason": "Give the reason for the change of risk"})
    refuse(
        plausibility.risk_change(
            effective=effective_on, opened=episode.opened_on, closed=episode.closed_on
        )
    )
    return _record_change(episode, RiskLevel(level), effective_on, reason, acting_user)


def _record_change(
    episode: Episode, level: RiskLevel, on: dt.date, reason: str, acting_user: Principal
) -> RiskChange:
    previous = level_on(episode, on)
    change = RiskChange(
        episode=episode,
        level=level.value,
        effective_on=on,
        reason=reason,
        recorded_by=user_or_none(acting_user),
    )
    save_with_history(change, acting_user)
    if previous is None:
        tag = "episode:risk:set"
    elif RiskLevel(previous).rank < level.rank:
        tag = "episode:risk:escalated"
    else:
        tag = "episode:risk:de-escalated"
    audit.write(acting_user, tag, change)
    return change


CLOSE_LABELS = {"closed_on": "Date closed", "closure_reason": "Reason for closing"}
RETURN_LABELS = {
    "ended_at": "When the child returned",
    "return_interview_offered_at": "Return home interview offered",
    "return_interview_completed_at": "Return home interview done",
}


def sign_off_needed(kind: SignOffKind, acting_user: Principal) -> bool:
    """Whether this decision by this user waits for a hub manager (`SAFEHUB_SIGN_OFF`).

    A hub manager's own decision takes effect at once: they are the one who signs off. The
    server operator's commands (imports, the demo) are not decisions made now.
    """
    account = user_or_none(acting_user)
    return (
        kind.value in settings.SAFEHUB_SIGN_OFF
        and account is not None
        and account.role != Role.HUB_MANAGER
    )


def request_sign_off(  # noqa: PLR0913 - what is asked, about what, and why
    kind: SignOffKind,
    *,
    child: Child,
    reasons: str,
    proposal: dict[str, object],
    acting_user: Principal,
    referral_id: int | None = None,
    screening_id: int | None = None,
    episode: Episode | None = None,
) -> SignOffRequest:
    """Hold a decision back for a manager's approval (the caller's transaction)."""
    account = user_or_none(acting_user)
    assert isinstance(account, User)  # noqa: S101 - sign_off_needed said so
    waiting = SignOffRequest.objects.filter(kind=kind, status=SignOffStatus.WAITING)
    if referral_id is None:
        waiting = waiting.filter(referral__isnull=True, episode=episode)
    else:
        waiting = waiting.filter(referral_id=referral_id)
    refused = {"reasons": "This is already waiting for a hub manager's sign-off"}
    if waiting.exists():
        raise ValidationError(refused)
    try:
        with transaction.atomic():
            request = SignOffRequest(
                kind=kind,
                child=child,
                referral_id=referral_id,
                screening_id=screening_id,
                episode=episode,
                proposal=proposal,
                reasons=reasons,
                requested_by=account,
                requested_at=timezone.now(),
            )
            save_with_history(request, acting_user)
    except IntegrityError as error:  # asked by someone else a moment ago
        raise ValidationError(refused) from error
    audit.write(acting_user, "sign_off:requested", request)
    return request


@transaction.atomic
def close_episode(  # noqa: PLR0913 - the closure, and the sign-off it may carry
    episode: Episode,
    *,
    closed_on: dt.date,
    reason: str,
    acting_user: Principal,
    expected_version: int | None = None,
    signed_off: SignOffRequest | None = None,
) -> Episode | SignOffRequest:
    """Close the episode, once: the row is locked, so of simultaneous closes one succeeds.

    When closures need sign-off (`sign_off_needed`) and none is given, nothing closes: a
    request waits for a manager, who approves it through `safehub.referrals.signoff`.
    """
    require(acting_user, "episode:update", episode)
    episode = lock(Episode, episode.pk)
    check_version(episode, expected_version, labels=CLOSE_LABELS)
    errors = {}
    if episode.withdrawn:
        errors["closed_on"] = "This episode was withdrawn as entered in error"
    if episode.closed_on is not None:
        errors["closed_on"] = "This episode is already closed"
    else:
        errors.update(
            plausibility.episode(
                birth_of(episode.child), opened=episode.opened_on, closed=closed_on
            )
        )
    if not reason.strip():
        errors["closure_reason"] = "Give the reason for closing"
    if errors:
        raise ValidationError(errors)
    if signed_off is None and sign_off_needed(SignOffKind.CLOSURE, acting_user):
        return request_sign_off(
            SignOffKind.CLOSURE,
            child=episode.child,
            reasons=reason,
            proposal={"closed_on": closed_on.isoformat(), "reason": reason},
            acting_user=acting_user,
            episode=episode,
        )
    episode.closed_on = closed_on
    episode.closure_reason = reason
    save_with_history(episode, acting_user)
    audit.write(acting_user, "episode:closed", episode)
    return episode


@transaction.atomic
def record_review(
    episode: Episode, *, reviewed_on: dt.date, summary: str, acting_user: Principal
) -> Review:
    require(acting_user, "episode:review", episode)
    if reviewed_on < episode.opened_on:
        raise ValidationError({"reviewed_on": "The review date must be after the episode opened"})
    review = Review(
        episode=episode,
        reviewed_on=reviewed_on,
        summary=summary,
        reviewed_by=user_or_none(acting_user),
    )
    save_with_history(review, acting_user)
    audit.write(acting_user, "episode:reviewed", review)
    return review


@transaction.atomic
def record_missing_episode(  # noqa: PLR0913
    child: Child,
    *,
    started_at: dt.datetime | None,
    acting_user: Principal,
    kind: str = "missing",
    ended_at: dt.datetime | None = None,
    reported_by: str = "",
    police_reference: str = "",
    return_interview_offered_at: dt.datetime | None = None,
    return_interview_completed_at: dt.datetime | None = None,
) -> MissingEpisode:
    require(acting_user, "missing:record", child)
    if started_at is None:
        raise ValidationError({"started_at": "Enter the date the child went missing"})
    if started_at > timezone.now():
        raise ValidationError({"started_at": "The date gone missing must be in the past"})
    if kind not in MissingKind.values:
        raise ValidationError(
            {"kind": "Choose whether the child was missing or away from placement"}
        )
    refuse(
        plausibility.missing(
            birth_of(child),
            started=started_at,
            ended=ended_at,
            interview_offered=return_interview_offered_at,
            interview_completed=return_interview_completed_at,
        )
    )
    missing = MissingEpisode(
        child=child,
        kind=kind,
        started_at=started_at,
        ended_at=ended_at,
        reported_by=reported_by,
        police_reference=police_reference,
        return_interview_offered_at=return_interview_offered_at,
        return_interview_completed_at=return_interview_completed_at,
    )
    save_with_history(missing, acting_user)
    audit.write(acting_user, "missing:recorded", missing)
    return missing


@transaction.atomic
def update_missing_episode(  # noqa: PLR0913 - three dates and the version they replace
    missing: MissingEpisode,
    *,
    acting_user: Principal,
    ended_at: dt.datetime | None,
    return_interview_offered_at: dt.datetime | None,
    return_interview_completed_at: dt.datetime | None,
    expected_version: int | None = None,
) -> MissingEpisode:
    """Record the return and the return home interview; the history keeps what was there.

    With `expected_version` (the version the form was drawn from) a save from an out-of-date
    form is refused rather than quietly undoing what was saved since.
    """
    require(acting_user, "missing:record", missing)
    missing = lock(MissingEpisode, missing.pk)
    check_version(missing, expected_version, labels=RETURN_LABELS)
    if missing.withdrawn:
        raise ValidationError("This missing episode was withdrawn as entered in error")
    refuse(
        plausibility.missing(
            birth_of(missing.child),
            started=missing.started_at,
            ended=ended_at,
            interview_offered=return_interview_offered_at,
            interview_completed=return_interview_completed_at,
        )
    )
    missing.ended_at = ended_at
    missing.return_interview_offered_at = return_interview_offered_at
    missing.return_interview_completed_at = return_interview_completed_at
    save_with_history(missing, acting_user)
    audit.write(acting_user, "missing:updated", missing)
    return missing


@transaction.atomic
def withdraw_episode(
    episode: Episode,
    *,
    reason: str,
    acting_user: Principal,
    expected_version: int | None = None,
) -> Episode:
    """Withdraw an episode opened in error: it leaves the work queues and every figure.

    The row stays (with who withdrew it, when and why) and its history keeps it as it was,
    so the record as known before the withdrawal still shows it.
    """
    require(acting_user, "episode:update", episode)
    episode = lock(Episode, episode.pk)
    check_version(episode, expected_version, labels=CLOSE_LABELS)
    mark_withdrawn(episode, reason=reason, acting_user=acting_user)
    save_with_history(episode, acting_user)
    audit.write(acting_user, "episode:withdrawn", episode)
    return episode


@transaction.atomic
def withdraw_risk_change(
    change: RiskChange,
    *,
    reason: str,
    acting_user: Principal,
    expected_version: int | None = None,
) -> RiskChange:
    """Withdraw a risk grading entered in error; the level before it applies again."""
    require(acting_user, "episode:update", change.episode)
    change = lock(RiskChange, change.pk)
    check_version(
        change,
        expected_version,
        labels={"level": "Risk level", "effective_on": "From", "reason": "Reason"},
    )
    live = RiskChange.objects.filter(episode_id=change.episode_id, withdrawn_at__isnull=True)
    if live.exclude(pk=change.pk).count() == 0:
        raise ValidationError(
            {
                "reason": "This is the episode's only risk level; withdraw the referral or "
                "change the risk level instead"
            }
        )
    mark_withdrawn(change, reason=reason, acting_user=acting_user)
    save_with_history(change, acting_user)
    audit.write(acting_user, "episode:risk:withdrawn", change)
    return change


@transaction.atomic
def withdraw_missing_episode(
    missing: MissingEpisode,
    *,
    reason: str,
    acting_user: Principal,
    expected_version: int | None = None,
) -> MissingEpisode:
    """Withdraw a missing episode entered in error (a duplicate, or the wrong child)."""
    require(acting_user, "missing:record", missing)
    missing = lock(MissingEpisode, missing.pk)
    check_version(missing, expected_version, labels=RETURN_LABELS)
    mark_withdrawn(missing, reason=reason, acting_user=acting_user)
    save_with_history(missing, acting_user)
    audit.write(acting_user, "missing:withdrawn", missing)
    return missing
