from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from django import forms

from safehub.govuk.fields import GovDateField
from safehub.govuk.forms import GovukForm
from safehub.intelligence.models import DisruptionKind, LocationKind, LocationOfConcern

NOT_A_NAME = "Do not write the name of a person of concern here"


class LocationForm(GovukForm):
    short_names: ClassVar[Mapping[str, str]] = {
        "kind": "the kind of location",
        "description": "the reason for concern",
        "first_noted": "the date the hub first had concerns",
    }

    name = forms.CharField(
        label="Name of the location",
        max_length=200,
        help_text="How the hub refers to it, for example 'Takeaway on a high street'",
        error_messages={"required": "Enter a name for the location"},
    )
    kind = forms.ChoiceField(
        label="What kind of location is it?",
        choices=LocationKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what kind of location it is"},
    )
    description = forms.CharField(
        label="Why is it a concern? (optional)",
        widget=forms.Textarea,
        required=False,
        help_text=NOT_A_NAME,
    )
    postcode = forms.CharField(
        label="Postcode (optional)",
        required=False,
        max_length=8,
        help_text="Used to place the location in a ward",
    )
    first_noted = GovDateField(
        label="When did the hub first have concerns about it?",
        past_only=True,
        help_text="For example, 27 3 2024",
        error_messages={"required": "Enter the date the hub first had concerns"},
    )

    def __init__(self, *args: Any, wards: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ward_code"] = forms.ChoiceField(
            label="Ward (if the postcode is not known)",
            choices=[("", "Choose a ward"), *wards],
            required=False,
        )
        # The ward belongs next to the postcode, before the date.
        self.order_fields(["name", "kind", "description", "postcode", "ward_code"])


class PersonForm(GovukForm):
    name = forms.CharField(
        label="Name or alias",
        max_length=200,
        help_text="The name the person is known by; an alias if that is all there is",
        error_messages={"required": "Enter the person's name or the alias they are known by"},
    )
    date_of_birth = GovDateField(label="Date of birth (optional)", required=False, past_only=True)
    description = forms.CharField(
        label="Description (optional)",
        widget=forms.Textarea,
        required=False,
        help_text="Appearance, vehicles, how they are known to the hub",
    )


class LinkChildForm(GovukForm):
    short_names: ClassVar[Mapping[str, str]] = {
        "noted_on": "the date the link was noted",
    }

    noted_on = GovDateField(
        label="When was the link noted?",
        past_only=True,
        error_messages={"required": "Enter the date the link was noted"},
    )
    note = forms.CharField(label="Note (optional)", max_length=300, required=False)


class LinkChildToPersonForm(LinkChildForm):
    relationship = forms.CharField(
        label="Relationship to the child (optional)",
        max_length=200,
        required=False,
        help_text="For example, 'older boyfriend' or 'gives lifts'",
    )

    field_order = ("noted_on", "relationship", "note")


class LinkLocationForm(GovukForm):
    short_names: ClassVar[Mapping[str, str]] = {
        "noted_on": "the date the link was noted",
    }

    noted_on = GovDateField(
        label="When was the link noted?",
        past_only=True,
        error_messages={"required": "Enter the date the link was noted"},
    )
    note = forms.CharField(label="Note (optional)", max_length=300, required=False)

    def __init__(self, *args: Any, locations: list[LocationOfConcern], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.locations = {str(x.pk): x for x in locations}
        self.fields["location"] = forms.ChoiceField(
            label="Location",
            choices=[("", "Choose a location"), *((k, x.name) for k, x in self.locations.items())],
            error_messages={"required": "Choose the location"},
        )
        self.order_fields(["location", "noted_on", "note"])

    def clean_location(self) -> LocationOfConcern:
        return self.locations[self.cleaned_data["location"]]


class DisruptionForm(GovukForm):
    short_names: ClassVar[Mapping[str, str]] = {
        "kind": "what was done",
        "description": "the description",
    }

    kind = forms.ChoiceField(
        label="What was done?",
        choices=DisruptionKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what was done"},
    )
    occurred_on = GovDateField(
        label="Date",
        past_only=True,
        error_messages={"required": "Enter the date"},
    )
    police_reference = forms.CharField(
        label="Police reference (optional)", max_length=50, required=False
    )
    description = forms.CharField(
        label="What happened? (optional)",
        widget=forms.Textarea,
        required=False,
        help_text=NOT_A_NAME + ": record the disruption from the person's page instead",
    )

    def __init__(
        self,
        *args: Any,
        locations: list[LocationOfConcern] | None = None,
        **kwargs: Any,
    ) -> None:
        """`locations` offers a menu; None when the location is already fixed by the page."""
        super().__init__(*args, **kwargs)
        self.locations = {str(x.pk): x for x in locations or []}
        if locations is not None:
            self.fields["location"] = forms.ChoiceField(
                label="Location (optional)",
                choices=[("", "None"), *((k, x.name) for k, x in self.locations.items())],
                required=False,
            )

    def clean_location(self) -> LocationOfConcern | None:
        return self.locations.get(self.cleaned_data.get("location") or "")
