"""Audit events in words, for the managers' oversight pages.

The audit trail keeps tags ("child:viewed") and role codes ("hub_manager"), which are right for
machines and queries; a manager reading who looked at a child needs "Viewed the record" and
"Hub manager", and one line for ten views in a row rather than ten lines.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace

from safehub.access.models import Role
from safehub.audit.models import AuditEvent, Outcome

ACTION_LABELS = {
    "access:denied": "Was refused access",
    "child:created": "Registered the child",
    "child:viewed": "Viewed the record",
    "child:searched": "Found the child in a search",
    "child:listed": "Saw the child in a list",
    "child:exported": "Exported the record in the hub's history",
    "child:address:recorded": "Recorded an address",
    "child:address:viewed": "Viewed an address to correct it",
    "child:address:corrected": "Corrected an address",
    "child:address:withdrawn": "Removed an address entered in error",
    "child:alias:added": "Added another name",
    "child:care_status:recorded": "Recorded a care status",
    "child:note:added": "Added a case note",
    "child:shared": "Shared the record with an agency",
    "child:share:revoked": "Revoked a share",
    "child:break_glass": "Opened the record by emergency access",
    "child:break_glass:refused": "Asked for emergency access with no unique match",
    "child:break_glass:reviewed": "Reviewed an emergency access",
    "child:break_glass:viewed": "Viewed an emergency access to review it",
    "child:break_glass:ended": "Ended an emergency access",
    "referral:viewed": "Viewed a referral",
    "referral:received": "Recorded a referral",
    "referral:listed": "Saw referrals in a list",
    "referral:withdrawn": "Withdrew a referral entered in error",
    "screening:recorded": "Recorded a screening",
    "screening:overridden": "Overrode the screening tool's level",
    "screening:override:reviewed": "Reviewed a screening override",
    "decision:recorded": "Recorded a decision",
    "episode:viewed": "Viewed an episode",
    "episode:opened": "Opened an episode",
    "episode:closed": "Closed an episode",
    "episode:reviewed": "Reviewed an episode",
    "episode:risk:set": "Set the risk level",
    "episode:risk:escalated": "Raised the risk level",
    # Events from before strategy discussions were meetings ("child:meeting:recorded" since,
    # its reason naming the kind and the meeting).
    "episode:strategy_discussion:recorded": "Recorded a strategy discussion",
    "episode:risk:withdrawn": "Withdrew a risk level entered in error",
    "episode:withdrawn": "Withdrew an episode entered in error",
    "missing:viewed": "Viewed a missing episode",
    "missing:recorded": "Recorded a missing episode",
    "missing:updated": "Updated a missing episode",
    "missing:withdrawn": "Withdrew a missing episode entered in error",
    "location:child:linked": "Linked the child to a location of concern",
    "location:child:unlinked": "Unlinked the child from a location of concern",
    "location:link:viewed": "Viewed the child's link to a location of concern",
    "person_of_concern:link:viewed": "Viewed the child's link to a person of concern",
    "person_of_concern:child:linked": "Linked the child to a person of concern",
    "person_of_concern:child:unlinked": "Unlinked the child from a person of concern",
    "flag:raised": "Raised a warning flag",
    "flag:viewed": "Viewed a warning flag",
    "flag:approved": "Approved a warning flag",
    "flag:declined": "Did not approve a warning flag",
    "flag:corrected": "Reviewed or corrected a warning flag",
    "flag:ended": "Ended a warning flag",
    "flag:withdrawn": "Withdrew a warning flag raised in error",
    "child:chronology:viewed": "Viewed the chronology",
    "child:chronology:marked": "Marked events of the chronology",
    "child:chronology:analysis:saved": "Wrote the chronology's analysis",
    "child:chronology:exported:pdf": "Downloaded the chronology (PDF)",
    "child:chronology:exported:csv": "Downloaded the chronology (CSV)",
    "child:meeting:recorded": "Recorded a meeting about the child",
    "history:exported": "Exported the hub's history",
    "history:imported": "Imported the hub's history",
}

OBJECT_LABELS = {
    "people.child": "Child's record",
    "referrals.referral": "Referral",
    "referrals.screening": "Screening",
    "episodes.episode": "Episode",
    "episodes.missingepisode": "Missing episode",
    "people.breakglass": "Emergency access",
    "flags.warningflag": "Warning flag",
    "meetings.meeting": "Meeting",
}

OUTCOME_LABELS: dict[str, str] = {
    Outcome.SUCCESS.value: "",
    Outcome.FAILURE.value: "Not completed",
    Outcome.DENIED.value: "Refused",
}


def action_label(tag: str) -> str:
    """The tag in words: a known one from the table, else the tag's words ("a b c")."""
    known = ACTION_LABELS.get(tag)
    if known:
        return known
    return tag.replace(":", " ").replace("_", " ").capitalize()


def role_label(code: str) -> str:
    return Role(code).label if code in Role.values else (code or "System")


@dataclass(frozen=True)
class LogLine:
    """One line of an access log: one event, or a run of the same event by the same person."""

    first: dt.datetime
    last: dt.datetime
    count: int
    who: str
    role: str
    agency: str
    action: str
    object_type: str
    object_id: str
    outcome: str
    reason: str

    @property
    def what(self) -> str:
        return action_label(self.action)

    @property
    def object_label(self) -> str:
        return OBJECT_LABELS.get(self.object_type, self.object_type)

    @property
    def outcome_label(self) -> str:
        return OUTCOME_LABELS.get(self.outcome, self.outcome)


def _line(event: AuditEvent) -> LogLine:
    actor = event.actor
    who = (actor.get_full_name() or actor.get_username()) if actor is not None else "System"
    return LogLine(
        first=event.occurred_at,
        last=event.occurred_at,
        count=1,
        who=who,
        role=role_label(event.actor_role),
        agency=str(event.actor_agency) if event.actor_agency_id else "",
        action=event.action,
        object_type=event.object_type,
        object_id=event.object_id,
        outcome=event.outcome,
        reason=event.reason,
    )


def collapse(events: Iterable[AuditEvent]) -> list[LogLine]:
    """Events in the order given, with a run of the same action by the same person on the same
    object (same outcome and reason) shown once, with its count and first and last times."""
    lines: list[LogLine] = []
    keys: list[tuple[object, ...]] = []
    for event in events:
        key = (
            event.actor_id,
            event.action,
            event.object_type,
            event.object_id,
            event.outcome,
            event.reason,
        )
        line = _line(event)
        if keys and keys[-1] == key:
            previous = lines[-1]
            lines[-1] = replace(
                previous,
                first=min(previous.first, line.first),
                last=max(previous.last, line.last),
                count=previous.count + 1,
            )
        else:
            lines.append(line)
            keys.append(key)
    return lines
