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
from safehub.people.corrections import Correctable
from safehub.people.models import AddressPeriod, CarePeriod, Child
from safehub.referrals.models import Referral
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


def _end_of(on: dt.date) -> dt.datetime:
    return dt.datetime.combine(
        on + dt.timedelta(days=1), dt.time.min, tzinfo=timezone.get_current_timezone()
    )


def _known_on(on: dt.date) -> Q:
    """Rows not withdrawn by the end of `on`: what the record held as known that day.

    A row withdrawn later was still part of the record then, so an earlier day shows it.
    """
    return Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gte=_end_of(on))


def _addresses_known_on(child: Child, on: dt.date) -> list[AddressPeriod]:
    """The child's addresses as the record held them at the end of `on`.

    An address recorded by then reads as it stood then (its history row), so a postcode
    corrected or an address removed later still shows as recorded; one recorded later
    (entered late) reads as recorded now. Removed ones are left out.
    """
    end = _end_of(on)
    then: dict[int, AddressPeriod | None] = {}
    history = AddressPeriod.history.filter(child_id=child.pk, history_date__lt=end).order_by(
        "history_date", "history_id"
    )
    for row in history:
        then[row.id] = None if row.history_type == "-" else row.instance
    current = child.addresses.filter(_known_on(on)).exclude(pk__in=list(then))
    periods = [a for a in then.values() if a is not None]
    periods.extend(current.select_related("ward"))
    return [a for a in periods if a.withdrawn_at is None or a.withdrawn_at >= end]


def _record_as_of(child: Child, on: dt.date) -> ChildRecord:
    address = next(
        (
            a
            for a in sorted(_addresses_known_on(child, on), key=lambda a: a.valid_from)
            if a.holds_on(on)
        ),
        None,
    )
    care = [c for c in child.care_periods.all() if c.holds_on(on)]
    episode = (
        child.episodes.filter(_known_on(on), opened_on__lte=on)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=on))
        .first()
    )
    risk = None
    if episode is not None:
        change = episode.risk_changes.filter(_known_on(on), effective_on__lte=on).order_by(
            "-effective_on", "-id"
        )
        risk = change.values_list("level", flat=True).first()
    age = codes.age_on(child.date_of_birth, on) if child.date_of_birth else None
    return ChildRecord(child, on, address, care, episode, risk, age, _timeline(child, on))


def _marked(title: str, row: Correctable, on: dt.date) -> str:
    return f"{title} (withdrawn)" if row.withdrawn_by_end_of(on) else title


def _timeline(child: Child, on: dt.date) -> list[TimelineEntry]:
    end = _end_of(on)
    entries: list[TimelineEntry] = []
    referrals = (
        Referral.objects.filter(child=child, received_at__lt=end)
        .select_related("decision")
        .prefetch_related("screenings")
    )
    for referral in referrals:
        types = ", ".join(codes.ExploitationType(t).label for t in referral.exploitation_types)
        entries.append(
            TimelineEntry(
                referral.received_at,
                "referral",
                _marked("Referral received", referral, on),
                f"Withdrawn as recorded in error: {referral.withdrawal_reason}"
                if referral.withdrawn_by_end_of(on)
                else f"{referral.get_source_display()}: {types}",
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
                TimelineEntry(
                    decision.decided_at, "decision", f"Decision: {decision.get_outcome_display()}"
                )
            )
    for episode in child.episodes.filter(opened_on__lte=on):
        entries.append(
            TimelineEntry(
                episode.opened_on,
                "episode",
                _marked("Episode opened", episode, on),
                episode.withdrawal_reason if episode.withdrawn_by_end_of(on) else "",
            )
        )
        if episode.closed_on and episode.closed_on <= on:
            entries.append(
                TimelineEntry(
                    episode.closed_on, "episode", "Episode closed", episode.closure_reason
                )
            )
    changes = RiskChange.objects.filter(episode__child=child, effective_on__lte=on)
    entries.extend(
        TimelineEntry(
            c.effective_on,
            "risk",
            _marked(f"Risk {c.level}", c, on),
            c.withdrawal_reason if c.withdrawn_by_end_of(on) else c.reason,
        )
        for c in changes
    )
    missing = MissingEpisode.objects.filter(child=child, started_at__lt=end)
    for m in missing:
        returned = f"returned {m.ended_at:%d %b %Y %H:%M}" if m.ended_at else "not yet returned"
        entries.append(
            TimelineEntry(
                m.started_at,
                "missing",
                _marked(m.get_kind_display(), m, on),
                m.withdrawal_reason if m.withdrawn_by_end_of(on) else returned,
                f"/missing/{m.pk}",
            )
        )
    entries.extend(
        TimelineEntry(n.written_at, "note", "Case note", n.text)
        for n in child.notes.filter(written_at__lt=end)
    )
    return sorted(entries, key=_sort_key, reverse=True)


def _sort_key(entry: TimelineEntry) -> dt.datetime:
    at: Any = entry.at
    if isinstance(at, dt.datetime):
        return at
    return dt.datetime.combine(at, dt.time.min, tzinfo=timezone.get_current_timezone())
