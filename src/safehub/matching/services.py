"""Offering candidates at intake and recording the practitioner's choice (audited)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from safehub.access.policy import Principal, require, user_or_none
from safehub.audit import services as audit
from safehub.matching import candidates
from safehub.matching.models import IntakeChoice
from safehub.people import queries as people_queries
from safehub.people.models import Child


@transaction.atomic
def offer(
    details: candidates.Details, *, acting_user: Principal, context: str = "intake match"
) -> list[candidates.Candidate]:
    """Children the user may see who may be the child in `details`, audited: one
    `match:offered` event naming the children offered and their probabilities (never the
    details typed), and each child as listed (`context` says where: "intake match" on the
    page, "intake match: as typed" from the API)."""
    require(acting_user, "match:candidates")
    found = candidates.find(details, among=people_queries.children_for(acting_user))
    offered = " ".join(f"{c.child}:{c.probability:.3f}" for c in found)
    audit.write(
        acting_user,
        "match:offered",
        object_type="intake_match",
        reason=f"{context}; offered {len(found)}{': ' + offered if offered else ''}",
    )
    shown = list(Child.objects.filter(pk__in=[c.child for c in found]))
    audit.write_each(acting_user, "child:listed", shown, context=f"listed: {context}")
    return found


@transaction.atomic
def record_choice(
    offered: list[candidates.Candidate],
    *,
    chosen: int | None,
    acting_user: Principal,
) -> IntakeChoice:
    """The practitioner's choice among `offered`: one child (`chosen`) or none (a new child)."""
    require(acting_user, "match:candidates")
    if chosen is not None and chosen not in {c.child for c in offered}:
        raise ValidationError({"match": "Choose one of the children offered, or none of them"})
    best = offered[0] if offered else None
    version, _ = candidates.parameters()
    choice = IntakeChoice.objects.create(
        offered=[{"child": c.child, "probability": round(c.probability, 4)} for c in offered],
        chosen_id=chosen,
        chosen_new=chosen is None,
        preselected_id=best.child if best and best.probability >= candidates.HIGH else None,
        model_version=version,
        chosen_by=user_or_none(acting_user),
    )
    if chosen is None:
        audit.write(acting_user, "match:none-chosen", choice)
    else:
        audit.write(acting_user, "match:chosen", choice, child_id=chosen)
    return choice
