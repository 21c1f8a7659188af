"""Django admin, for administrators only: accounts and agencies.

Access is decided by safehub.access.policy rather than Django's per-model permissions, and
each change is written to the audit trail in the admin's own transaction.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from safehub.access import accounts, api_keys, two_factor
from safehub.access.models import AccountChange, Agency, AgencyApiKey, User
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

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        """An administrator cannot change their own role or agency (the service refuses too)."""
        fields = tuple(super().get_readonly_fields(request, obj))
        if obj is not None and obj.pk == request.user.pk:
            fields += ("role", "agency")
        return fields

    def save_model(self, request: HttpRequest, obj: User, form: ModelForm, change: bool) -> None:  # type: ignore[override, type-arg]  # noqa: FBT001
        pending = accounts.save_account(
            obj, changed_fields=form.changed_data, created=not change, acting_user=request.user
        )
        if pending is not None:
            self.message_user(
                request,
                "The change gives this account access to children's records, so it waits for "
                "a second administrator's approval (Account changes waiting for approval). "
                "Until then the account keeps its old role, agency and status.",
                level=messages.WARNING,
            )

    def user_change_password(
        self,
        request: HttpRequest,
        id: str,  # noqa: A002 - Django's name for it
        form_url: str = "",
    ) -> HttpResponse:
        """Django's set-password page, with the new password audited in the same transaction."""
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:  # noqa: PLR2004
            account = self.get_object(request, id)
            if account is not None:
                accounts.record_password_set(account, acting_user=request.user)
        return response

    @admin.action(description="Reset two-factor sign-in and unlock (lost phone, locked out)")
    def reset_two_factor(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            two_factor.reset(user, acting_user=request.user)
        self.message_user(
            request,
            f"Reset {len(queryset)} account(s): each sets up an authenticator app at next sign-in.",
        )


@admin.register(AccountChange)
class AccountChangeAdmin(PolicyAdmin):
    """Changes that give case access, for a second administrator to approve or refuse."""

    permission = "users:manage"
    tag = "user:change"
    list_display = ("user", "summary", "requested_by", "requested_at", "status", "decided_by")
    list_filter = ("status",)
    actions = ("approve", "refuse")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Decided only by the actions below, which go through the services.
        return False

    @admin.display(description="Change")
    def summary(self, change: AccountChange) -> str:
        return accounts.describe(
            accounts.AccessState(
                change.role_before, change.agency_before_id, change.is_active_before
            ),
            accounts.AccessState(change.role, change.agency_id, change.is_active),
        )

    def _decide(
        self, request: HttpRequest, queryset: QuerySet[AccountChange], *, approve: bool
    ) -> None:
        done = 0
        for change in queryset:
            try:
                if approve:
                    accounts.approve_change(change, acting_user=request.user)
                else:
                    accounts.refuse_change(change, acting_user=request.user)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), level=messages.ERROR)
            else:
                done += 1
        if done:
            verb = "Approved" if approve else "Refused"
            self.message_user(request, f"{verb} {done} change(s).")

    @admin.action(description="Approve (you must not be the administrator who asked)")
    def approve(self, request: HttpRequest, queryset: QuerySet[AccountChange]) -> None:
        self._decide(request, queryset, approve=True)

    @admin.action(description="Refuse")
    def refuse(self, request: HttpRequest, queryset: QuerySet[AccountChange]) -> None:
        self._decide(request, queryset, approve=False)


class AgencyApiKeyForm(forms.ModelForm):  # type: ignore[type-arg]
    days = forms.IntegerField(
        min_value=1,
        max_value=api_keys.MAX_DAYS,
        initial=90,
        label="Valid for (days)",
        help_text="The key stops working after this many days; issue a new one before then.",
    )

    class Meta:
        model = AgencyApiKey
        fields = ("agency", "name")


@admin.register(AgencyApiKey)
class AgencyApiKeyAdmin(PolicyAdmin):
    """Issue (the key is shown once, on the next page) and revoke agencies' API keys."""

    permission = "api_keys:manage"
    tag = "api_key"
    form = AgencyApiKeyForm
    list_display = (
        "prefix",
        "agency",
        "name",
        "created_at",
        "expires_at",
        "revoked_at",
        "last_used_at",
    )
    list_filter = ("agency",)
    actions = ("revoke_keys",)
    SHOWN = (
        "prefix",
        "agency",
        "name",
        "created_by",
        "created_at",
        "expires_at",
        "revoked_at",
        "revoked_by",
        "last_used_at",
    )

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A key is never edited: it is issued, and revoked by the action below.
        return False

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.SHOWN if obj is not None else ("agency", "name", "days")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.SHOWN if obj is not None else ()

    def save_model(
        self,
        request: HttpRequest,
        obj: AgencyApiKey,  # type: ignore[override]
        form: ModelForm,  # type: ignore[type-arg]
        change: bool,  # noqa: FBT001
    ) -> None:
        row, key = api_keys.issue(
            form.cleaned_data["agency"],
            name=form.cleaned_data["name"],
            days=form.cleaned_data["days"],
            acting_user=request.user,  # type: ignore[arg-type]
        )
        # The admin goes on with the unsaved form object: give it the issued row's identity.
        obj.pk, obj.prefix, obj.expires_at = row.pk, row.prefix, row.expires_at
        obj._state.adding = False  # noqa: SLF001
        request.safehub_issued_key = key  # type: ignore[attr-defined]

    def response_add(
        self, request: HttpRequest, obj: AgencyApiKey, post_url_continue: str | None = None
    ) -> HttpResponse:
        """The key, once: it is stored only as a hash, so it can never be shown again."""
        response = TemplateResponse(
            request,
            "admin/access/agencyapikey/issued.html",
            {
                **self.admin_site.each_context(request),
                "title": "API key issued",
                "row": obj,
                "key": getattr(request, "safehub_issued_key", ""),
                "opts": self.opts,
            },
        )
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description="Revoke the selected keys (they stop working at once)")
    def revoke_keys(self, request: HttpRequest, queryset: QuerySet[AgencyApiKey]) -> None:
        for row in queryset:
            api_keys.revoke(row, acting_user=request.user)  # type: ignore[arg-type]
        self.message_user(request, f"Revoked {len(queryset)} key(s).")
