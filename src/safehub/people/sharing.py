"""Recorded information sharing and break-glass access: the two ways a record leaves the hub.

A share names the agency, the lawful basis, the purpose, the sections disclosed and an expiry
date; it can be revoked. Break-glass lets a partner worker open a record outside their scope
for a stated reason, for a limited time, and puts it in the hub managers' review queue.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from safehub.access.models import Agency, User
from safehub.access.policy import Principal, require, user_or_none
from safehub.audit import services as audit
from safehub.audit.models import Outcome
from safehub.people.models import BreakGlass, Child, LawfulBasis, Share, ShareSection
from safehub.people.services import save_with_history

BREAK_GLASS_DURATION = dt.timedelta(hours=1)
alerts = logging.getLogger("safehub.alerts")


@transaction.atomic
def share_child(  # noqa: PLR0913 - a sharing decision is several facts, all required
    child: Child,
    *,
    agency: Agency,
    lawful_basis: str,
    purpose: str,
    sections: Sequence[str],
    expires_on: dt.date,
    reasons: str,
    acting_user: Principal,
    episode_id: int | None = None,
) -> Share:
    require(acting_user, "child:share", child)
    errors: dict[str, str] = {}
    if lawful_basis not in LawfulBasis.values:
        errors["lawful_basis"] = "Choose the lawful basis for sharing"
    if not purpose.strip():
        errors["purpose"] = "Enter the purpose of sharing"
    if not reasons.strip():
        errors["reasons"] = "Enter the decision and the reasons for it"
    if set(sections) - set(ShareSection.values):
        errors["sections"] = "Choose sections from the list"
    if expires_on < timezone.localdate():
        errors["expires_on"] = "The expiry date must be today or in the future"
    if agency.agency_type == "childrens_services":
        errors["agency"] = "The hub's own agencies already see the record"
    if errors:
        raise ValidationError(errors)
    share = Share(
        child=child,
        episode_id=episode_id,
        agency=agency,
        lawful_basis=lawful_basis,
        purpose=purpose,
        sections=sorted(set(sections)),
        expires_on=expires_on,
        reasons=reasons,
        shared_by=user_or_none(acting_user),
        shared_at=timezone.now(),
    )
    save_with_history(share, acting_user)
    audit.write(acting_user, "child:shared", share)
    return share


@transaction.atomic
def revoke_share(share: Share, *, reason: str, acting_user: Principal) -> Share:
    require(acting_user, "child:share", share.child)
    if share.revoked_at is not None:
        raise ValidationError({"reason": "This share has already been revoked"})
    if not reason.strip():
        raise ValidationError({"reason": "Enter the reason for revoking the share"})
    share.revoked_at = timezone.now()
    share.revoked_by = user_or_none(acting_user)
    share.revoke_reason = reason
    save_with_history(share, acting_user)
    audit.write(acting_user, "child:share:revoked", share)
    return share


def _exact_matches(given_name: str, family_name: str, date_of_birth: dt.date) -> list[int]:
    """Children whose recorded first and last names and date of birth are exactly these
    (letter case and surrounding spaces aside): at most two ids, enough to tell one from many."""
    return list(
        Child.objects.filter(
            given_name__iexact=" ".join(given_name.split()),
            family_name__iexact=" ".join(family_name.split()),
            date_of_birth=date_of_birth,
            merged_into=None,
        ).values_list("pk", flat=True)[:2]
    )


@transaction.atomic
def break_glass(
    *,
    given_name: str,
    family_name: str,
    date_of_birth: dt.date,
    reason: str,
    acting_user: Principal,
) -> BreakGlass | None:
    """Open the record of the one child with exactly this name and date of birth, for an hour.

    There is no browsing: no match and several matches both return None, so the caller gives
    the same neutral answer, and the attempt is audited as refused. A match is audited with the
    reason; managers are alerted (the alerts log, which the deployment routes to them, and the
    review queue). A worker who already holds access to the child gets the same grant back.
    """
    require(acting_user, "break_glass:use")
    reason = reason.strip()
    if len(reason) < 10:  # noqa: PLR2004 - a reason, not a token gesture
        raise ValidationError({"reason": "Explain why you need to see this record now"})
    user = user_or_none(acting_user)
    assert isinstance(user, User)  # noqa: S101 - break_glass:use is held by signed-in users only
    matches = _exact_matches(given_name, family_name, date_of_birth)
    if len(matches) != 1:
        audit.write(
            acting_user,
            "child:break_glass:refused",
            object_type="people.child",
            outcome=Outcome.FAILURE,
            reason="no match" if not matches else "several matches",
        )
        return None
    child = Child.objects.get(pk=matches[0])
    now = timezone.now()
    current = BreakGlass.objects.filter(user=user, child=child, expires_at__gt=now).first()
    if current is not None:
        return current
    grant = BreakGlass.objects.create(
        child=child,
        user=user,
        reason=reason,
        granted_at=now,
        expires_at=now + BREAK_GLASS_DURATION,
    )
    audit.write(acting_user, "child:break_glass", child, reason=reason[:500])
    transaction.on_commit(
        lambda: alerts.warning(
            "break-glass access %s by user %s to child %s", grant.pk, user.pk, child.pk
        )
    )
    return grant


@transaction.atomic
def review_break_glass(
    grant: BreakGlass, *, justified: bool, note: str, acting_user: Principal
) -> BreakGlass:
    """Record a manager's review. "Not justified" needs a note and ends the access at once: the
    worker's next request for the record answers 404."""
    require(acting_user, "break_glass:review")
    grant = BreakGlass.objects.select_for_update().get(pk=grant.pk)
    if grant.reviewed_at is not None:
        raise ValidationError({"justified": "This access has already been reviewed"})
    note = note.strip()
    if not justified and not note:
        raise ValidationError({"note": "Say why the access was not justified"})
    now = timezone.now()
    grant.justified = justified
    grant.review_note = note
    grant.reviewed_by = user_or_none(acting_user)
    grant.reviewed_at = now
    ended = not justified and grant.expires_at > now
    if ended:
        grant.ended_at = now
        grant.expires_at = now
    grant.save()
    audit.write(
        acting_user,
        "child:break_glass:reviewed",
        grant,
        outcome=Outcome.SUCCESS if justified else Outcome.FAILURE,
    )
    if ended:
        audit.write(acting_user, "child:break_glass:ended", grant)
    return grant
