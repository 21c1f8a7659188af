"""Programmes and their targets are reference data an administrator keeps here (audited)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from safehub.access.admin import PolicyAdmin
from safehub.audit import services as audit
from safehub.awareness.models import Programme, Session, Target


class TargetInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Target
    extra = 0
    raw_id_fields = ("ward",)

    def _allowed(self, request: HttpRequest) -> bool:
        from safehub.access.policy import can  # noqa: PLC0415

        return can(request.user, "awareness:manage")

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)


@admin.register(Programme)
class ProgrammeAdmin(PolicyAdmin):
    permission = "awareness:manage"
    tag = "awareness:programme"
    list_display = ("name", "code", "target_description", "order", "is_active")
    inlines = (TargetInline,)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:  # noqa: FBT001
        super().save_formset(request, form, formset, change)
        for target in formset.new_objects:
            audit.write(request.user, "awareness:target:created", target)
        for target, _ in formset.changed_objects:
            audit.write(request.user, "awareness:target:changed", target)
        for target in formset.deleted_objects:
            audit.write(
                request.user,
                "awareness:target:deleted",
                object_type="awareness.target",
                object_id=str(target.pk or ""),
            )


@admin.register(Session)
class SessionAdmin(PolicyAdmin):
    """Sessions arrive by import (all or nothing, audited); here they are only read."""

    permission = "awareness:manage"
    tag = "awareness:session"
    list_display = ("reference", "programme", "delivered_on", "venue", "community", "reached")
    list_filter = ("programme", "community")
    date_hierarchy = "delivered_on"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
