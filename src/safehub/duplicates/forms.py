from __future__ import annotations

from typing import Any

from django import forms

from safehub.govuk.forms import GovukForm


class MergeForm(GovukForm):
    survivor = forms.TypedChoiceField(
        label="Which record to keep",
        coerce=int,
        widget=forms.RadioSelect,
        help_text="The other record's referrals, episodes, notes, shares and history move to it.",
    )

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["survivor"].choices = choices  # type: ignore[attr-defined]


class DismissForm(GovukForm):
    note = forms.CharField(
        label="Why they are not the same child",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
