"""A child's timeline: every event of the record up to a day, newest first.

Part of the case file (`queries.record_as_of`), which reads the episodes and risk changes
once for its summary and hands them here; the caller has checked scope and audited the read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from operator import attrgetter
from typing import Any, TypeVar

from django.db.models import Prefetch
from django.utils import timezone

from safehub.episodes.models import (
    Allocation,
    Episode,
    MissingEpisode,
    RiskChange,
    SignOffRequest,
    SignOffStatus,
)
from safehub.meetings import queries as meeting_queries
from safehub.partnership import queries as partnership_queries
from safehub.people.corrections import Correctable
from safehub.people.models import Child
from safehub.referrals.models import Decision, Referral, Screening
from safehub.rules import codes

R = TypeVar("R")


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


# Which share section each part of the record belongs to (name, age and sex always shown).
SECTION_OF_ENTRY = {
    "referral": "referrals",
    "screening": "referrals",
    "decision": "referrals",
    "episode": "risk",
    "risk": "risk",
    "missing": "missing",
    "note": "notes",
    "sign_off_referral": "referrals",
    "sign_off_episode": "risk",
    "allocation": "risk",
    "pathway": "referrals",
    "observation": "notes",
    # Meetings are the hub's own (no share section): partner workers do not see them.
    "meeting": None,
}


def in_order(rows: Iterable[R], *fields: str) -> list[R]:
    """`rows` (a queryset without ordering) in the order of `fields`, "-" for descending.

    The record's dozen queries are sorted here rather than by the database: Django takes a
    tenth to a quarter of a millisecond to compile each ORDER BY, and the rows are a child's
    few. The fields are the models' own ordering; where that leaves a tie to the database,
    the row recorded first comes first (`pk`). The timeline's entries are then sorted by
    time, keeping this order for equal times.
    """
    ordered = list(rows)
    for name in reversed(fields):  # a stable sort per field, the last first
        ordered.sort(key=attrgetter(name.lstrip("-")), reverse=name.startswith("-"))
    return ordered


def end_of(on: dt.date) -> dt.datetime:
    return dt.datetime.combine(
        on + dt.timedelta(days=1), dt.time.min, tzinfo=timezone.get_current_timezone()
    )


def _marked(title: str, row: Correctable, on: dt.date) -> str:
    return f"{title} (withdrawn)" if row.withdrawn_by_end_of(on) else title


def timeline(
    child: Child,
    on: dt.date,
    shows: Callable[[str | None], bool],
    episodes: list[Episode],
    changes: list[RiskChange],
) -> list[TimelineEntry]:
    """Every event up to the end of `on`, newest first: only of the sections `shows`.

    `episodes` are every episode of the child (none when the risk section is not shown), and
    `changes` their risk changes in effect by `on`.
    """
    end = end_of(on)
    entries: list[TimelineEntry] = []
    if shows("referrals"):
        entries.extend(_referrals(child, on, end))
    for episode in (e for e in episodes if e.opened_on <= on):
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
    entries.extend(
        TimelineEntry(
            c.effective_on,
            "risk",
            _marked(f"Risk {c.level}", c, on),
            c.withdrawal_reason if c.withdrawn_by_end_of(on) else c.reason,
        )
        for c in changes
    )
    if shows("missing"):
        missing = MissingEpisode.objects.filter(child=child, started_at__lt=end).only(
            "kind", "started_at", "ended_at", "withdrawn_at", "withdrawal_reason"
        )
        for m in in_order(missing.order_by(), "-started_at", "pk"):
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
    if shows("notes"):
        notes = child.notes.filter(written_at__lt=end).only("child_id", "written_at", "text")
        entries.extend(
            TimelineEntry(n.written_at, "note", "Case note", n.text)
            for n in in_order(notes.order_by(), "written_at", "pk")
        )
    if shows("referrals") or shows("risk"):
        entries.extend(_sign_offs(child, end))
    if episodes:  # an allocation is of an episode
        allocations = (
            Allocation.objects.filter(episode_id__in=[e.pk for e in episodes], started_at__lt=end)
            .select_related("worker", "lead_agency")
            .only(
                "started_at",
                "reason",
                "worker__first_name",
                "worker__last_name",
                "worker__username",
                "lead_agency__name",
            )
            .order_by()
        )
        entries.extend(
            TimelineEntry(
                a.started_at,
                "allocation",
                f"Allocated to {a.worker.get_full_name() or a.worker.username}",
                f"Lead agency {a.lead_agency.name}: {a.reason}",
            )
            for a in in_order(allocations, "started_at", "pk")
        )
    entries.extend(_partnership(child, end, shows))
    if shows(SECTION_OF_ENTRY["meeting"]):
        meetings = meeting_queries.meetings_of_child(child).filter(held_at__lt=end)
        entries.extend(
            TimelineEntry(
                m.held_at,
                "meeting",
                f"{m.get_kind_display()} held",
                f"Decisions: {m.decisions}" if m.decisions else "",
                f"/meetings/{m.pk}",
            )
            for m in in_order(
                meetings.only("kind", "held_at", "decisions").order_by(), "-held_at", "-pk"
            )
        )
    return sorted(entries, key=_sort_key, reverse=True)


def _referrals(child: Child, on: dt.date, end: dt.datetime) -> list[TimelineEntry]:
    """Each referral received by `end`, its screenings and its decision, as they happened."""
    entries = []
    referrals = (
        Referral.objects.filter(child=child, received_at__lt=end)
        .select_related("decision__pathway_agency")
        .only(
            "received_at",
            "source",
            "exploitation_types",
            "withdrawn_at",
            "withdrawal_reason",
            "decision__outcome",
            "decision__decided_at",
            "decision__pathway_agency__name",
        )
        .prefetch_related(
            Prefetch(
                "screenings",
                Screening.objects.only(
                    "referral_id", "screened_at", "computed_level", "final_level"
                ).order_by(),
            )
        )
        .order_by()
    )
    for referral in in_order(referrals, "-received_at", "pk"):
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
        for screening in in_order(referral.screenings.all(), "screened_at", "pk"):
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
    return entries


def _sign_offs(child: Child, end: dt.datetime) -> list[TimelineEntry]:
    """Each request for a manager's sign-off, and its approval or return, as they happened."""
    entries = []
    requests = SignOffRequest.objects.filter(child=child, requested_at__lt=end).only(
        "kind", "referral_id", "reasons", "requested_at", "status", "decided_at", "note"
    )
    for r in in_order(requests.order_by(), "requested_at", "pk"):
        kind = "sign_off_referral" if r.referral_id else "sign_off_episode"
        entries.append(
            TimelineEntry(
                r.requested_at, kind, f"Sign-off asked: {r.get_kind_display()}", r.reasons
            )
        )
        if r.decided_at and r.decided_at < end and r.status != SignOffStatus.WAITING:
            entries.append(
                TimelineEntry(
                    r.decided_at, kind, f"Sign-off {r.get_status_display().lower()}", r.note
                )
            )
    return entries


def _partnership(
    child: Child, end: dt.datetime, shows: Callable[[str | None], bool]
) -> list[TimelineEntry]:
    """Pathway referrals step by step, and partners' observations, each marked with the agency."""
    entries: list[TimelineEntry] = []
    if shows(SECTION_OF_ENTRY["pathway"]):
        entries.extend(
            TimelineEntry(
                step.at,
                "pathway",
                f"{step.referral.service.name}: {step.get_kind_display()}",
                step.text,
                f"/pathway/{step.referral_id}",
            )
            for step in in_order(
                partnership_queries.steps_of_child(child, end).order_by(), "at", "pk"
            )
        )
    if shows(SECTION_OF_ENTRY["observation"]):
        entries.extend(
            TimelineEntry(o.observed_at, "observation", f"Observation by {o.agency.name}", o.text)
            for o in in_order(
                partnership_queries.observations_of_child(child, end).order_by(),
                "-observed_at",
                "-pk",
            )
        )
    return entries


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
