from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from safehub.access.policy import AccessDeniedError, OutOfScopeError
from safehub.audit import services as audit
from safehub.audit.models import Outcome


class AccessDeniedMiddleware:
    """Audits every policy denial and every attempt on an object outside the caller's scope.

    `process_exception` runs after the view's atomic block has rolled back, so the denial is
    written in a transaction of its own and survives. Django then renders the 403 or 404 page;
    for the API, `safehub.api` turns the same exceptions into problem details.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if isinstance(exception, AccessDeniedError):
            object_type, object_id = "permission", exception.permission
        elif isinstance(exception, OutOfScopeError):
            object_type, object_id = exception.object_type, exception.object_id
        else:
            return
        audit.write(
            request.user,
            "access:denied",
            object_type=object_type,
            object_id=object_id,
            outcome=Outcome.DENIED,
            standalone=True,
        )
