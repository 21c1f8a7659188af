"""The one NinjaAPI instance: session sign-in everywhere, problem details for every error."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from http import HTTPStatus
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema
from ninja.security import django_auth

from safehub.api import children, matching, pathway, problems, referrals, shares, triage

DESCRIPTION = """\
Safehub's JSON API, for the hub's own tools and partners' systems that send referrals.

**Sign-in.** Every endpoint needs a signed-in session (the `safehub_session` cookie from the
sign-in page). A POST must also carry the CSRF token in the `X-CSRFToken` header.

**Agency systems** may instead send an agency API key, issued by an administrator, as
`Authorization: Bearer shk_…`, on the routes that say so: the key acts as a partner worker of
its agency, so it reaches only what is shared with that agency. Every use is audited.

**Scope.** You see only the records your role and agency may see. A record outside your scope
is answered "not found" (404), whether or not it exists; every such attempt is audited.

**Errors** are problem details (RFC 9457), `application/problem+json`:
`{"type", "title", "status", "detail", "errors": [{"field", "message"}]}`. For a request that
is not valid (422), each entry of `errors` names the field as you sent it, dotted into nested
objects (`child.date_of_birth`). A request that fails changes nothing.
"""


def _signed_in_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The OpenAPI document and its docs page are for signed-in users only, like the rest."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return problems.not_signed_in()
        return view(request, *args, **kwargs)

    return guarded


class SafehubAPI(NinjaAPI):
    """Ninja's API, whose OpenAPI document says what the errors are: problem details."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                for status, answer in operation.get("responses", {}).items():
                    content = answer.get("content")
                    if int(status) >= HTTPStatus.BAD_REQUEST and content:
                        answer["content"] = {problems.CONTENT_TYPE: next(iter(content.values()))}
        return schema


api = SafehubAPI(
    title="Safehub API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    auth=django_auth,
    docs_decorator=_signed_in_only,
)
problems.install(api)
api.add_router("", referrals.router)
api.add_router("", children.router)
api.add_router("", triage.router)
api.add_router("", shares.router)
api.add_router("", pathway.router)
api.add_router("", matching.router)
