from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from django import forms

from safehub.access.models import Agency, User
from safehub.govuk.fields import GovDateField, GovDateTimeField
from safehub.govuk.forms import GovukForm
from safehub.partnership import queries
from safehub.partnership.models import ContactMethod, Outcome
from safehub.people.models import LawfulBasis, ShareSection
from safehub.rules import codes


class ServicesField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.agency.name})"


class WorkerField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name() or obj.get_username())


class ReferForm(GovukForm):
    short_names: ClassVar[Mapping[str, str]] = {
        "services": "the services",
        "expires_on": "the date the share ends",
    }

    services = ServicesField(
        label="Which services?",
        queryset=queries.active_services(),
        widget=forms.CheckboxSelectMultiple,
        help_text="The child is referred to each service you choose",
        error_messages={"required": "Choose at least one service"},
    )
    message = forms.CharField(
        label="Message to the service",
        widget=forms.Textarea,
        help_text="What the worker needs to know to start",
        error_messages={"required": "Enter a message for the service"},
    )
    lawful_basis = forms.ChoiceField(
        label="Lawful basis for sharing",
        choices=LawfulBasis.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the lawful basis for sharing"},
    )
    purpose = forms.CharField(
        label="Purpose of sharing",
        widget=forms.Textarea,
        error_messages={"required": "Enter the purpose"},
    )
    sections = forms.MultipleChoiceField(
        label="What to share with the service's agency",
        choices=ShareSection.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="The child's name, age and sex are always shared. Share no more than needed.",
    )
    expires_on = GovDateField(
        label="Share until", error_messages={"required": "Enter the date the share ends"}
    )


class AcceptForm(GovukForm):
    worker = WorkerField(
        label="Allocate to",
        queryset=User.objects.none(),
        empty_label="Choose a worker",
        error_messages={"required": "Choose a worker"},
    )

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["worker"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101
        field.queryset = queries.workers_of(agency)


class ReasonForm(GovukForm):
    reason = forms.CharField(
        label="Reason", widget=forms.Textarea, error_messages={"required": "Enter the reason"}
    )


class FirstContactForm(GovukForm):
    short_names: ClassVar[Mapping[str, str]] = {
        "contacted_at": "the date of the first contact",
        "method": "how the contact was made",
    }

    contacted_at = GovDateTimeField(label="When was the first contact?")
    method = forms.ChoiceField(
        label="How?",
        choices=ContactMethod.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how the first contact was made"},
    )
    note = forms.CharField(label="Note (optional)", widget=forms.Textarea, required=False)


class UpdateForm(GovukForm):
    text = forms.CharField(
        label="Engagement update",
        widget=forms.Textarea,
        error_messages={"required": "Enter the update"},
    )


class CloseForm(GovukForm):
    outcome = forms.ChoiceField(
        label="What was the outcome?",
        choices=Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the outcome"},
    )
    note = forms.CharField(label="Note (optional)", widget=forms.Textarea, required=False)


class SeenForm(GovukForm):
    note = forms.CharField(
        label="What the hub will do (optional)", widget=forms.Textarea, required=False
    )


class ObservationForm(GovukForm):
    text = forms.CharField(
        label="Observation",
        widget=forms.Textarea,
        help_text="The hub sees it on the child's timeline, marked with your agency",
        error_messages={"required": "Enter the observation"},
    )


class ConcernForm(GovukForm):
    short_names: ClassVar[Mapping[str, str]] = {
        "exploitation_types": "the kinds of exploitation",
        "concerns": "the concerns",
    }

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
