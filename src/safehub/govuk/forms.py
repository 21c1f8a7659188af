from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict


def apply_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: on the field it names, else the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class VersionField(forms.IntegerField):
    """The version of the row a form was drawn from, carried back on save (hidden)."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(widget=forms.HiddenInput, required=False, min_value=1, **kwargs)  # type: ignore[arg-type]


def redraw_version(form: forms.Form, version: int) -> None:
    """After a stale save was refused, carry the current version, keeping what was typed.

    The person has been told what changed; saving again is then a deliberate choice made
    with the current record in view, not an accident.
    """
    data = form.data.copy() if isinstance(form.data, QueryDict) else QueryDict(mutable=True)
    data["version"] = str(version)
    form.data = data


class WithdrawForm(forms.Form):
    """Why a record entered in error is withdrawn (or removed), with the version seen."""

    reason = forms.CharField(label="Why is it being withdrawn?", widget=forms.Textarea)
    version = VersionField()

    def __init__(self, *args: Any, label: str, required_message: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = label
        self.fields["reason"].error_messages["required"] = required_message
