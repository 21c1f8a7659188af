from __future__ import annotations

from django.contrib import admin

from safehub.access.admin import PolicyAdmin
from safehub.partnership.models import SupportService


@admin.register(SupportService)
class SupportServiceAdmin(PolicyAdmin):
    """Services, their eligibility and targets: reference data the administrators keep."""

    permission = "agencies:manage"
    tag = "support_service"
    list_display = (
        "name",
        "agency",
        "is_active",
        "accept_within_days",
        "first_contact_within_days",
    )
    list_filter = ("is_active", "agency")
    search_fields = ("name",)
    filter_horizontal = ("area_committees", "managers")
