"""A child's case file: everything the hub holds about one child, as it stood on a date.

It reads across features (people, referrals, episodes), so it sits above them. Access is
checked by the caller through `people.queries.get_child`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils import timezone

from safehub.episodes.models import Episode, MissingEpisode, RiskChange
from safehub.people.models import AddressPeriod, CarePeriod, Child
from safehub.referrals.models import Decision, Referral
from safehub.rules import codes


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime | dt.date
    kind: str
    title: str
    detail: str = ""
    link: str = ""

    @property
    def has_time(self) -> bool:
        return isinstance(self.at, dt.datetime)


@dataclass
class ChildRecord:
    """A child's record as it stood on `on` (valid time), as recorded by now."""

    child: Child
    on: dt.date
    address: AddressPeriod | None
    care: list[CarePeriod]
    episode: Episode | None
    risk_level: str | None
    age: int | None
    timeline: list[TimelineEntry] = field(default_factory=list)
    sections: frozenset[str] | None = None  # None: the whole record


# Which share section each part of the record belongs to (identity is always shown).
SECTION_OF_ENTRY = {
    "referral": "referrals",
    "screening": "referrals",
    "decision": "referrals",
    "episode": "risk",
    "risk": "risk",
    "missing": "missing",
    "note": "notes",
}


def record_as_of(
    child: Child, on: dt.date, *, sections: frozenset[str] | None = None
) -> ChildRecord:
    """What was true on `on`: the address, care status, open episode and its risk then.

    Events after `on` are left out of the timeline, so the page reads as it would have then.
    `sections` limits the record to what a share disclosed (None: everything).
    """
    full = _record_as_of(child, on)
    if sections is None:
        return full
    return ChildRecord(
        child,
        on,
        full.address if "address" in sections else None,
        full.care if "risk" in sections else [],
        full.episode if "risk" in sections else None,
        full.risk_level if "risk" in sections else None,
        full.age,
        [e for e in full.timeline if SECTION_OF_ENTRY.get(e.kind) in sections],
        sections,
    )


def _record_as_of(child: Child, on: dt.date) -> ChildRecord:
    address = next((a for a in child.addresses.select_related("ward") if a.holds_on(on)), None)
    care = [c for c in child.care_periods.all() if c.holds_on(on)]
    episode = (
        child.episodes.filter(opened_on__lte=on)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=on))
        .first()
    )
    risk = None
    if episode is not None:
        change = episode.risk_changes.filter(effective_on__lte=on).order_by("-effective_on", "-id")
        risk = change.values_list("level", flat=True).first()
    age = codes.age_on(child.date_of_birth, on) if child.date_of_birth else None
    return ChildRecord(child, on, address, care, episode, risk, age, _timeline(child, on))


def _timeline(child: Child, on: dt.date) -> list[TimelineEntry]:
    end = dt.datetime.combine(
        on + dt.timedelta(days=1), dt.time.min, tzinfo=timezone.get_current_timezone()
    )
    entries: list[TimelineEntry] = []
    referrals = (
        Referral.objects.filter(child=child, received_at__lt=end)
        .select_related("decision__pathway_agency")
        .prefetch_related("screenings")
    )
    for referral in referrals:
        types = ", ".join(codes.ExploitationType(t).label for t in referral.exploitation_types)
        entries.append(
            TimelineEntry(
                referral.received_at,
                "referral",
                "Referral received",
                f"{referral.get_source_display()}: {types}",
                f"/referrals/{referral.pk}",
            )
        )
        for screening in referral.screenings.all():
            if screening.screened_at < end:
                note = " (professional judgement override)" if screening.overridden else ""
                entries.append(
                    TimelineEntry(
                        screening.screened_at,
                        "screening",
                        f"Screened: {screening.final_level} risk{note}",
                    )
                )
        decision = getattr(referral, "decision", None)
        if decision is not None and decision.decided_at < end:
            entries.append(
                TimelineEntry(decision.decided_at, "decision", _decision_title(decision))
            )
    for episode in child.episodes.filter(opened_on__lte=on):
        entries.append(TimelineEntry(episode.opened_on, "episode", "Episode opened"))
        if episode.closed_on and episode.closed_on <= on:
            entries.append(
                TimelineEntry(
                    episode.closed_on, "episode", "Episode closed", episode.closure_reason
                )
            )
    changes = RiskChange.objects.filter(episode__child=child, effective_on__lte=on)
    entries.extend(
        TimelineEntry(c.effective_on, "risk", f"Risk {c.level}", c.reason) for c in changes
    )
    missing = MissingEpisode.objects.filter(child=child, started_at__lt=end)
    for m in missing:
        returned = f"returned {m.ended_at:%d %b %Y %H:%M}" if m.ended_at else "not yet returned"
        entries.append(
            TimelineEntry(
                m.started_at, "missing", m.get_kind_display(), returned, f"/missing/{m.pk}"
            )
        )
    entries.extend(
        TimelineEntry(n.written_at, "note", "Case note", n.text)
        for n in child.notes.filter(written_at__lt=end)
    )
    return sorted(entries, key=_sort_key, reverse=True)


def _decision_title(decision: Decision) -> str:
    """ "Decision: Pathway referral to Youth Service": the agency is what a reader needs."""
    if decision.pathway_agency is not None:
        return f"Decision: Pathway referral to {decision.pathway_agency.name}"
    return f"Decision: {decision.get_outcome_display()}"


def _sort_key(entry: TimelineEntry) -> dt.datetime:
    at: Any = entry.at
    if isinstance(at, dt.datetime):
        return at
    return dt.datetime.combine(at, dt.time.min, tzinfo=timezone.get_current_timezone())
