"""The episode page and its forms: risk changes, reviews, closing.

A strategy discussion is a meeting (`safehub.meetings`, a layer above): the page links to the
meetings form filled in for the episode, and lists the meetings filed on it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone

from safehub.access.policy import can, require
from safehub.episodes import allocation, queries, services
from safehub.episodes.forms import (
    CloseForm,
    MissingForm,
    ReturnForm,
    ReviewForm,
    RiskChangeForm,
)
from safehub.episodes.models import Episode, SignOffRequest, SignOffStatus
from safehub.govuk.forms import apply_errors, redraw_version
from safehub.govuk.views import Withdrawal, withdraw_page
from safehub.people import queries as people_queries
from safehub.people.corrections import StaleEditError
from safehub.rules import working_time


def episode_page(request: HttpRequest, episode_id: int) -> HttpResponse:
    episode = queries.get_episode(request.user, episode_id)
    last_review = episode.reviews.order_by("-reviewed_on").first()
    since = last_review.reviewed_on if last_review else episode.opened_on
    sections = people_queries.visible_sections(request.user, episode.child)
    return TemplateResponse(
        request,
        "episodes/episode.html",
        {
            "episode": episode,
            "changes": episode.risk_changes.order_by("-effective_on", "-id"),
            "reviews": episode.reviews.order_by("-reviewed_on"),
            # Meetings are the hub's own: a partner reading a shared episode sees none.
            "discussions": queries.strategy_discussions(episode)
            if can(request.user, "meeting:view")
            else None,
            "referrals": episode.referrals.order_by("-received_at")
            if "referrals" in sections
            else [],
            "current_level": services.level_on(episode, timezone.localdate()),
            "review_due": working_time.review_due(since) if not episode.closed_on else None,
            "can_update": can(request.user, "episode:update"),
            "allocations": allocation.history(episode),
            "can_allocate": can(request.user, "episode:allocate"),
            "sign_offs": episode.sign_offs.filter(status=SignOffStatus.WAITING),
        },
    )


def _episode_form(
    form_class: type[forms.Form],
    title: str,
    permission: str,
    action: Callable[[Episode, dict[str, Any], Any], object],
    done: str,
) -> Callable[[HttpRequest, int], HttpResponse]:
    def view(request: HttpRequest, episode_id: int) -> HttpResponse:
        episode = queries.get_episode(request.user, episode_id)
        # A partner who may read the episode may not change it: no form to fill in for nothing.
        require(request.user, permission, episode)
        form = form_class(
            request.POST if request.method == "POST" else None,
            initial={"version": episode.version},
        )
        if request.method == "POST" and form.is_valid():
            try:
                result = action(episode, form.cleaned_data, request.user)
            except StaleEditError as error:
                apply_errors(form, error)
                redraw_version(form, error.current_version)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(
                    request,
                    "Sent to a hub manager for sign-off: it takes effect when approved"
                    if isinstance(result, SignOffRequest)
                    else done,
                )
                return redirect(f"/episodes/{episode.pk}")
        return TemplateResponse(
            request,
            "episodes/episode_form.html",
            {"form": form, "episode": episode, "title": title},
        )

    return view


change_risk = _episode_form(
    RiskChangeForm,
    "Change the risk level",
    "episode:update",
    lambda e, d, u: services.change_risk(
        e, level=d["level"], effective_on=d["effective_on"], reason=d["reason"], acting_user=u
    ),
    "Risk level changed",
)
review = _episode_form(
    ReviewForm,
    "Record a review",
    "episode:review",
    lambda e, d, u: services.record_review(
        e, reviewed_on=d["reviewed_on"], summary=d["summary"], acting_user=u
    ),
    "Review recorded",
)
close = _episode_form(
    CloseForm,
    "Close the episode",
    "episode:update",
    lambda e, d, u: services.close_episode(
        e,
        closed_on=d["closed_on"],
        reason=d["closure_reason"],
        expected_version=d["version"],
        acting_user=u,
    ),
    "Episode closed",
)


def new_missing(request: HttpRequest, child_id: int) -> HttpResponse:
    child = people_queries.get_child(request.user, child_id)
    require(request.user, "missing:record", child)
    form = MissingForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_missing_episode(child, acting_user=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Missing episode recorded")
            return redirect(f"/children/{child.pk}")
    return TemplateResponse(request, "episodes/missing_form.html", {"form": form, "child": child})


def update_missing(request: HttpRequest, missing_id: int) -> HttpResponse:
    missing = queries.get_missing_episode(request.user, missing_id)
    if request.method == "POST":
        require(request.user, "missing:record", missing)
    initial = {
        "ended_at": missing.ended_at,
        "return_interview_offered_at": missing.return_interview_offered_at,
        "return_interview_completed_at": missing.return_interview_completed_at,
        "version": missing.version,
    }
    form = ReturnForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.update_missing_episode(
                missing,
                acting_user=request.user,
                expected_version=data.pop("version"),
                **data,
            )
        except StaleEditError as error:
            apply_errors(form, error)
            redraw_version(form, error.current_version)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Return and return home interview saved")
            return redirect(f"/children/{missing.child_id}")
    due = working_time.return_interview_due(missing.ended_at) if missing.ended_at else None
    context = {
        "form": form,
        "missing": missing,
        "due": due,
        "can_record": can(request.user, "missing:record"),
    }
    return TemplateResponse(request, "episodes/return_form.html", context)


def withdraw_risk_change(request: HttpRequest, episode_id: int, change_id: int) -> HttpResponse:
    """Withdraw a risk grading entered in error; the grading before it applies again."""
    change = queries.get_risk_change(request.user, episode_id, change_id)
    episode = change.episode
    require(request.user, "episode:update", episode)
    if change.withdrawn:
        return redirect(f"/episodes/{episode.pk}")
    return withdraw_page(
        request,
        Withdrawal(
            title="Withdraw a risk level entered in error",
            caption=episode.child.full_name,
            back=f"/episodes/{episode.pk}",
            summary=[
                ("Risk level", change.get_level_display()),
                ("From", f"{change.effective_on:%-d %B %Y}"),
                ("Reason given", change.reason or "None given"),
            ],
            version=change.version,
            withdraw=lambda reason, version: services.withdraw_risk_change(
                change, reason=reason, expected_version=version, acting_user=request.user
            ),
            done="Risk level withdrawn",
            then=f"/episodes/{episode.pk}",
            reason_label="Why is this risk level being withdrawn?",
            required_message="Enter why the risk level is being withdrawn",
            warning=(
                "It stays in the episode's risk history and the audit trail, marked as entered "
                "in error; the level before it applies again. To record a different level, "
                "change the risk level afterwards."
            ),
        ),
    )


def withdraw_missing(request: HttpRequest, missing_id: int) -> HttpResponse:
    """Withdraw a missing episode entered in error (a duplicate, or the wrong child)."""
    missing = queries.get_missing_episode(request.user, missing_id)
    require(request.user, "missing:record", missing)
    if missing.withdrawn:
        return redirect(f"/children/{missing.child_id}")
    returned = (
        f"{timezone.localtime(missing.ended_at):%-d %B %Y %H:%M}"
        if missing.ended_at
        else "Not yet returned"
    )
    return withdraw_page(
        request,
        Withdrawal(
            title="Withdraw a missing episode entered in error",
            caption=missing.child.full_name,
            back=f"/missing/{missing.pk}",
            summary=[
                ("Kind", missing.get_kind_display()),
                ("From", f"{timezone.localtime(missing.started_at):%-d %B %Y %H:%M}"),
                ("Returned", returned),
            ],
            version=missing.version,
            withdraw=lambda reason, version: services.withdraw_missing_episode(
                missing, reason=reason, expected_version=version, acting_user=request.user
            ),
            done="Missing episode withdrawn",
            then=f"/children/{missing.child_id}",
            reason_label="Why is this missing episode being withdrawn?",
            required_message="Enter why the missing episode is being withdrawn",
        ),
    )
