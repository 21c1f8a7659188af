"""Django admin behind the policy: a signed-in user without the permission gets our 403.

Django's own admin would send such a user to its sign-in page, which reads as a broken
password; a clear refusal, audited as `access:denied`, is what a user expects.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from safehub.access.policy import require


class SafehubAdminSite(admin.AdminSite):
    site_header = "Safehub administration"
    site_title = "Safehub administration"
    index_title = "Accounts, agencies and reference data"

    def has_permission(self, request: HttpRequest) -> bool:
        if not request.user.is_authenticated:
            return False
        require(request.user, "users:manage")
        return True
