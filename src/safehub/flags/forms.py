from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from django import forms

from safehub.access.models import User
from safehub.access.policy import HUB_ROLES
from safehub.flags.models import FlagKind
from safehub.govuk.fields import GovDateField
from safehub.govuk.forms import GovukForm, VersionField


class OwnerField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name() or obj.username)


def hub_workers() -> Any:
    return User.objects.filter(role__in=HUB_ROLES, is_active=True).order_by(
        "first_name", "last_name", "username"
    )


class FlagForm(GovukForm):
    short_names: ClassVar[Mapping[str, str]] = {
        "text": "what a reader must know or do",
        "review_on": "the review date",
    }

    kind = forms.ChoiceField(
        label="Kind of warning",
        choices=FlagKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the kind of warning"},
    )
    text = forms.CharField(
        label="What must anyone opening this record know or do?",
        help_text='For example, "do not disclose her address to callers".',
        max_length=500,
        widget=forms.Textarea,
    )
    owner = OwnerField(label="Owner", queryset=User.objects.none(), empty_label="Choose")
    review_on = GovDateField(
        label="Review by",
        help_text="No more than a year from today.",
        error_messages={"required": "Enter the review date"},
    )
    version = VersionField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        assert isinstance(owner, OwnerField)  # noqa: S101 - declared above
        owner.queryset = hub_workers()


class SignOffForm(GovukForm):
    decision = forms.ChoiceField(
        label="Do you approve this warning flag?",
        choices=[("approve", "Yes, approve it"), ("decline", "No, do not approve it")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether you approve the flag"},
    )
    note = forms.CharField(
        label="Note (needed when you do not approve it)",
        required=False,
        widget=forms.Textarea,
    )
