"""Reads of geography. Reference data, not case data: no scoping beyond sign-in."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, QuerySet

from safehub.geo.models import Ward, WardSet
from safehub.geo.services import ward_set_on


def ward_sets() -> QuerySet[WardSet]:
    return WardSet.objects.annotate(ward_count=Count("wards")).order_by("valid_from")


def ward_choices(on: dt.date) -> list[tuple[str, str]]:
    """(code, "Ward (Area committee)") for a form's ward menu: the wards in force on a date,
    or the most recent ward set when none covers it."""
    ward_set = ward_set_on(on) or WardSet.objects.order_by("-valid_from").first()
    if ward_set is None:
        return []
    wards = Ward.objects.filter(ward_set=ward_set).select_related("area_committee")
    return [(w.code, f"{w.name} ({w.area_committee.name})") for w in wards]
