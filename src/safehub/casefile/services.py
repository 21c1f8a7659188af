"""The practitioner's changes to a chronology: marks and the analysis note.

One function = one transaction: permission checked, history kept, audited with ids only.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from safehub.access.policy import Principal, require, user_or_none
from safehub.audit import services as audit
from safehub.casefile import chronology
from safehub.casefile.models import ChronologyAnalysis, ChronologyMark
from safehub.people.models import Child
from safehub.people.services import save_with_history

SIGNIFICANCE_LIMIT = 500


@transaction.atomic
def mark_events(child: Child, marks: dict[str, tuple[bool, str]], *, acting_user: Principal) -> int:
    """Record which events are significant and why; returns how many marks changed.

    `marks` maps an event's key to (significant, why). A mark that says only what the
    chronology would say anyway (the default, no reason) is not stored.
    """
    require(acting_user, "chronology:mark", child)
    events = {e.key: e for e in chronology.events_of(child, timezone.localdate())}
    unknown = set(marks) - set(events)
    if unknown:
        raise ValidationError({"__all__": "The chronology has changed: reload the page"})
    stored = {m.event_key: m for m in ChronologyMark.objects.filter(child=child)}
    changed = 0
    for key, (significant, given) in marks.items():
        why = given.strip()
        if len(why) > SIGNIFICANCE_LIMIT:
            raise ValidationError(
                {"__all__": f"Why it matters must be {SIGNIFICANCE_LIMIT} characters or fewer"}
            )
        mark = stored.get(key)
        if mark is None:
            if significant == events[key].significant_by_default and not why:
                continue
            mark = ChronologyMark(child=child, event_key=key)
        elif mark.significant == significant and mark.significance == why:
            continue
        mark.significant, mark.significance = significant, why
        mark.marked_by = user_or_none(acting_user)
        mark.marked_at = timezone.now()
        save_with_history(mark, acting_user)
        changed += 1
    if changed:
        audit.write(acting_user, "child:chronology:marked", child, reason=f"marks: {changed}")
    return changed


@transaction.atomic
def save_analysis(
    child: Child, *, text: str, acting_user: Principal, expected_version: int | None = None
) -> ChronologyAnalysis:
    """The analysis note of the whole chronology; an edit from an older version is refused."""
    require(acting_user, "chronology:mark", child)
    analysis = ChronologyAnalysis.objects.select_for_update().filter(child=child).first()
    if analysis is None:
        analysis = ChronologyAnalysis(child=child, version=0)
    elif expected_version is not None and expected_version != analysis.version:
        raise ValidationError(
            {
                "analysis": (
                    "Someone else saved the analysis after you opened this page. Your changes "
                    "have not been saved: check the analysis and try again"
                )
            }
        )
    if analysis.text == text.strip() and analysis.pk is not None:
        return analysis
    analysis.text = text.strip()
    analysis.version += 1
    analysis.written_by = user_or_none(acting_user)
    analysis.written_at = timezone.now()
    save_with_history(analysis, acting_user)
    audit.write(acting_user, "child:chronology:analysis:saved", child)
    return analysis
