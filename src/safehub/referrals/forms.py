from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from django import forms

from safehub.access.models import Agency
from safehub.govuk.fields import GovDateTimeField
from safehub.govuk.forms import GovukForm
from safehub.referrals.models import DecisionOutcome
from safehub.rules import codes, screening


class ReferralForm(GovukForm):
    short_names: ClassVar[Mapping[str, str]] = {
        "received_at": "the date the referral was received",
        "source": "the source of the referral",
        "exploitation_types": "the kinds of exploitation",
        "concerns": "the concerns",
    }

    received_at = GovDateTimeField(
        label="When was the referral received?",
    )
    source = forms.ChoiceField(
        label="Where did it come from?",
        choices=[("", "Choose a source"), *codes.choices(codes.ReferralSource)],
        help_text="The CIN census referral source",
        error_messages={"required": "Choose where the referral came from"},
    )
    referring_agency = forms.ModelChoiceField(
        label="Referring agency (optional)",
        queryset=Agency.objects.filter(is_active=True),
        required=False,
        empty_label="Not a partner agency",
    )
    referrer_name = forms.CharField(label="Referrer's name (optional)", required=False)
    referrer_contact = forms.CharField(label="Referrer's phone or email (optional)", required=False)
    exploitation_types = forms.MultipleChoiceField(
        label="Which kinds of exploitation are of concern?",
        choices=codes.choices(codes.ExploitationType),
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply",
        error_messages={"required": "Choose at least one type of exploitation"},
    )
    concerns = forms.CharField(
        label="What are the concerns?",
        widget=forms.Textarea,
        error_messages={"required": "Enter the concerns"},
    )
    external_reference = forms.CharField(
        label="Reference in the referrer's system (optional)", required=False, max_length=100
    )


class ScreeningForm(GovukForm):
    """Generated from the screening tool: one set of checkboxes per indicator group."""

    def __init__(self, *args: Any, tool: screening.Tool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tool = tool
        for group in tool.groups:
            self.fields[group.key] = forms.MultipleChoiceField(
                label=group.title,
                choices=[(i.key, i.text) for i in group.indicators],
                widget=forms.CheckboxSelectMultiple,
                required=False,
                help_text=group.description or "Select all that apply",
            )
        self.fields["override_level"] = forms.ChoiceField(
            label="Professional judgement (optional)",
            choices=[("", "Use the computed level"), *codes.choices(codes.RiskLevel)],
            required=False,
            help_text="Change the computed level only with a reason; managers review every change.",
        )
        self.fields["override_reason"] = forms.CharField(
            label="Reason for changing the level", widget=forms.Textarea, required=False
        )

    def answers(self) -> dict[str, bool]:
        chosen = {key for group in self.tool.groups for key in self.cleaned_data[group.key]}
        return {key: key in chosen for key in self.tool.indicator_keys}

    @property
    def group_fields(self) -> list[forms.BoundField]:
        return [self[group.key] for group in self.tool.groups]


class DecisionForm(GovukForm):
    short_names: ClassVar[Mapping[str, str]] = {
        "outcome": "the decision",
    }

    outcome = forms.ChoiceField(
        label="What is the decision?",
        choices=DecisionOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the decision"},
    )
    pathway_agency = forms.ModelChoiceField(
        label="Support agency (for a pathway referral)",
        # Agencies with an active support service (safehub.partnership's SupportService).
        queryset=Agency.objects.filter(is_active=True, support_services__is_active=True).distinct(),
        required=False,
        empty_label="Choose an agency",
    )
    rationale = forms.CharField(
        label="Reasons for the decision",
        widget=forms.Textarea,
        error_messages={"required": "Enter the reasons for the decision"},
    )


class OverrideReviewForm(forms.Form):
    note = forms.CharField(
        label="Note (optional)", required=False, max_length=2000, widget=forms.Textarea
    )
