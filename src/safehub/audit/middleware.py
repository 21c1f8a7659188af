from __future__ import annotations

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from safehub.audit import context

# An upstream proxy may pass its own request id; we accept only a plain token so that nothing
# a client sends can smuggle text into the audit trail or the logs.
_REQUEST_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        supplied = request.headers.get("X-Request-ID", "")
        request_id = supplied if _REQUEST_ID.match(supplied) else None
        channel = "api" if request.path.startswith("/api/") else "web"
        token = context.begin(
            channel=channel, request_id=request_id, ip_address=request.META.get("REMOTE_ADDR")
        )
        try:
            response = self.get_response(request)
            ctx = context.current()
            if ctx is not None:
                response["X-Request-ID"] = ctx.request_id
            return response
        finally:
            context.end(token)
