"""A child's case file: everything the hub holds about one child, as it stood on a date.

It reads across features (people, referrals, episodes), so it sits above them. Access is
checked by the caller through `people.queries.get_child`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from safehub.access.policy import Principal
from safehub.episodes.models import (
    Allocation,
    Episode,
    MissingEpisode,
    RiskChange,
    SignOffRequest,
    SignOffStatus,
)
from safehub.flags import queries as flag_queries
from safehub.flags.models import WarningFlag
from safehub.meetings import queries as meeting_queries
from safehub.partnership import queries as partnership_queries
from safehub.people import queries as people_queries
from safehub.people.corrections import Correctable
from safehub.people.models import AddressPeriod, CarePeriod, Child, ShareSection
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

    @property
    def shown(self) -> dict[str, bool]:
        """Section code -> whether it is shown, for templates ("Not shared" vs "Not recorded")."""
        return {s: self.sections is None or s in self.sections for s in ShareSection.values}

    @property
    def section_labels(self) -> list[str]:
        """The sections shown, in words, in the order the share form lists them."""
        return [label for code, label in ShareSection.choices if self.shown[code]]

    @property
    def not_shared(self) -> list[str]:
        return [code for code in ShareSection.values if not self.shown[code]]


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


def record_for(user: Principal, child: Child, on: dt.date) -> ChildRecord:
    """The record as `user` may see it: every page and API answer about a child comes here.

    The caller has already read `child` through `people.queries.get_child` (scope and audit).
    """
    sections = people_queries.visible_sections(user, child)
    whole = sections == people_queries.ALL_SECTIONS
    return record_as_of(child, on, sections=None if whole else sections)


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
        full.care if "care" in sections else [],
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
    born = child.date_of_birth
    age = codes.age_on(born, on) if born is not None and born <= on else None
    return ChildRecord(child, on, address, care, episode, risk, age, _timeline(child, on))


def _marked(title: str, row: Correctable, on: dt.date) -> str:
    return f"{title} (withdrawn)" if row.withdrawn_by_end_of(on) else title


def _timeline(child: Child, on: dt.date) -> list[TimelineEntry]:
    end = _end_of(on)
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
                TimelineEntry(decision.decided_at, "decision", _decision_title(decision))
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
    entries.extend(_sign_offs(child, end))
    entries.extend(
        TimelineEntry(
            a.started_at,
            "allocation",
            f"Allocated to {a.worker.get_full_name() or a.worker.username}",
            f"Lead agency {a.lead_agency.name}: {a.reason}",
        )
        for a in Allocation.objects.filter(episode__child=child, started_at__lt=end).select_related(
            "worker", "lead_agency"
        )
    )
    entries.extend(_partnership(child, end))
    entries.extend(
        TimelineEntry(
            m.held_at,
            "meeting",
            f"{m.get_kind_display()} held",
            f"Decisions: {m.decisions}" if m.decisions else "",
            f"/meetings/{m.pk}",
        )
        for m in meeting_queries.meetings_of_child(child).filter(held_at__lt=end)
    )
    return sorted(entries, key=_sort_key, reverse=True)


def _sign_offs(child: Child, end: dt.datetime) -> list[TimelineEntry]:
    """Each request for a manager's sign-off, and its approval or return, as they happened."""
    entries = []
    for r in SignOffRequest.objects.filter(child=child, requested_at__lt=end):
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


def _partnership(child: Child, end: dt.datetime) -> list[TimelineEntry]:
    """Pathway referrals step by step, and partners' observations, each marked with the agency."""
    steps, observations = partnership_queries.timeline_rows(child, end)
    entries = [
        TimelineEntry(
            step.at,
            "pathway",
            f"{step.referral.service.name}: {step.get_kind_display()}",
            step.text,
            f"/pathway/{step.referral_id}",
        )
        for step in steps
    ]
    entries.extend(
        TimelineEntry(o.observed_at, "observation", f"Observation by {o.agency.name}", o.text)
        for o in observations
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


def _age(child: Child, on: dt.date) -> int | None:
    born = child.date_of_birth
    return codes.age_on(born, on) if born is not None and born <= on else None


@dataclass(frozen=True)
class SearchResult:
    """What tells three children of the same name apart, and whether the hub holds them now."""

    child: Child
    age: int | None
    ward: str | None
    episode_opened_on: dt.date | None
    risk_level: str | None
    latest_referral_at: dt.datetime | None
    flags: list[WarningFlag] = field(default_factory=list)


def find_children(
    user: Principal,
    *,
    name: str = "",
    date_of_birth: dt.date | None = None,
    nhs_number: str = "",
) -> list[SearchResult]:
    """The scoped, audited search, each child with today's ward, episode, risk and latest
    referral: one query for the search and one for all the rows, however many are found."""
    children = people_queries.search_children(
        user, name=name, date_of_birth=date_of_birth, nhs_number=nhs_number
    )
    if not children:
        return []
    today = timezone.localdate()
    holds_today = Q(valid_from__lte=today) & (Q(valid_to__isnull=True) | Q(valid_to__gt=today))
    open_today = Q(opened_on__lte=today) & (Q(closed_on__isnull=True) | Q(closed_on__gt=today))
    address = (
        AddressPeriod.objects.filter(holds_today, child=OuterRef("pk"), withdrawn_at__isnull=True)
        .order_by("-valid_from", "-id")
        .values("ward__name")[:1]
    )
    episode = Episode.objects.filter(
        open_today, child=OuterRef("pk"), withdrawn_at__isnull=True
    ).values("opened_on")[:1]
    risk = (
        RiskChange.objects.filter(
            Q(episode__closed_on__isnull=True) | Q(episode__closed_on__gt=today),
            episode__child=OuterRef("pk"),
            episode__opened_on__lte=today,
            episode__withdrawn_at__isnull=True,
            effective_on__lte=today,
            withdrawn_at__isnull=True,
        )
        .order_by("-effective_on", "-id")
        .values("level")[:1]
    )
    referral = (
        Referral.objects.filter(child=OuterRef("pk"), withdrawn_at__isnull=True)
        .order_by("-received_at")
        .values("received_at")
    )[:1]
    facts = {
        row["pk"]: row
        for row in Child.objects.filter(pk__in=[c.pk for c in children])
        .annotate(
            ward_name=Subquery(address),
            episode_opened_on=Subquery(episode),
            risk_level=Subquery(risk),
            latest_referral_at=Subquery(referral),
        )
        .values("pk", "ward_name", "episode_opened_on", "risk_level", "latest_referral_at")
    }
    flags = flag_queries.current_by_child(user, children)
    return [
        SearchResult(
            child,
            _age(child, today),
            facts[child.pk]["ward_name"],
            facts[child.pk]["episode_opened_on"],
            facts[child.pk]["risk_level"],
            facts[child.pk]["latest_referral_at"],
            flags.get(child.pk, []),
        )
        for child in children
    ]
