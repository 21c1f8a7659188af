"""How API callers prove who they are: a person's session, or an agency's API key."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from safehub.access import api_keys
from safehub.access.api_keys import AgencyPrincipal


class AgencyKey(HttpBearer):
    """`Authorization: Bearer shk_…`: an agency's key, issued by an administrator.

    The caller acts as a partner worker of that agency; every use and every refused key is
    audited (`safehub.access.api_keys`).
    """

    openapi_description = (
        "An agency's API key (`Authorization: Bearer shk_…`), issued by an administrator: "
        "acts as a partner worker of that agency."
    )

    def authenticate(self, request: HttpRequest, token: str) -> AgencyPrincipal:
        return api_keys.authenticate(token)
