from __future__ import annotations

from django import forms

from safehub.govuk.fields import GovDateField


class AsOfForm(forms.Form):
    on = GovDateField(
        label="Show the record as it stood on",
        past_only=True,
        error_messages={"required": "Enter the date to show the record as it stood on"},
    )
