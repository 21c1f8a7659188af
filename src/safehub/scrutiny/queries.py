"""Reading committee meetings and actions: whoever may see scrutiny sees all of it (no child
data, so no scoping by agency); everyone else gets a 404, audited by the caller's `require`."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from safehub.access.policy import Principal, require
from safehub.scrutiny.models import CommitteeMeeting, Resolution, ScrutinyAction


def meetings(user: Principal) -> QuerySet[CommitteeMeeting]:
    require(user, "scrutiny:view")
    return CommitteeMeeting.objects.select_related("area").prefetch_related("resolutions")


def meeting(user: Principal, meeting_id: int) -> CommitteeMeeting:
    require(user, "scrutiny:view")
    actions = ScrutinyAction.objects.prefetch_related("updates")
    resolutions = Resolution.objects.prefetch_related(Prefetch("actions", queryset=actions))
    return get_object_or_404(
        CommitteeMeeting.objects.select_related("area").prefetch_related(
            Prefetch("resolutions", queryset=resolutions)
        ),
        pk=meeting_id,
    )


def resolution(user: Principal, resolution_id: int) -> Resolution:
    require(user, "scrutiny:view")
    return get_object_or_404(Resolution.objects.select_related("meeting"), pk=resolution_id)


def action(user: Principal, action_id: int) -> ScrutinyAction:
    require(user, "scrutiny:view")
    return get_object_or_404(
        ScrutinyAction.objects.select_related("resolution__meeting").prefetch_related("updates"),
        pk=action_id,
    )
