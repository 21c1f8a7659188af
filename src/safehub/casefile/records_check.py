"""The data-quality report: stored records that break a plausibility rule, listed, not changed.

The rules (`safehub.rules.plausibility`) refuse implausible records on the way in, but records
from before they existed, or written by an older import, may break them. Changing such records
silently would rewrite the case history; instead each one is listed by kind and id with the
rule it breaks, for a practitioner to correct. The report names no child, only record ids.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils import timezone

from safehub.episodes.models import Episode, MissingEpisode, RiskChange
from safehub.meetings.models import Meeting, MeetingAction
from safehub.partnership.models import SupportService
from safehub.people.models import CarePeriod, Child
from safehub.referrals.models import Decision, Referral
from safehub.rules import plausibility
from safehub.rules.plausibility import Birth

CHUNK = 5000


@dataclass(frozen=True)
class Finding:
    kind: str
    record_id: int
    child_id: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.kind} {self.record_id} (child {self.child_id}): {self.field}: {self.message}"


def find() -> list[Finding]:
    """Every stored record that breaks a rule, child by child, in a stable order."""
    today = timezone.localdate()
    births: dict[int, Birth] = {}
    findings: list[Finding] = []
    children = Child.objects.values_list("pk", "date_of_birth", "dob_approximate", "arrived_uk")
    for pk, born, approximate, arrived in children.order_by("pk").iterator(chunk_size=CHUNK):
        births[pk] = Birth(born, approximate)
        problems = plausibility.child(births[pk], arrived_uk=arrived, today=today, referred_on=None)
        findings += _found("child", pk, pk, problems)
    findings += _referrals(births)
    findings += _episodes(births)
    findings += _missing(births)
    findings += _care(births)
    findings += _decisions()
    findings += _meetings(births)
    return sorted(findings, key=lambda f: (f.child_id, f.kind, f.record_id, f.field))


def _found(
    kind: str, record_id: int, child_id: int, problems: plausibility.Problems
) -> Iterator[Finding]:
    return (Finding(kind, record_id, child_id, field, message) for field, message in problems)


def _referrals(births: dict[int, Birth]) -> Iterator[Finding]:
    rows = Referral.objects.values_list("pk", "child_id", "received_at")
    for pk, child_id, received in rows.iterator(chunk_size=CHUNK):
        yield from _found(
            "referral", pk, child_id, plausibility.referral(births[child_id], received)
        )


def _episodes(births: dict[int, Birth]) -> Iterator[Finding]:
    spans: dict[int, tuple[dt.date, dt.date | None, int]] = {}
    rows = Episode.objects.values_list("pk", "child_id", "opened_on", "closed_on")
    for pk, child_id, opened, closed in rows.iterator(chunk_size=CHUNK):
        spans[pk] = (opened, closed, child_id)
        problems = plausibility.episode(births[child_id], opened=opened, closed=closed)
        yield from _found("episode", pk, child_id, problems)
    changes = RiskChange.objects.values_list("pk", "episode_id", "effective_on")
    for pk, episode_id, effective in changes.iterator(chunk_size=CHUNK):
        opened, closed, child_id = spans[episode_id]
        problems = plausibility.risk_change(effective=effective, opened=opened, closed=closed)
        yield from _found("risk change", pk, child_id, problems)


def _missing(births: dict[int, Birth]) -> Iterator[Finding]:
    rows = MissingEpisode.objects.values_list(
        "pk",
        "child_id",
        "started_at",
        "ended_at",
        "return_interview_offered_at",
        "return_interview_completed_at",
    )
    for pk, child_id, started, ended, offered, completed in rows.iterator(chunk_size=CHUNK):
        problems = plausibility.missing(
            births[child_id],
            started=started,
            ended=ended,
            interview_offered=offered,
            interview_completed=completed,
        )
        yield from _found("missing episode", pk, child_id, problems)


def _care(births: dict[int, Birth]) -> Iterator[Finding]:
    rows = CarePeriod.objects.values_list("pk", "child_id", "valid_from")
    for pk, child_id, valid_from in rows.iterator(chunk_size=CHUNK):
        problems = plausibility.after_birth(
            "valid_from", valid_from, births[child_id], label="Start date"
        )
        yield from _found("care period", pk, child_id, problems)


def _decisions() -> Iterator[Finding]:
    offering = set(
        SupportService.objects.filter(is_active=True).values_list("agency_id", flat=True)
    )
    rows = Decision.objects.filter(pathway_agency__isnull=False).values_list(
        "pk", "referral__child_id", "pathway_agency_id"
    )
    for pk, child_id, agency_id in rows.iterator(chunk_size=CHUNK):
        yield from _found(
            "decision", pk, child_id, plausibility.pathway_agency(agency_id in offering)
        )


def _meetings(births: dict[int, Birth]) -> Iterator[Finding]:
    """A meeting about a child held before the child's birth; an action due before its
    meeting or more than two years after it (named against each child of the meeting)."""
    links = Meeting.children.through.objects.values_list(
        "meeting_id", "child_id", "meeting__held_at"
    )
    children_of: dict[int, list[int]] = {}
    for meeting_id, child_id, held_at in links.iterator(chunk_size=CHUNK):
        children_of.setdefault(meeting_id, []).append(child_id)
        problems = plausibility.after_birth(
            "held_at", held_at, births[child_id], label="The date of the meeting"
        )
        yield from _found("meeting", meeting_id, child_id, problems)
    actions = MeetingAction.objects.values_list("pk", "meeting_id", "due_on", "meeting__held_at")
    for pk, meeting_id, due_on, held_at in actions.iterator(chunk_size=CHUNK):
        problems = plausibility.meeting_action(due_on, held_on=timezone.localtime(held_at).date())
        for child_id in children_of.get(meeting_id, []):
            yield from _found("meeting action", pk, child_id, problems)
