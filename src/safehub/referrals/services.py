"""Taking a referral, screening it at once, deciding on it.

Screening places the child on the hub's books: a level of low or above opens an episode (or
records a change of risk on the open one), so nothing screened as a risk is left unheld.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from safehub.access.models import Agency
from safehub.access.policy import Principal, require, user_or_none
from safehub.audit import services as audit
from safehub.episodes import services as episodes
from safehub.episodes.models import SignOffKind, SignOffRequest
from safehub.people.corrections import check_version, lock, mark_withdrawn
from safehub.people.models import Child
from safehub.people.services import birth_of, refuse, save_with_history
from safehub.referrals.models import Decision, DecisionOutcome, Referral, Screening
from safehub.rules import codes, plausibility, screening
from safehub.rules.codes import RiskLevel

# A moment "now" on another machine may be a little ahead of ours.
CLOCK_SKEW = dt.timedelta(minutes=5)


@transaction.atomic
def receive_referral(  # noqa: PLR0913 - a referral is several facts
    *,
    child: Child,
    received_at: dt.datetime | None,
    source: str,
    concerns: str,
    exploitation_types: Sequence[str],
    acting_user: Principal,
    referring_agency: Agency | None = None,
    referrer_name: str = "",
    referrer_contact: str = "",
    external_reference: str | None = None,
    permission: str = "referral:create",
) -> Referral:
    """Record a referral. `permission` is what the caller needs: a partner raising a concern
    (`safehub.partnership`) holds "concern:raise" rather than the hub's "referral:create"."""
    require(acting_user, permission)
    errors: dict[str, str] = {}
    if source not in set(codes.ReferralSource):
        errors["source"] = "Choose where the referral came from"
    unknown = sorted(set(exploitation_types) - set(codes.ExploitationType))
    if unknown or not exploitation_types:
        errors["exploitation_types"] = "Choose at least one type of exploitation"
    if received_at is None:
        errors["received_at"] = "Enter the date the referral was received"
    elif received_at > timezone.now() + CLOCK_SKEW:
        errors["received_at"] = "The date received must be today or in the past"
    else:
        errors.update(plausibility.referral(birth_of(child), received_at))
    if not concerns.strip():
        errors["concerns"] = "Enter the concerns"
    if errors or received_at is None:
        raise ValidationError(errors)
    referral = Referral(
        child=child,
        received_at=received_at,
        source=source,
        concerns=concerns,
        exploitation_types=sorted(exploitation_types),
        referring_agency=referring_agency,
        referrer_name=referrer_name,
        referrer_contact=referrer_contact,
        external_reference=external_reference or None,
        recorded_by=user_or_none(acting_user),
    )
    save_with_history(referral, acting_user)
    audit.write(acting_user, "referral:received", referral)
    return referral


@transaction.atomic
def record_screening(  # noqa: PLR0913
    referral: Referral,
    answers: Mapping[str, bool],
    *,
    acting_user: Principal,
    override_level: str | None = None,
    override_reason: str = "",
    screened_at: dt.datetime | None = None,
    tool: screening.Tool | None = None,
) -> Screening:
    """Score the answers with the screening tool and open or update the child's episode."""
    require(acting_user, "screening:record", referral)
    _hold_live(referral)
    tool = tool or screening.load_tool()
    screened_at = screened_at or timezone.now()
    refuse(_after_receipt("screened_at", screened_at, referral, label="Date screened"))
    child = referral.child
    received_on = referral.received_at.date()
    # A referral recorded before the rules refused one dated before the birth has no age.
    age = (
        codes.age_on(child.date_of_birth, received_on)
        if child.date_of_birth and child.date_of_birth <= received_on
        else None
    )
    result = screening.score(tool, answers, age=age)
    computed = RiskLevel(result.level)
    final = computed
    if override_level and RiskLevel(override_level) != computed:
        if not override_reason.strip():
            raise ValidationError(
                {"override_reason": "Give the reason for changing the computed risk level"}
            )
        final = RiskLevel(override_level)
    proposed = None
    if final != computed and episodes.sign_off_needed(SignOffKind.OVERRIDE, acting_user):
        # The tool's level stands until a hub manager approves the override.
        proposed, final = final, computed
    record = Screening(
        referral=referral,
        tool_id=tool.id,
        tool_version=tool.version,
        answers=dict(answers),
        result=result.to_dict(),
        computed_level=computed.value,
        final_level=final.value,
        override_reason=override_reason.strip() if final != computed else "",
        screened_at=screened_at,
        screened_by=user_or_none(acting_user),
    )
    save_with_history(record, acting_user)
    audit.write(acting_user, "screening:recorded", record)
    if final != computed:
        audit.write(acting_user, "screening:overridden", record)
    if proposed is not None:
        episodes.request_sign_off(
            SignOffKind.OVERRIDE,
            child=child,
            reasons=override_reason.strip(),
            proposal={"level": proposed.value, "reason": override_reason.strip()},
            acting_user=acting_user,
            referral_id=referral.pk,
            screening_id=record.pk,
        )
    if final != RiskLevel.NONE:
        episode = episodes.hold_at_risk(
            child,
            level=final,
            on=timezone.localtime(referral.received_at).date(),
            reason=f"Screening of referral {referral.pk}",
            acting_user=acting_user,
        )
        if referral.episode_id != episode.pk:
            referral.episode = episode
            save_with_history(referral, acting_user)
    return record


@transaction.atomic
def record_decision(  # noqa: PLR0913
    referral: Referral,
    *,
    outcome: str,
    acting_user: Principal,
    rationale: str = "",
    pathway_agency: Agency | None = None,
    decided_at: dt.datetime | None = None,
    signed_off: SignOffRequest | None = None,
) -> Decision | SignOffRequest:
    """Record the decision; or, for no further action on a medium- or high-risk screening by
    someone other than a hub manager (when `SAFEHUB_SIGN_OFF` says so), ask for sign-off: the
    referral keeps no decision, and stays in the triage queue, until a manager approves."""
    require(acting_user, "decision:record", referral)
    _hold_live(referral)
    if Decision.objects.filter(referral=referral).exists():
        raise ValidationError({"outcome": "A decision has already been recorded"})
    if (
        signed_off is None
        and SignOffRequest.objects.filter(
            referral=referral, kind=SignOffKind.NO_FURTHER_ACTION, status="waiting"
        ).exists()
    ):
        raise ValidationError(
            {"outcome": "A decision of no further action is waiting for a hub manager's sign-off"}
        )
    if outcome == "pathway_referral" and pathway_agency is None:
        raise ValidationError({"pathway_agency": "Choose the agency the child is referred to"})
    if pathway_agency is not None:
        # The reverse relation of partnership's SupportService: no import of a higher layer.
        offers = pathway_agency.support_services.filter(is_active=True).exists()
        refuse(plausibility.pathway_agency(offers))
    decided_at = decided_at or timezone.now()
    refuse(_after_receipt("decided_at", decided_at, referral, label="Date decided"))
    if signed_off is None and _needs_sign_off(referral, outcome, acting_user):
        if not rationale.strip():
            raise ValidationError(
                {"rationale": "Give the reasons for no further action, for the hub manager"}
            )
        return episodes.request_sign_off(
            SignOffKind.NO_FURTHER_ACTION,
            child=referral.child,
            reasons=rationale.strip(),
            proposal={"outcome": outcome, "decided_at": decided_at.isoformat()},
            acting_user=acting_user,
            referral_id=referral.pk,
        )
    decision = Decision(
        referral=referral,
        outcome=outcome,
        rationale=rationale,
        pathway_agency=pathway_agency,
        decided_at=decided_at,
        decided_by=signed_off.requested_by if signed_off else user_or_none(acting_user),
    )
    save_with_history(decision, acting_user)
    audit.write(acting_user, "decision:recorded", decision)
    return decision


def _needs_sign_off(referral: Referral, outcome: str, acting_user: Principal) -> bool:
    if outcome != DecisionOutcome.NO_FURTHER_ACTION:
        return False
    latest = referral.screenings.order_by("-screened_at", "-id").first()
    return (
        latest is not None
        and latest.final_level in {RiskLevel.MEDIUM, RiskLevel.HIGH}
        and episodes.sign_off_needed(SignOffKind.NO_FURTHER_ACTION, acting_user)
    )


REFERRAL_LABELS = {
    "received_at": "Date received",
    "source": "Source",
    "withdrawal_reason": "Reason withdrawn",
}


def _hold_live(referral: Referral) -> None:
    """Lock the referral's row, bring the caller's copy up to date, refuse it if withdrawn.

    The lock makes screening, deciding and withdrawing take turns: a decision cannot be
    recorded on a referral withdrawn a moment before, nor two decisions at once.
    """
    lock(Referral, referral.pk)
    referral.refresh_from_db()
    if referral.withdrawn:
        raise ValidationError("This referral was withdrawn as recorded in error")


@transaction.atomic
def withdraw_referral(
    referral: Referral,
    *,
    reason: str,
    acting_user: Principal,
    expected_version: int | None = None,
) -> Referral:
    """Withdraw a referral recorded in error (reason required): it stays in the child's history
    and the audit trail, but leaves the triage queue and every figure.

    The episode its screening opened is withdrawn with it when no other live referral holds
    it, since the child was only held as at risk because of this one.
    """
    require(acting_user, "referral:withdraw", referral)
    referral = lock(Referral, referral.pk)
    check_version(referral, expected_version, labels=REFERRAL_LABELS)
    mark_withdrawn(referral, reason=reason, acting_user=acting_user)
    save_with_history(referral, acting_user)
    audit.write(acting_user, "referral:withdrawn", referral)
    episode = referral.episode
    if (
        episode is not None
        and not episode.withdrawn
        and not episode.referrals.filter(withdrawn_at__isnull=True).exists()
    ):
        episodes.withdraw_episode(
            episode,
            reason=f"Opened on referral {referral.pk}, withdrawn as recorded in error",
            acting_user=acting_user,
        )
    return referral


def _after_receipt(
    field: str, moment: dt.datetime, referral: Referral, *, label: str
) -> plausibility.Problems:
    """Work on a referral happens after it was received, and not in the future."""
    if moment < referral.received_at:
        return [(field, f"{label} must be on or after the date the referral was received")]
    if moment > timezone.now() + CLOCK_SKEW:
        return [(field, f"{label} must be today or in the past")]
    return []
