from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

from safehub.access.api_keys import AgencyPrincipal, ApiKeyRefusedError
from safehub.access.policy import AccessDeniedError, OutOfScopeError
from safehub.audit import services as audit
from safehub.audit.models import Outcome

# Refusals under this path are answered as problem details (RFC 9457), not as HTML pages.
API_PREFIX = "/api/"


class AccessDeniedMiddleware:
    """Audits every policy denial and every attempt on an object outside the caller's scope.

    `process_exception` runs after the view's atomic block has rolled back, so the denial is
    written in a transaction of its own and survives. Django then renders the 403 or 404 page;
    under /api/ the answer is a problem-details document instead (safehub.api lets these two
    exceptions leave its views for exactly this).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, ApiKeyRefusedError):
            return _refuse_key(exception)
        child_id = None
        # A request made with an agency's API key is audited as that key, not as anonymous.
        auth = getattr(request, "auth", None)
        actor = auth if isinstance(auth, AgencyPrincipal) else request.user
        if isinstance(exception, AccessDeniedError):
            object_type, object_id = "permission", exception.permission
        elif isinstance(exception, OutOfScopeError):
            object_type, object_id = exception.object_type, exception.object_id
            child_id = exception.child_id
        else:
            return None
        audit.write(
            actor,
            "access:denied",
            object_type=object_type,
            object_id=object_id,
            child_id=child_id,
            outcome=Outcome.DENIED,
            standalone=True,
        )
        if request.path_info.startswith(API_PREFIX):
            return _problem(exception)
        return None


def _refuse_key(exception: ApiKeyRefusedError) -> JsonResponse:
    audit.write(
        None,
        "api_key:refused",
        object_type="access.agencyapikey",
        object_id=exception.prefix,
        outcome=Outcome.DENIED,
        reason=exception.reason,
        standalone=True,
    )
    response = JsonResponse(
        {
            "type": "urn:safehub:problem:not-signed-in",
            "title": "Sign in first",
            "status": 401,
            "detail": "The API key is not valid: it may be mistyped, expired or revoked.",
        },
        status=401,
        content_type="application/problem+json",
    )
    response["WWW-Authenticate"] = "Bearer"
    return response


def _problem(exception: AccessDeniedError | OutOfScopeError) -> JsonResponse:
    """The RFC 9457 problem for a refusal, in the shape safehub.api.problems gives every error.

    Built here rather than imported: the access layer sits below the API and may not import it.
    The detail never names the object, so a 404 says nothing about whether it exists.
    """
    if isinstance(exception, AccessDeniedError):
        status, title, detail = 403, "Forbidden", "Your role may not do this."
    else:
        status, title, detail = 404, "Not Found", "There is nothing at this address."
    return JsonResponse(
        {"type": "about:blank", "title": title, "status": status, "detail": detail},
        status=status,
        content_type="application/problem+json",
    )
