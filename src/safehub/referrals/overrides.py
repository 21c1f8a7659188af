"""Oversight of the screening tool: every professional-judgement override, for a hub manager
to review (level computed, level chosen, reason, who, when) and mark reviewed."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from safehub.access.models import User
from safehub.access.policy import OutOfScopeError, Principal, require, user_or_none
from safehub.audit import services as audit
from safehub.people.queries import children_for
from safehub.referrals.models import OverrideReview, Screening

LIST_LIMIT = 100


def _overrides(user: Principal) -> QuerySet[Screening]:
    require(user, "screening:override:review")
    return (
        Screening.objects.exclude(final_level=F("computed_level"))
        .filter(referral__child__in=children_for(user))
        .select_related("referral__child", "screened_by", "override_review__reviewed_by")
    )


def _listed(user: Principal, screenings: Sequence[Screening]) -> None:
    """One audit event per child shown on the page, in one insert in the request's transaction."""
    children = {s.referral.child_id: s.referral.child for s in screenings}
    audit.write_each(
        user,
        "child:listed",
        [children[k] for k in sorted(children)],
        context="listed: screening overrides",
    )


def overrides_for_review(user: Principal) -> tuple[list[Screening], list[Screening]]:
    """Overrides waiting for review (oldest first) and the latest reviewed ones; audited."""
    found = _overrides(user)
    waiting = list(
        found.filter(override_review__isnull=True).order_by("screened_at", "pk")[:LIST_LIMIT]
    )
    reviewed = list(
        found.filter(override_review__isnull=False).order_by("-override_review__reviewed_at")[
            :LIST_LIMIT
        ]
    )
    _listed(user, [*waiting, *reviewed])
    return waiting, reviewed


@transaction.atomic
def review_override(screening_id: int, *, note: str, acting_user: Principal) -> OverrideReview:
    """Mark an override reviewed. A screening that was not overridden, or is outside the
    caller's scope, is not found; one already reviewed is refused."""
    screening = _overrides(acting_user).filter(pk=screening_id).first()
    if screening is None:
        raise OutOfScopeError("referrals.screening", str(screening_id))
    reviewer = user_or_none(acting_user)
    assert isinstance(reviewer, User)  # noqa: S101 - managers are signed-in users
    if OverrideReview.objects.filter(screening=screening).exists():
        raise ValidationError({"note": "This override has already been reviewed"})
    try:
        with transaction.atomic():
            review = OverrideReview.objects.create(
                screening=screening,
                reviewed_by=reviewer,
                reviewed_at=timezone.now(),
                note=note.strip(),
            )
    except IntegrityError as error:  # reviewed by someone else a moment ago
        raise ValidationError({"note": "This override has already been reviewed"}) from error
    audit.write(acting_user, "screening:override:reviewed", screening)
    return review
