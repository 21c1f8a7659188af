from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from django import forms

from safehub.access.models import Role
from safehub.geo.models import AreaCommittee
from safehub.govuk.fields import GovDateField
from safehub.govuk.forms import GovukForm
from safehub.scrutiny.models import ActionStatus

NO_PERSONAL_DETAILS = "Committee papers are public: do not name or describe a child or family."


class MeetingForm(GovukForm):
    short_names: ClassVar[Mapping[str, str]] = {
        "committee": "the committee's name",
        "held_on": "the date of the meeting",
    }

    committee = forms.CharField(
        label="Committee",
        help_text='For example, "Bradford South Area Committee".',
        max_length=200,
    )
    area = forms.ModelChoiceField(
        label="Area (leave empty for a committee of the whole district)",
        queryset=AreaCommittee.objects.none(),
        required=False,
        empty_label="The whole district",
    )
    held_on = GovDateField(
        label="Date of the meeting", error_messages={"required": "Enter the date of the meeting"}
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        area = self.fields["area"]
        assert isinstance(area, forms.ModelChoiceField)  # noqa: S101 - declared above
        area.queryset = AreaCommittee.objects.order_by("name")


class ResolutionForm(GovukForm):
    short_names: ClassVar[Mapping[str, str]] = {"number": "the number", "text": "the resolution"}

    number = forms.IntegerField(label="Number", min_value=1, max_value=99)
    text = forms.CharField(
        label="Resolution", help_text=NO_PERSONAL_DETAILS, max_length=2000, widget=forms.Textarea
    )


class ActionForm(GovukForm):
    short_names: ClassVar[Mapping[str, str]] = {
        "text": "what is to be done",
        "owner_title": "the owner's job title",
        "owner_role": "the owner's role",
        "due_on": "the due date",
    }

    text = forms.CharField(
        label="What is to be done",
        help_text=NO_PERSONAL_DETAILS,
        max_length=2000,
        widget=forms.Textarea,
    )
    owner_title = forms.CharField(
        label="Owner's job title",
        help_text='A post, not a person: for example, "Strategic Director, Children\'s Services".',
        max_length=200,
    )
    owner_role = forms.ChoiceField(
        label="Who in Safehub is told when it is overdue",
        choices=[("", "Choose"), *Role.choices],
        error_messages={"required": "Choose the owner's role"},
    )
    due_on = GovDateField(label="Due date", error_messages={"required": "Enter the due date"})


class ProgressForm(GovukForm):
    short_names: ClassVar[Mapping[str, str]] = {
        "reported_on": "the date of the update",
        "text": "the progress made",
        "status": "the status",
    }

    reported_on = GovDateField(
        label="Date of the update", error_messages={"required": "Enter the date of the update"}
    )
    text = forms.CharField(
        label="Progress made", help_text=NO_PERSONAL_DETAILS, max_length=4000, widget=forms.Textarea
    )
    status = forms.ChoiceField(
        label="Status after this update",
        choices=ActionStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the action's status"},
    )
    evidence = forms.CharField(
        label="Evidence (optional)",
        help_text='A report section (for example "youth_service") or a link to a published paper.',
        max_length=500,
        required=False,
    )
