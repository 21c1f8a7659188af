"""Forms that speak GOV.UK: error messages worded from each field's short name.

Django's default messages ("This field is required.", "Ensure this value has at most 8
characters (it has 12).", "Select a valid choice. x is not one of the available choices.")
name no field, so in an error summary they do not say what to fix. `GovukForm` rewords every
message still at Django's default, the GOV.UK way: "Enter postcode", "Postcode must be 8
characters or fewer", "Select the source". A message a form sets itself is left alone.

A field's short name comes from its label ("Home postcode (optional)" gives "Home postcode");
a form whose label is a question names the field in `short_names`
({"received_at": "the date the referral was received"}).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from django import forms
from django.core import validators
from django.core.exceptions import ValidationError
from django.http import QueryDict

from safehub.govuk.fields import (
    GovDateField,
    GovDateTimeField,
    sentence_start,
    short_name_from_label,
)


def apply_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: on the field it names, else the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _in_sentence(name: str) -> str:
    """ "Postcode" reads "postcode" mid-sentence; "NHS number" keeps its capitals."""
    if len(name) > 1 and name[1].isupper():
        return name
    return name[:1].lower() + name[1:]


def _django_defaults(field: forms.Field) -> dict[str, Any]:
    messages: dict[str, Any] = {}
    for cls in reversed(type(field).__mro__):
        messages.update(getattr(cls, "default_error_messages", {}))
    return messages


def _is_choice(field: forms.Field) -> bool:
    return isinstance(field, forms.ChoiceField | forms.ModelChoiceField) or isinstance(
        field.widget, forms.CheckboxInput
    )


def govuk_messages(field: forms.Field, short_name: str) -> dict[str, str]:
    """The GOV.UK wording of each message a field can give, for a field called `short_name`."""
    subject = sentence_start(short_name)
    mid = _in_sentence(short_name)
    from_list = f"Choose {mid} from the list"
    return {
        "required": f"Select {mid}" if _is_choice(field) else f"Enter {mid}",
        "invalid_choice": from_list,
        "invalid_list": from_list,
        "invalid_pk_value": from_list,
        "invalid": (
            f"{subject} must be a real date"
            if isinstance(field, forms.DateField)
            else f"{subject} must be a number"
            if isinstance(field, forms.IntegerField | forms.DecimalField | forms.FloatField)
            else f"Enter {mid} in the correct format"
        ),
        "max_value": f"{subject} must be %(limit_value)s or less",
        "min_value": f"{subject} must be %(limit_value)s or more",
        "max_digits": f"{subject} must be %(max)s digits or fewer",
        "max_decimal_places": f"{subject} must have %(max)s decimal places or fewer",
        "incomplete": f"{subject} must include a day, month and year",
    }


# Validators Django adds by itself, and the GOV.UK wording of each.
_VALIDATOR_MESSAGES: dict[type[validators.BaseValidator], Callable[[str, Any], str]] = {
    validators.MaxLengthValidator: lambda s, n: f"{s} must be {n} characters or fewer",
    validators.MinLengthValidator: lambda s, n: f"{s} must be {n} characters or more",
    validators.MaxValueValidator: lambda s, n: f"{s} must be {n} or less",
    validators.MinValueValidator: lambda s, n: f"{s} must be {n} or more",
}


def reword(field: forms.Field, short_name: str) -> None:
    """Replace the field's Django-default messages with GOV.UK ones, in place.

    The validators are replaced, not changed: a form's field shares them with the class.
    """
    defaults = _django_defaults(field)
    for key, message in govuk_messages(field, short_name).items():
        if key in defaults and field.error_messages.get(key) == defaults[key]:
            field.error_messages[key] = message
    subject = sentence_start(short_name)
    field.validators = [_reworded(validator, subject) for validator in field.validators]
    if isinstance(field, GovDateField | GovDateTimeField) and not field.short_name:
        field.short_name = short_name


def _reworded(validator: Any, subject: str) -> Any:
    word = _VALIDATOR_MESSAGES.get(type(validator))
    if word is not None and validator.message == type(validator).message:
        limit = validator.limit_value
        return type(validator)(limit, message=word(subject, limit))
    if isinstance(validator, validators.ProhibitNullCharactersValidator):
        return validators.ProhibitNullCharactersValidator(
            message=f"{subject} must not contain a null character"
        )
    return validator


class GovukForm(forms.Form):
    """A form whose messages are in GOV.UK wording (see the module's docstring)."""

    # Field name -> how to name the field in a sentence, where its label will not do.
    short_names: ClassVar[Mapping[str, str]] = {}

    def full_clean(self) -> None:
        # Here rather than in __init__, so fields a subclass adds in its own __init__ count.
        for name, field in self.fields.items():
            reword(field, self.short_names.get(name) or short_name_from_label(field.label))
        super().full_clean()


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


class WithdrawForm(GovukForm):
    """Why a record entered in error is withdrawn (or removed), with the version seen."""

    reason = forms.CharField(label="Why is it being withdrawn?", widget=forms.Textarea)
    version = VersionField()

    def __init__(self, *args: Any, label: str, required_message: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = label
        self.fields["reason"].error_messages["required"] = required_message
