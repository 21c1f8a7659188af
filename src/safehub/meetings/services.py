"""Recording meetings and their actions: one function = one transaction, permission checked,
history kept and the audit event written alongside."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from safehub.access.models import Agency, User
from safehub.access.policy import HUB_ROLES, Principal, can, require, user_or_none
from safehub.audit import services as audit
from safehub.episodes.models import Episode
from safehub.intelligence.models import LocationOfConcern, PersonOfConcern
from safehub.meetings.models import ActionStatus, Meeting, MeetingAction, MeetingKind
from safehub.people.models import Child
from safehub.people.queries import children_for
from safehub.people.services import birth_of, refuse, save_with_history
from safehub.rules import plausibility


def _hub_worker(user: User | None) -> bool:
    return user is not None and user.role in HUB_ROLES and user.is_active


def _episode_problems(episode: Episode, children: list[Child]) -> plausibility.Problems:
    """A meeting filed on an episode is about the episode's child, and the episode stands."""
    problems: plausibility.Problems = []
    if episode.withdrawn:
        problems.append(("episode", "This episode was withdrawn as entered in error"))
    if episode.child_id not in {c.pk for c in children}:
        problems.append(("children", "Enter the child whose episode this is"))
    return problems


@transaction.atomic
def record_meeting(  # noqa: PLR0913 - each is a part of the meeting's record
    *,
    kind: str,
    held_at: dt.datetime,
    chair: User | None,
    agencies: Iterable[Agency],
    children: Iterable[Child],
    decisions: str,
    locations: Iterable[LocationOfConcern] = (),
    persons: Iterable[PersonOfConcern] = (),
    episode: Episode | None = None,
    acting_user: Principal,
) -> Meeting:
    """A strategy discussion or MACE meeting that has been held, with who attended (by agency)
    and the children, places and persons discussed. Children must be in the recorder's scope,
    and only those who may record persons of concern may name them.

    A meeting filed on an `episode` (a strategy discussion recorded from the episode page)
    needs what the episode's own forms need, and names the episode's child."""
    require(acting_user, "meeting:record")
    if episode is not None:
        require(acting_user, "episode:update", episode)
    agencies, children = list(agencies), list(children)
    locations, persons = list(locations), list(persons)
    problems: plausibility.Problems = []
    if kind not in MeetingKind.values:
        problems.append(("kind", "Choose the kind of meeting"))
    problems += plausibility.meeting(timezone.localtime(held_at).date(), today=timezone.localdate())
    if chair is not None and not _hub_worker(chair):
        problems.append(("chair", "Choose a hub worker as the chair"))
    if not agencies:
        problems.append(("agencies", "Choose the agencies that attended"))
    if not children:
        problems.append(("children", "Enter the children discussed"))
    in_scope = set(
        children_for(acting_user)
        .filter(pk__in=[c.pk for c in children])
        .values_list("pk", flat=True)
    )
    if any(c.pk not in in_scope for c in children):
        problems.append(("children", "Enter children whose records you can see"))
    for child in children:
        problems += plausibility.after_birth(
            "held_at", held_at, birth_of(child), label="The date of the meeting"
        )
    if episode is not None:
        problems += _episode_problems(episode, children)
    if persons and not can(acting_user, "person_of_concern:record"):
        problems.append(("persons", "Only hub managers and police may name persons of concern"))
    refuse(problems)
    meeting = Meeting(
        kind=kind,
        held_at=held_at,
        chair=chair,
        decisions=decisions.strip(),
        recorded_by=user_or_none(acting_user),
        recorded_at=timezone.now(),
        episode=episode,
    )
    save_with_history(meeting, acting_user)
    meeting.agencies.set(agencies)
    meeting.children.set(children)
    meeting.locations.set(locations)
    meeting.persons.set(persons)
    audit.write(acting_user, "meeting:recorded", meeting)
    audit.write_each(
        acting_user,
        "child:meeting:recorded",
        children,
        context=f"{meeting.get_kind_display()} {meeting.reference}",
    )
    return meeting


@transaction.atomic
def add_action(
    meeting: Meeting, *, text: str, owner: User, due_on: dt.date, acting_user: Principal
) -> MeetingAction:
    """An action the meeting agreed: an owner in the hub and a due date."""
    require(acting_user, "meeting:record", meeting)
    problems: plausibility.Problems = []
    if not text.strip():
        problems.append(("text", "Enter what is to be done"))
    if not _hub_worker(owner):
        problems.append(("owner", "Choose a hub worker as the owner"))
    problems += plausibility.meeting_action(
        due_on, held_on=timezone.localtime(meeting.held_at).date()
    )
    refuse(problems)
    action = MeetingAction(
        meeting=meeting, text=text.strip(), owner=owner, due_on=due_on, updated_at=timezone.now()
    )
    save_with_history(action, acting_user)
    audit.write(acting_user, "meeting:action:added", action)
    return action


@transaction.atomic
def set_action_status(
    action: MeetingAction, *, status: str, acting_user: Principal
) -> MeetingAction:
    """Mark an action done or cancelled (or open again)."""
    require(acting_user, "meeting:record", action)
    action = MeetingAction.objects.select_for_update().get(pk=action.pk)
    if status not in ActionStatus.values:
        raise ValidationError({"status": "Choose the action's status"})
    action.status = status
    action.updated_at = timezone.now()
    save_with_history(action, acting_user)
    audit.write(acting_user, f"meeting:action:{status}", action)
    return action
