"""A child's chronology of significant events, generated from the record.

Each *source* is a small function that reads one kind of record and yields `Event`s with a
stable key ("referral:12"), the date, the agency it came from and what happened; a feature
added later (meetings, pathway referrals) adds a source with `@source` and nothing else
changes. The practitioner's judgement (significant or not, and why) and an analysis note are
stored against the keys (`casefile.models`), so a regenerated chronology keeps them.

"As it stood on" a date works like the child page: events after that day are left out, records
withdrawn by then are left out, and the marks and the analysis read as they were at the end of
that day (from their history).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils import timezone

from safehub.access.policy import Principal, require
from safehub.casefile.models import ChronologyAnalysis, ChronologyMark
from safehub.episodes.models import Episode, MissingEpisode, Review, RiskChange
from safehub.flags.models import WarningFlag
from safehub.intelligence.models import Disruption
from safehub.meetings import queries as meeting_queries
from safehub.people import queries as people_queries
from safehub.people.models import Child, Share
from safehub.referrals.models import Decision, Referral, Screening
from safehub.rules import codes


@dataclass(frozen=True)
class Event:
    key: str
    at: dt.datetime | dt.date
    agency: str
    text: str
    # The share section the event is filed under; None: the hub's own (shares, disruption).
    section: str | None
    significant_by_default: bool
    link: str = ""

    @property
    def has_time(self) -> bool:
        return isinstance(self.at, dt.datetime)

    @property
    def moment(self) -> dt.datetime:
        if isinstance(self.at, dt.datetime):
            return timezone.localtime(self.at)
        return dt.datetime.combine(self.at, dt.time.min, tzinfo=timezone.get_current_timezone())


@dataclass(frozen=True)
class Row:
    event: Event
    significant: bool
    significance: str


@dataclass
class Chronology:
    child: Child
    on: dt.date
    rows: list[Row]
    analysis: str = ""
    analysis_version: int = 0
    analysis_by: str = ""
    analysis_at: dt.datetime | None = None
    sections: frozenset[str] = field(default_factory=frozenset)

    @property
    def significant(self) -> list[Row]:
        return [r for r in self.rows if r.significant]


Source = Callable[[Child, dt.date], Iterable[Event]]
SOURCES: list[Source] = []


def source(fn: Source) -> Source:
    """Register an event source: one kind of record, read as it stood on a date."""
    SOURCES.append(fn)
    return fn


def _end_of(on: dt.date) -> dt.datetime:
    return dt.datetime.combine(
        on + dt.timedelta(days=1), dt.time.min, tzinfo=timezone.get_current_timezone()
    )


def _known(on: dt.date) -> Q:
    """Not withdrawn by the end of `on`: a record withdrawn later was still held then."""
    return Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gte=_end_of(on))


def _agency_of(user: Any) -> str:
    agency = getattr(user, "agency", None) if user is not None else None
    return str(agency.name) if agency is not None else ""


@source
def _referrals(child: Child, on: dt.date) -> Iterator[Event]:
    referrals = Referral.objects.filter(_known(on), child=child, received_at__lt=_end_of(on))
    for r in referrals.select_related("referring_agency"):
        types = ", ".join(codes.ExploitationType(t).label for t in r.exploitation_types)
        yield Event(
            f"referral:{r.pk}",
            r.received_at,
            r.referring_agency.name if r.referring_agency else r.get_source_display(),
            f"Referral received ({r.get_source_display()}): {types}",
            "referrals",
            significant_by_default=True,
            link=f"/referrals/{r.pk}",
        )


@source
def _screenings(child: Child, on: dt.date) -> Iterator[Event]:
    screenings = Screening.objects.filter(
        Q(referral__withdrawn_at__isnull=True) | Q(referral__withdrawn_at__gte=_end_of(on)),
        referral__child=child,
        screened_at__lt=_end_of(on),
    ).select_related("screened_by__agency")
    for s in screenings:
        override = " (professional judgement override)" if s.overridden else ""
        yield Event(
            f"screening:{s.pk}",
            s.screened_at,
            _agency_of(s.screened_by),
            f"Screened: {s.final_level} risk{override}",
            "referrals",
            significant_by_default=s.final_level in ("medium", "high") or s.overridden,
        )


@source
def _decisions(child: Child, on: dt.date) -> Iterator[Event]:
    decisions = Decision.objects.filter(
        Q(referral__withdrawn_at__isnull=True) | Q(referral__withdrawn_at__gte=_end_of(on)),
        referral__child=child,
        decided_at__lt=_end_of(on),
    ).select_related("decided_by__agency", "pathway_agency")
    for d in decisions:
        outcome = (
            f"Pathway referral to {d.pathway_agency.name}"
            if d.pathway_agency
            else d.get_outcome_display()
        )
        yield Event(
            f"decision:{d.pk}",
            d.decided_at,
            _agency_of(d.decided_by),
            f"Decision: {outcome}",
            "referrals",
            significant_by_default=True,
        )


@source
def _episodes(child: Child, on: dt.date) -> Iterator[Event]:
    episodes = Episode.objects.filter(_known(on), child=child, opened_on__lte=on)
    for e in episodes.select_related("lead_agency"):
        lead = e.lead_agency.name if e.lead_agency else ""
        link = f"/episodes/{e.pk}"
        opened = "Episode opened"
        key = f"episode:{e.pk}"
        yield Event(key, e.opened_on, lead, opened, "risk", significant_by_default=True, link=link)
        if e.closed_on and e.closed_on <= on:
            closed = f"Episode closed: {e.closure_reason}" if e.closure_reason else "Episode closed"
            key = f"episode-closed:{e.pk}"
            yield Event(
                key, e.closed_on, lead, closed, "risk", significant_by_default=True, link=link
            )


@source
def _risk_changes(child: Child, on: dt.date) -> Iterator[Event]:
    changes = RiskChange.objects.filter(
        _known(on), episode__child=child, effective_on__lte=on
    ).select_related("recorded_by__agency")
    for c in changes:
        reason = f": {c.reason}" if c.reason else ""
        yield Event(
            f"risk:{c.pk}",
            c.effective_on,
            _agency_of(c.recorded_by),
            f"Risk level {c.get_level_display().lower()}{reason}",
            "risk",
            significant_by_default=True,
            link=f"/episodes/{c.episode_id}",
        )


@source
def _meetings(child: Child, on: dt.date) -> Iterator[Event]:
    """Meetings about the child and their decisions, strategy discussions among them. One
    recorded on the episode before meetings existed keeps the key it had then
    ("strategy:<number>"), under which its marks are stored."""
    meetings = (
        meeting_queries.meetings_of_child(child)
        .filter(held_at__lt=_end_of(on))
        .select_related("chair__agency", "recorded_by__agency")
    )
    for m in meetings:
        decisions = f": {m.decisions}" if m.decisions else ""
        former = m.former_discussion
        yield Event(
            f"strategy:{former}" if former is not None else f"meeting:{m.pk}",
            m.held_at,
            _agency_of(m.chair or m.recorded_by),
            f"{m.get_kind_display()} held{decisions}",
            None,
            significant_by_default=True,
            link=f"/meetings/{m.pk}",
        )


@source
def _reviews(child: Child, on: dt.date) -> Iterator[Event]:
    reviews = Review.objects.filter(episode__child=child, reviewed_on__lte=on).select_related(
        "reviewed_by__agency"
    )
    for r in reviews:
        yield Event(
            f"review:{r.pk}",
            r.reviewed_on,
            _agency_of(r.reviewed_by),
            "Episode reviewed",
            "risk",
            significant_by_default=False,
            link=f"/episodes/{r.episode_id}",
        )


@source
def _missing(child: Child, on: dt.date) -> Iterator[Event]:
    end = _end_of(on)
    for m in MissingEpisode.objects.filter(_known(on), child=child, started_at__lt=end):
        returned = (
            f"returned {timezone.localtime(m.ended_at):%-d %b %Y %H:%M}"
            if m.ended_at and m.ended_at < end
            else "not yet returned"
        )
        yield Event(
            f"missing:{m.pk}",
            m.started_at,
            m.reported_by,
            f"{m.get_kind_display()} ({returned})",
            "missing",
            significant_by_default=True,
            link=f"/missing/{m.pk}",
        )
        done = m.return_interview_completed_at
        if done is not None and done < end:
            yield Event(
                f"interview:{m.pk}",
                done,
                "",
                "Return home interview done",
                "missing",
                significant_by_default=True,
                link=f"/missing/{m.pk}",
            )


@source
def _shares(child: Child, on: dt.date) -> Iterator[Event]:
    end = _end_of(on)
    shares = Share.objects.filter(child=child, shared_at__lt=end).select_related(
        "agency", "shared_by__agency"
    )
    for s in shares:
        sections = ", ".join(s.section_labels) or "name, age and sex only"
        by = _agency_of(s.shared_by)
        yield Event(
            f"share:{s.pk}",
            s.shared_at,
            by,
            f"Record shared with {s.agency.name} ({sections})",
            None,
            significant_by_default=False,
        )
        if s.revoked_at is not None and s.revoked_at < end:
            yield Event(
                f"share-revoked:{s.pk}",
                s.revoked_at,
                by,
                f"Share with {s.agency.name} revoked",
                None,
                significant_by_default=False,
            )


@source
def _disruptions(child: Child, on: dt.date) -> Iterator[Event]:
    """Disruption linked to the child; a person of concern it names is never printed here."""
    disruptions = Disruption.objects.filter(child=child, occurred_on__lte=on).select_related(
        "recorded_by__agency"
    )
    for d in disruptions:
        yield Event(
            f"disruption:{d.pk}",
            d.occurred_on,
            _agency_of(d.recorded_by),
            f"Disruption: {d.get_kind_display()}",
            None,
            significant_by_default=True,
        )


@source
def _flags(child: Child, on: dt.date) -> Iterator[Event]:
    end = _end_of(on)
    flags = WarningFlag.objects.filter(
        _known(on), child=child, approved=True, signed_off_at__lt=end
    ).select_related("raised_by__agency")
    for f in flags:
        yield Event(
            f"flag:{f.pk}",
            f.signed_off_at or f.raised_at,
            _agency_of(f.raised_by),
            f"Warning flag: {f.get_kind_display()}: {f.text}",
            "risk",
            significant_by_default=True,
            link=f"/flags/{f.pk}",
        )


def events_of(child: Child, on: dt.date) -> list[Event]:
    """Every event of every source as the record stood on `on`, oldest first."""
    events = [event for fn in SOURCES for event in fn(child, on)]
    return sorted(events, key=_order)


def _order(event: Event) -> tuple[dt.date, bool, dt.datetime, str]:
    """By day; within a day, events with a time first, then those known only by their date
    (an episode opens on the day of the screening that opened it, after it)."""
    return (event.moment.date(), not event.has_time, event.moment, event.key)


def marks_as_of(child: Child, on: dt.date) -> dict[str, ChronologyMark]:
    """The practitioner's marks as they stood at the end of `on`, read from their history."""
    marks: dict[str, ChronologyMark] = {}
    history = ChronologyMark.history.filter(
        child_id=child.pk, history_date__lt=_end_of(on)
    ).order_by("history_date", "history_id")
    for row in history:
        if row.history_type == "-":
            marks.pop(row.event_key, None)
        else:
            marks[row.event_key] = row.instance
    return marks


def chronology_for(user: Principal, child: Child, on: dt.date) -> Chronology:
    """The chronology as `user` may see it, as it stood on `on`.

    The caller has read `child` through `people.queries.get_child` (scope and audit). Events
    are limited to the sections the user sees (the hub's own events to the whole record).
    """
    require(user, "chronology:view", child)
    sections = people_queries.visible_sections(user, child)
    whole = sections == people_queries.ALL_SECTIONS
    marks = marks_as_of(child, on)
    rows = []
    for event in events_of(child, on):
        if not (whole or (event.section is not None and event.section in sections)):
            continue
        mark = marks.get(event.key)
        rows.append(
            Row(
                event,
                mark.significant if mark else event.significant_by_default,
                mark.significance if mark else "",
            )
        )
    chronology = Chronology(child, on, rows, sections=sections)
    analysis = (
        ChronologyAnalysis.history.filter(child_id=child.pk, history_date__lt=_end_of(on))
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
        .first()
    )
    if analysis is not None and whole:
        chronology.analysis = analysis.text
        chronology.analysis_version = analysis.version
        by = analysis.history_user
        chronology.analysis_by = (by.get_full_name() or by.username) if by else ""
        chronology.analysis_at = analysis.written_at
    return chronology
