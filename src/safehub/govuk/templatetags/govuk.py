"""`{% govuk_field form.x %}` renders a Django form field as the matching GOV.UK component;
`{% jinja "name" key=value … %}` includes a Jinja2 template (`safehub.govuk.jinja`)."""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.template import engines
from django.utils.safestring import SafeString, mark_safe

from safehub.govuk.fields import DatePartsWidget, DateTimePartsWidget

register = template.Library()


def _kind(widget: forms.Widget) -> str:
    kinds: list[tuple[type[forms.Widget], str]] = [
        (DateTimePartsWidget, "datetime"),
        (DatePartsWidget, "date"),
        # CheckboxSelectMultiple subclasses RadioSelect, so it must be tested first.
        (forms.CheckboxSelectMultiple, "checkboxes"),
        (forms.RadioSelect, "radios"),
        (forms.CheckboxInput, "checkbox"),
        (forms.Select, "select"),
        (forms.Textarea, "textarea"),
    ]
    return next((kind for cls, kind in kinds if isinstance(widget, cls)), "input")


def error_anchor(field: forms.BoundField) -> str:
    """Where an error summary link should land: the first box of a multi-part field."""
    kind = _kind(field.field.widget)
    if kind in {"date", "datetime"}:
        return f"{field.auto_id}_0" if kind == "date" else f"{field.auto_id}_0_0"
    if kind in {"radios", "checkboxes"}:
        return f"{field.auto_id}_0"
    return str(field.auto_id)


register.filter("error_anchor", error_anchor)


@register.inclusion_tag("govuk/fields/field.html")
def govuk_field(field: forms.BoundField, **options: Any) -> dict[str, Any]:
    widget = field.field.widget
    if field.errors or options.get("highlight"):
        widget.attrs["error"] = True
    return {
        "field": field,
        "kind": _kind(widget),
        "width": options.get("width", ""),
        "classes": options.get("classes", ""),
        "heading": options.get("heading", False),
        "rows": options.get("rows", 5),
        # Browser hints for text inputs: autocomplete="username", inputmode="numeric" …
        "autocomplete": options.get("autocomplete", ""),
        "inputmode": options.get("inputmode", ""),
        # Mark the field as in error without an error of its own (a sign-in that failed as
        # a whole: GOV.UK highlights both boxes).
        "highlight": bool(options.get("highlight")),
    }


@register.simple_tag
def jinja(name: str, **context: Any) -> SafeString:
    """A template of the Jinja2 engine, given only the named values: its output is escaped
    by Jinja2 as it is made, so it goes into the page as it is."""
    return mark_safe(engines["jinja2"].get_template(name).render(context))  # noqa: S308
