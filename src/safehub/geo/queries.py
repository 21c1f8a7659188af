"""Reads of geography. Reference data, not case data: no scoping beyond sign-in."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from safehub.geo.models import WardSet


def ward_sets() -> QuerySet[WardSet]:
    return WardSet.objects.annotate(ward_count=Count("wards")).order_by("valid_from")
