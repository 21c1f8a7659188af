"""The episode page and its forms: risk changes, reviews, strategy discussions, closing."""

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

from safehub.episodes import queries, services
from safehub.episodes.forms import (
    CloseForm,
    MissingForm,
    ReturnForm,
    ReviewForm,
    RiskChangeForm,
    StrategyDiscussionForm,
)
from safehub.episodes.models import Episode
from safehub.govuk.forms import apply_errors
from safehub.people import queries as people_queries
from safehub.rules import working_time


def episode_page(request: HttpRequest, episode_id: int) -> HttpResponse:
    episode = queries.get_episode(request.user, episode_id)
    last_review = episode.reviews.order_by("-reviewed_on").first()
    since = last_review.reviewed_on if last_review else episode.opened_on
    return TemplateResponse(
        request,
        "episodes/episode.html",
        {
            "episode": episode,
            "changes": episode.risk_changes.order_by("-effective_on", "-id"),
            "reviews": episode.reviews.order_by("-reviewed_on"),
            "discussions": episode.strategy_discussions.order_by("-held_at"),
            "referrals": episode.referrals.order_by("-received_at"),
            "current_level": services.level_on(episode, timezone.localdate()),
            "review_due": working_time.review_due(since) if not episode.closed_on else None,
        },
    )


def _episode_form(
    form_class: type[forms.Form],
    title: str,
    action: Callable[[Episode, dict[str, Any], Any], object],
    saved: str,
) -> Callable[[HttpRequest, int], HttpResponse]:
    def view(request: HttpRequest, episode_id: int) -> HttpResponse:
        episode = queries.get_episode(request.user, episode_id)
        form = form_class(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                action(episode, form.cleaned_data, request.user)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, saved)
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
    lambda e, d, u: services.change_risk(
        e, level=d["level"], effective_on=d["effective_on"], reason=d["reason"], acting_user=u
    ),
    "Risk level changed",
)
review = _episode_form(
    ReviewForm,
    "Record a review",
    lambda e, d, u: services.record_review(
        e, reviewed_on=d["reviewed_on"], summary=d["summary"], acting_user=u
    ),
    "Review recorded",
)
strategy_discussion = _episode_form(
    StrategyDiscussionForm,
    "Record a strategy discussion",
    lambda e, d, u: services.record_strategy_discussion(
        e, held_at=d["held_at"], summary=d["summary"], acting_user=u
    ),
    "Strategy discussion recorded",
)
close = _episode_form(
    CloseForm,
    "Close the episode",
    lambda e, d, u: services.close_episode(
        e, closed_on=d["closed_on"], reason=d["closure_reason"], acting_user=u
    ),
    "Episode closed",
)


def new_missing(request: HttpRequest, child_id: int) -> HttpResponse:
    child = people_queries.get_child(request.user, child_id)
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
    initial = {
        "ended_at": missing.ended_at,
        "return_interview_offered_at": missing.return_interview_offered_at,
        "return_interview_completed_at": missing.return_interview_completed_at,
    }
    form = ReturnForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_missing_episode(missing, acting_user=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Missing episode updated")
            return redirect(f"/children/{missing.child_id}")
    due = working_time.return_interview_due(missing.ended_at) if missing.ended_at else None
    return TemplateResponse(
        request, "episodes/return_form.html", {"form": form, "missing": missing, "due": due}
    )
