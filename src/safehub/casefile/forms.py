from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from safehub.govuk.fields import GovDateField
from safehub.govuk.forms import GovukForm


class AsOfForm(GovukForm):
    short_names: ClassVar[Mapping[str, str]] = {
        "on": "the date",
    }

    on = GovDateField(
        label="Show the record as it stood on",
        past_only=True,
        error_messages={"required": "Enter the date to show the record as it stood on"},
    )
