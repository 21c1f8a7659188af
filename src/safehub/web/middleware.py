"""Security headers Django 5.2 does not set itself: Content-Security-Policy, Permissions-Policy
and Cache-Control.

Django's SecurityMiddleware already sends nosniff, Referrer-Policy, Cross-Origin-Opener-Policy
and (in production behind TLS) HSTS; XFrameOptionsMiddleware sends `X-Frame-Options: DENY`.

The policy allows no inline script or style at all, so every template keeps its script in files
and its styling in classes (a test scans the templates). The API docs page (django-ninja's
Swagger UI) complies too: its settings sit in a JSON `<script type="application/json">` block,
which is data, not script, and it runs from files served by the app.

Every response Django produces is marked `Cache-Control: no-store, private` (with Django's
`add_never_cache_headers`), so no browser history, shared computer or proxy keeps a copy of a
case page, an API record or a downloaded export. Deciding per view which pages "carry case data"
would be one more thing to forget on a new route, and the rest (sign-in, error pages, the API
schema) lose nothing by not being cached. Static files are the exception: WhiteNoise answers
them before this middleware runs, with its own long-lived caching headers.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import add_never_cache_headers

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
# Powerful browser features the service never uses, switched off for every page.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        # Every response, not only HTML: a JSON or file response opened in a browser tab is
        # then as constrained as a page. A view that sets its own policy keeps it.
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        add_never_cache_headers(response)
        return response
