"""Reads of geography. Reference data, not case data: no scoping beyond sign-in."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, QuerySet

from safehub.geo.models import Ward, WardSet


def ward_sets() -> QuerySet[WardSet]:
    return WardSet.objects.annotate(ward_count=Count("wards")).order_by("valid_from")


def wards_on(on: dt.date) -> list[Ward]:
    """The wards in force on a date; the most recent ward set when none covers it."""
    ward_set = (
        WardSet.objects.filter(valid_from__lte=on).exclude(valid_to__lte=on).first()
        or WardSet.objects.order_by("-valid_from").first()
    )
    if ward_set is None:
        return []
    return list(Ward.objects.filter(ward_set=ward_set).select_related("area_committee"))
