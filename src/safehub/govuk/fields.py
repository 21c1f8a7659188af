"""Form fields for GOV.UK patterns: dates as day, month and year boxes; date and time."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone


class DatePartsWidget(forms.MultiWidget):
    """The GOV.UK date input: three text boxes, day, month, year."""

    template_name = "govuk/fields/date_widget.html"
    parts = ("day", "month", "year")

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        widgets = [forms.TextInput(attrs={"inputmode": "numeric"}) for _ in self.parts]
        super().__init__(widgets, attrs)

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, dt.date):
            return [value.day, value.month, value.year]
        return [None, None, None]


def sentence_start(name: str) -> str:
    """ "Date of birth" stays; "the date it began" becomes "The date it began"."""
    return name[:1].upper() + name[1:]


def short_name_from_label(label: object) -> str:
    """A field's name for use in a sentence, from its label: "Home postcode (optional)" gives
    "Home postcode". A label that is a question needs a short name of its own."""
    text = str(label or "").split(" (", 1)[0].strip()
    return text.rstrip("?") or "The answer"


class GovDateField(forms.MultiValueField):
    widget = DatePartsWidget

    def __init__(self, *, past_only: bool = False, short_name: str = "", **kwargs: Any) -> None:
        self.past_only = past_only
        # Set by `GovukForm` from the form's short names, else taken from the label.
        self.short_name = short_name
        fields = tuple(forms.CharField(required=False) for _ in DatePartsWidget.parts)
        kwargs.setdefault("require_all_fields", False)
        super().__init__(fields=fields, **kwargs)

    def compress(self, data_list: list[str]) -> dt.date | None:
        if not data_list or not any(data_list):
            # Boxes of spaces only are blank once stripped, after Django's required check.
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return None
        label = sentence_start(self.short_name or short_name_from_label(self.label))
        if not all(data_list):
            missing = [p for p, v in zip(DatePartsWidget.parts, data_list, strict=True) if not v]
            raise ValidationError(f"{label} must include a {' and '.join(missing)}")
        try:
            day, month, year = (int(str(v).strip()) for v in data_list)
            value = dt.date(year, month, day)
        except (ValueError, OverflowError) as error:  # a 30-digit year overflows
            raise ValidationError(f"{label} must be a real date") from error
        if year < 1900:  # noqa: PLR2004
            raise ValidationError(f"{label} must include a 4-digit year")
        if self.past_only and value > timezone.localdate():
            raise ValidationError(f"{label} must be today or in the past")
        return value


class GovDateTimeField(forms.MultiValueField):
    """A date (three boxes) and a time (HH:MM), in London time."""

    def __init__(self, *, short_name: str = "", **kwargs: Any) -> None:
        fields = (
            GovDateField(label=kwargs.get("label"), required=False, short_name=short_name),
            forms.CharField(required=False),
        )
        widget = DateTimePartsWidget()
        kwargs.setdefault("require_all_fields", False)
        super().__init__(fields=fields, widget=widget, **kwargs)

    # The date part words its own errors, so the name lives there (on the form's own copy of
    # the field: a deep copy makes new sub-fields).
    @property
    def short_name(self) -> str:
        return cast("GovDateField", self.fields[0]).short_name

    @short_name.setter
    def short_name(self, value: str) -> None:
        cast("GovDateField", self.fields[0]).short_name = value

    def compress(self, data_list: list[Any]) -> dt.datetime | None:
        if not data_list or (data_list[0] is None and not data_list[1]):
            # The date part's three empty boxes are a list, which MultiValueField does not
            # count as empty, so its own required check never fires.
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return None
        date, time_text = data_list
        name = sentence_start(self.short_name or short_name_from_label(self.label))
        if date is None:
            raise ValidationError(f"{name} must include a day, month and year")
        try:
            hour, minute = (int(p) for p in str(time_text or "").strip().split(":"))
            time = dt.time(hour, minute)
        except ValueError as error:
            raise ValidationError("Enter the time as hours and minutes, like 14:30") from error
        value = dt.datetime.combine(date, time, tzinfo=timezone.get_current_timezone())
        if value > timezone.now() + dt.timedelta(minutes=5):
            raise ValidationError(f"{name} must be in the past")
        return value


class DateTimePartsWidget(forms.MultiWidget):
    template_name = "govuk/fields/datetime_widget.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__([DatePartsWidget(), forms.TextInput()], attrs)

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, dt.datetime):
            local = timezone.localtime(value)
            return [local.date(), local.strftime("%H:%M")]
        return [None, None]
