"""The Jinja2 environment for the few tables rendered on nearly every request.

Django's template engine costs a few microseconds for every variable and tag it renders; a
table of 50 rows with a dozen of each costs 2 to 3 ms, a fifth of the page. Jinja2 compiles a
template to Python and renders the same table in under half the time, so the longest lists
of the busiest pages (the triage queue's due items, the children a search finds, a child's
timeline) are Jinja2 templates, in each app's `jinja2/` folder, included from Django's
templates with `{% jinja "name" key=value … %}` (`safehub.govuk.templatetags.govuk`).
Everything else stays with Django's templates. Autoescaping is always on, as in Django's.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.template import defaultfilters
from django.utils import timezone
from jinja2 import Environment, StrictUndefined


def date(value: dt.date | dt.datetime | None, format_string: str) -> str:
    """Django's `date` filter as a Django template applies it: an aware time in the current
    time zone first (the filter itself gives "" for no date)."""
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return str(defaultfilters.date(value, format_string))


def environment(**options: Any) -> Environment:
    """Called by Django's Jinja2 backend (settings TEMPLATES): a missing name is an error,
    not an empty string, so a renamed field cannot silently blank a column."""
    options.pop("autoescape", None)
    options["undefined"] = StrictUndefined
    env = Environment(autoescape=True, **options)
    env.filters.update(
        date=date, capfirst=defaultfilters.capfirst, linebreaksbr=defaultfilters.linebreaksbr
    )
    return env
