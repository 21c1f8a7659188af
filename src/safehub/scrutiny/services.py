"""Recording committee meetings, resolutions, actions and their progress.

One function = one transaction: permission checked, the rules' problems refused with the field
named, history kept and the audit event written alongside.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from safehub.access.models import Role
from safehub.access.policy import Principal, require, user_or_none
from safehub.audit import services as audit
from safehub.geo.models import AreaCommittee
from safehub.people.services import refuse, save_with_history
from safehub.rules import plausibility
from safehub.scrutiny.models import (
    ActionStatus,
    CommitteeMeeting,
    ProgressUpdate,
    Resolution,
    ScrutinyAction,
)


def _required(field: str, value: str, message: str) -> plausibility.Problems:
    return [] if value.strip() else [(field, message)]


def _not_future(field: str, on: dt.date, *, label: str) -> plausibility.Problems:
    problems = plausibility.not_too_early(field, on, label=label)
    if on > timezone.localdate():
        problems.append((field, f"{label} must be today or in the past"))
    return problems


@transaction.atomic
def record_meeting(
    *,
    committee: str,
    area: AreaCommittee | None,
    held_on: dt.date,
    acting_user: Principal,
) -> CommitteeMeeting:
    require(acting_user, "scrutiny:record")
    refuse(
        _required("committee", committee, "Enter the committee's name")
        + _not_future("held_on", held_on, label="The date of the meeting")
    )
    meeting = CommitteeMeeting(
        committee=committee.strip(),
        area=area,
        held_on=held_on,
        recorded_by=user_or_none(acting_user),
    )
    save_with_history(meeting, acting_user)
    audit.write(acting_user, "scrutiny:meeting:recorded", meeting)
    return meeting


@transaction.atomic
def add_resolution(
    meeting: CommitteeMeeting, *, number: int, text: str, acting_user: Principal
) -> Resolution:
    require(acting_user, "scrutiny:record")
    problems = _required("text", text, "Enter the resolution")
    if number < 1:
        problems.append(("number", "The number must be 1 or more"))
    elif meeting.resolutions.filter(number=number).exists():
        problems.append(("number", f"This meeting already has a resolution {number}"))
    refuse(problems)
    resolution = Resolution(meeting=meeting, number=number, text=text.strip())
    save_with_history(resolution, acting_user)
    audit.write(acting_user, "scrutiny:resolution:recorded", resolution)
    return resolution


@transaction.atomic
def add_action(  # noqa: PLR0913 - each is a field of the action
    resolution: Resolution,
    *,
    text: str,
    owner_role: str,
    owner_title: str,
    due_on: dt.date,
    acting_user: Principal,
) -> ScrutinyAction:
    require(acting_user, "scrutiny:record")
    problems = _required("text", text, "Enter what is to be done")
    problems += _required("owner_title", owner_title, "Enter the owner's job title")
    if owner_role not in Role.values:
        problems.append(("owner_role", "Choose the owner's role in Safehub"))
    problems += plausibility.not_too_early("due_on", due_on, label="The due date")
    if due_on < resolution.meeting.held_on:
        problems.append(("due_on", "The due date must be on or after the meeting"))
    refuse(problems)
    action = ScrutinyAction(
        resolution=resolution,
        text=text.strip(),
        owner_role=owner_role,
        owner_title=owner_title.strip(),
        due_on=due_on,
    )
    save_with_history(action, acting_user)
    audit.write(acting_user, "scrutiny:action:recorded", action)
    return action


@transaction.atomic
def record_progress(  # noqa: PLR0913 - each is a field of the update
    action: ScrutinyAction,
    *,
    reported_on: dt.date,
    text: str,
    status: str,
    evidence: str = "",
    acting_user: Principal,
) -> ProgressUpdate:
    """A dated progress update; the action takes the status it reports."""
    require(acting_user, "scrutiny:record")
    action = ScrutinyAction.objects.select_for_update().get(pk=action.pk)
    problems = _required("text", text, "Enter the progress made")
    if status not in ActionStatus.values:
        problems.append(("status", "Choose the action's status"))
    problems += _not_future("reported_on", reported_on, label="The date of the update")
    if reported_on < action.resolution.meeting.held_on:
        problems.append(("reported_on", "The date of the update must be on or after the meeting"))
    refuse(problems)
    update = ProgressUpdate(
        action=action,
        reported_on=reported_on,
        text=text.strip(),
        status=status,
        evidence=evidence.strip(),
        recorded_by=user_or_none(acting_user),
    )
    save_with_history(update, acting_user)
    latest = action.updates.order_by("-reported_on", "-pk").first()
    if latest is not None and action.status != latest.status:
        action.status = latest.status
        save_with_history(action, acting_user)
    audit.write(acting_user, "scrutiny:progress:recorded", update)
    return update
