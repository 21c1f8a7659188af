from __future__ import annotations

from typing import cast

from django import forms

from safehub.govuk.forms import GovukForm


class CommitteeReportForm(GovukForm):
    area = forms.ChoiceField(label="Area", error_messages={"required": "Choose the area"})
    as_of = forms.DateField(
        label="Reference date",
        help_text="For example, 2016-10-27",
        error_messages={
            "required": "Enter the reference date",
            "invalid": "Enter the reference date as year-month-day, like 2016-10-27",
        },
    )
    edition = forms.ChoiceField(label="Edition", error_messages={"required": "Choose the edition"})

    def __init__(
        self, *args: object, areas: list[str], editions: list[str], **kwargs: object
    ) -> None:
        """`areas` lists the district (the local authority) first, then its area committees."""
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        cast("forms.ChoiceField", self.fields["area"]).choices = [
            (a, f"{a} district" if k == 0 else a) for k, a in enumerate(areas)
        ]
        labels = {"public": "Public (safe to publish)", "restricted": "Restricted"}
        cast("forms.ChoiceField", self.fields["edition"]).choices = [
            (e, labels[e]) for e in editions
        ]
