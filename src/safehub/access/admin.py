"""Django admin, for administrators only: accounts and agencies.

Access is decided by safehub.access.policy rather than Django's per-model permissions, and
each change is written to the audit trail in the admin's own transaction.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Model, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from safehub.access import two_factor
from safehub.access.models import Agency, User
from safehub.access.policy import can
from safehub.audit import services as audit


class PolicyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """A ModelAdmin whose permissions come from one policy permission."""

    permission = ""
    tag = ""

    def _allowed(self, request: HttpRequest) -> bool:
        return can(request.user, self.permission)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Accounts and agencies are deactivated, never deleted: the audit trail points at them.
        return False

    def save_model(self, request: HttpRequest, obj: Model, form: ModelForm, change: bool) -> None:  # type: ignore[type-arg]  # noqa: FBT001
        super().save_model(request, obj, form, change)
        verb = "changed" if change else "created"
        audit.write(request.user, f"{self.tag}:{verb}", obj)


@admin.register(Agency)
class AgencyAdmin(PolicyAdmin):
    permission = "agencies:manage"
    tag = "agency"
    list_display = ("name", "agency_type", "is_active")
    list_filter = ("agency_type", "is_active")
    search_fields = ("name",)


@admin.register(User)
class UserAdmin(PolicyAdmin, DjangoUserAdmin[User]):
    permission = "users:manage"
    tag = "user"
    list_display = ("username", "first_name", "last_name", "agency", "role", "is_active")
    list_filter = ("role", "agency", "is_active")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Person", {"fields": ("first_name", "last_name", "email")}),
        ("Access", {"fields": ("agency", "role", "is_active")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "agency", "role", "password1", "password2"),
            },
        ),
    )
    readonly_fields = ("last_login", "date_joined")
    actions = ("reset_two_factor",)

    @admin.action(description="Reset two-factor sign-in and unlock (lost phone, locked out)")
    def reset_two_factor(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            two_factor.reset(user, acting_user=request.user)
        self.message_user(
            request,
            f"Reset {len(queryset)} account(s): each sets up an authenticator app at next sign-in.",
        )
