from __future__ import annotations

from django.contrib import admin

from safehub.access.admin import PolicyAdmin
from safehub.geo.models import AreaCommittee, LocalAuthority, Ward, WardSet


class GeoAdmin(PolicyAdmin):
    permission = "geo:reference:manage"


@admin.register(LocalAuthority)
class LocalAuthorityAdmin(GeoAdmin):
    tag = "geo:local_authority"
    list_display = ("code", "name")


@admin.register(AreaCommittee)
class AreaCommitteeAdmin(GeoAdmin):
    tag = "geo:area_committee"
    list_display = ("name", "local_authority")


@admin.register(WardSet)
class WardSetAdmin(GeoAdmin):
    tag = "geo:ward_set"
    list_display = ("name", "local_authority", "valid_from", "valid_to")


@admin.register(Ward)
class WardAdmin(GeoAdmin):
    tag = "geo:ward"
    list_display = ("code", "name", "area_committee", "ward_set")
    list_filter = ("ward_set", "area_committee")
    search_fields = ("code", "name")
    exclude = ("boundary",)
