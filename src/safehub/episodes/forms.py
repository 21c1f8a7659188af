from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from django import forms

from safehub.episodes.models import MissingKind
from safehub.govuk.fields import GovDateField, GovDateTimeField
from safehub.govuk.forms import GovukForm, VersionField
from safehub.rules import codes

LEVELS = [c for c in codes.choices(codes.RiskLevel) if c[0] != "none"]


class RiskChangeForm(GovukForm):
    short_names: ClassVar[Mapping[str, str]] = {
        "effective_on": "the date the risk changed",
        "reason": "the reason the risk changed",
    }

    level = forms.ChoiceField(
        label="New risk level",
        choices=LEVELS,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the new risk level"},
    )
    effective_on = GovDateField(
        label="From when?", past_only=True, error_messages={"required": "Enter the date"}
    )
    reason = forms.CharField(
        label="Why has the risk changed?",
        widget=forms.Textarea,
        error_messages={"required": "Give the reason for the change of risk"},
    )


class ReviewForm(GovukForm):
    reviewed_on = GovDateField(
        label="Date of the review",
        past_only=True,
        error_messages={"required": "Enter the date of the review"},
    )
    summary = forms.CharField(
        label="Summary of the review",
        widget=forms.Textarea,
        error_messages={"required": "Enter a summary of the review"},
    )


class CloseForm(GovukForm):
    closed_on = GovDateField(
        label="Date closed", past_only=True, error_messages={"required": "Enter the date closed"}
    )
    closure_reason = forms.CharField(
        label="Reason for closing", error_messages={"required": "Give the reason for closing"}
    )
    version = VersionField()


class MissingForm(GovukForm):
    # Not pre-selected (GOV.UK radios never are): the worker says which it was.
    short_names: ClassVar[Mapping[str, str]] = {
        "started_at": "the date the child went missing",
        "ended_at": "the date the child returned",
    }

    kind = forms.ChoiceField(
        label="Kind",
        choices=MissingKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether the child was missing or away from placement"},
    )
    started_at = GovDateTimeField(
        label="When did the child go missing?",
        error_messages={"required": "Enter when the child went missing"},
    )
    ended_at = GovDateTimeField(label="When did the child return? (optional)", required=False)
    reported_by = forms.CharField(label="Reported by (optional)", required=False)
    police_reference = forms.CharField(label="Police reference (optional)", required=False)
    return_interview_offered_at = GovDateTimeField(
        label="Return home interview offered (optional)", required=False
    )
    return_interview_completed_at = GovDateTimeField(
        label="Return home interview done (optional)", required=False
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        started, ended = data.get("started_at"), data.get("ended_at")
        if started and ended and ended < started:
            self.add_error(
                "ended_at",
                "Date the child returned must be on or after the date they went missing",
            )
        return data


class ReturnForm(GovukForm):
    short_names: ClassVar[Mapping[str, str]] = {
        "ended_at": "the date the child returned",
    }

    ended_at = GovDateTimeField(label="When did the child return?", required=False)
    return_interview_offered_at = GovDateTimeField(
        label="Return home interview offered", required=False
    )
    return_interview_completed_at = GovDateTimeField(
        label="Return home interview done", required=False
    )
    version = VersionField()
