from __future__ import annotations

from django import forms

from safehub.govuk.forms import GovukForm
from safehub.rules.working_time import Rag
from safehub.triage.queries import KINDS


class TriageFilterForm(GovukForm):
    kind = forms.MultipleChoiceField(
        label="Kind of work",
        choices=list(KINDS.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    rag = forms.MultipleChoiceField(
        label="Status",
        choices=[
            (Rag.RED, "Overdue (red)"),
            (Rag.AMBER, "Due soon (amber)"),
            (Rag.GREEN, "On track (green)"),
        ],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
