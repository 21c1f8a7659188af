"""The API's URLs, mounted at /api/v1/ by `safehub.urls`.

The site's LoginRequiredMiddleware would send an anonymous API client to the sign-in page; the
API answers it itself, with a 401 problem, so its views are marked as not needing that
redirect. The docs page is the exception: a person in a browser is better sent to sign in.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, path, re_path

from safehub.api import problems
from safehub.api.api import api

_patterns, _, app_name = api.urls


@login_not_required
def nowhere(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    """Any other address under /api/v1/: a problem, not the site's HTML 404 page."""
    if not request.user.is_authenticated:
        return problems.not_signed_in()
    return problems.not_found()


def _answer_anonymous_with_401(patterns: list[URLPattern | URLResolver]) -> None:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            _answer_anonymous_with_401(pattern.url_patterns)
        elif pattern.name != "openapi-view":
            pattern.callback.login_required = False  # type: ignore[attr-defined]


_answer_anonymous_with_401(_patterns)

urlpatterns: list[URLPattern | URLResolver] = [
    # Ninja's root view only serves reversing; a request for it gets a problem instead.
    path("", nowhere),
    *_patterns,
    re_path(r"^.*$", nowhere),
]
