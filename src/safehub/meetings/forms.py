from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, ClassVar

from django import forms

from safehub.access.models import Agency, User
from safehub.access.policy import HUB_ROLES
from safehub.govuk.fields import GovDateField, GovDateTimeField
from safehub.govuk.forms import GovukForm
from safehub.meetings.models import ActionStatus, MeetingKind


class UserField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name() or obj.username)


def hub_workers() -> Any:
    return User.objects.filter(role__in=HUB_ROLES, is_active=True).order_by(
        "first_name", "last_name", "username"
    )


class MeetingForm(GovukForm):
    short_names: ClassVar[Mapping[str, str]] = {
        "held_at": "the date of the meeting",
        "agencies": "the agencies that attended",
        "children": "the children discussed",
    }

    kind = forms.ChoiceField(
        label="Kind of meeting",
        choices=MeetingKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the kind of meeting"},
    )
    held_at = GovDateTimeField(
        label="When was it held?",
        error_messages={"required": "Enter the date and time the meeting was held"},
    )
    chair = UserField(label="Chair", queryset=hub_workers(), required=False)
    agencies = forms.ModelMultipleChoiceField(
        label="Agencies that attended",
        queryset=Agency.objects.filter(is_active=True).order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose the agencies that attended"},
    )
    children = forms.CharField(
        label="Children discussed",
        help_text="Their record numbers (the number in the address of the child's page), "
        "separated by commas.",
        error_messages={"required": "Enter the children discussed"},
    )
    decisions = forms.CharField(label="Decisions", widget=forms.Textarea, required=False)

    def __init__(
        self,
        *args: Any,
        locations: Any = None,
        persons: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if locations is not None:
            self.fields["locations"] = forms.ModelMultipleChoiceField(
                label="Places of concern discussed",
                queryset=locations,
                widget=forms.CheckboxSelectMultiple,
                required=False,
            )
        if persons is not None:
            self.fields["persons"] = forms.ModelMultipleChoiceField(
                label="Persons of concern discussed",
                queryset=persons,
                widget=forms.CheckboxSelectMultiple,
                required=False,
            )

    def clean_children(self) -> list[int]:
        raw = self.cleaned_data["children"]
        parts = [p for p in re.split(r"[\s,]+", raw) if p]
        if not parts or not all(p.isdigit() for p in parts):
            raise forms.ValidationError(
                "Enter the children's record numbers, separated by commas, like 12, 34"
            )
        return sorted({int(p) for p in parts})


class ActionForm(GovukForm):
    short_names: ClassVar[Mapping[str, str]] = {"text": "the action", "due_on": "the due date"}

    text = forms.CharField(
        label="Action",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter what is to be done"},
    )
    owner = UserField(
        label="Owner",
        queryset=hub_workers(),
        error_messages={"required": "Choose the action's owner"},
    )
    due_on = GovDateField(label="Due date", error_messages={"required": "Enter the due date"})


class ActionStatusForm(GovukForm):
    status = forms.ChoiceField(
        label="Status",
        choices=ActionStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the action's status"},
    )
