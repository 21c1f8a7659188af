from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, cast

from django import forms

from safehub.govuk.fields import DatePartsWidget, GovDateField
from safehub.govuk.forms import GovukForm


class ReferenceDateWidget(DatePartsWidget):
    """The GOV.UK date input, which also reads `as_of=2016-10-31`: the form posts day, month and
    year, while download links and bookmarks carry the date in one ISO parameter."""

    def value_from_datadict(self, data: Mapping[str, Any], files: Any, name: str) -> Any:
        text = data.get(name)
        if isinstance(text, str) and text:
            try:
                day = dt.date.fromisoformat(text)
            except ValueError:
                return [text, "", ""]  # reported as an incomplete date, not silently dropped
            return [str(day.day), str(day.month), str(day.year)]
        return super().value_from_datadict(data, files, name)


class CommitteeReportForm(GovukForm):
    area = forms.ChoiceField(label="Area", error_messages={"required": "Choose the area"})
    as_of = GovDateField(
        label="Reference date",
        help_text="For example, 27 10 2016",
        widget=ReferenceDateWidget,
        error_messages={"required": "Enter the reference date"},
    )
    edition = forms.ChoiceField(label="Edition", error_messages={"required": "Choose the edition"})
    compare_with = forms.ChoiceField(
        label="Compare with an earlier snapshot (optional)",
        help_text="The snapshot the figures were first published from: the report explains "
        "every figure that has moved since.",
        required=False,
    )

    def __init__(
        self,
        *args: object,
        areas: list[str],
        editions: list[str],
        snapshots: list[str] | None = None,
        **kwargs: object,
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
        cast("forms.ChoiceField", self.fields["compare_with"]).choices = [
            ("", "No comparison"),
            *((s, s) for s in snapshots or []),
        ]
