from __future__ import annotations

from django import forms

from safehub.govuk.forms import GovukForm
from safehub.rules.codes import RiskLevel
from safehub.rules.working_time import Rag
from safehub.triage.queries import KINDS, SCOPES


class TriageFilterForm(GovukForm):
    scope = forms.ChoiceField(
        label="Whose work",
        choices=list(SCOPES.items()),
        widget=forms.RadioSelect,
        required=False,
    )
    kind = forms.MultipleChoiceField(
        label="Kind of work",
        choices=list(KINDS.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    risk = forms.MultipleChoiceField(
        label="Risk level",
        choices=[(level.value, level.label) for level in reversed(RiskLevel)]
        + [("unknown", "Not graded")],
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
    sort = forms.ChoiceField(
        label="Sort by",
        choices=[
            ("due", "Due first"),
            ("-due", "Due last"),
            ("risk", "Highest risk"),
            ("worker", "Worker"),
        ],
        required=False,
    )
    page = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)
