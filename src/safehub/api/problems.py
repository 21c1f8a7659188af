"""Problem details (RFC 9457): every API error is one shape, `application/problem+json`.

    {"type": "urn:safehub:problem:validation", "title": "The request is not valid",
     "status": 422, "detail": "…", "errors": [{"field": "child.date_of_birth", "message": "…"}]}

`field` names the value as the client sent it (dotted into nested objects, list positions as
numbers), so a client can put the message beside the right input. Refusals by the access
policy are deliberately not handled here: see `reraise`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from http import HTTPStatus
from typing import Any, TypeVar

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connection, transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from safehub.access.policy import AccessDeniedError, OutOfScopeError

E = TypeVar("E", bound=Exception)

CONTENT_TYPE = "application/problem+json"
VALIDATION = "urn:safehub:problem:validation"
CSRF = "urn:safehub:problem:csrf"
NOT_SIGNED_IN = "urn:safehub:problem:not-signed-in"
# "about:blank": the problem means no more than its HTTP status (RFC 9457, section 4.2.1).
BLANK = "about:blank"

# Where ninja says a request value came from; "body" is the JSON document itself.
_SOURCES = frozenset({"body", "query", "path", "header", "cookie", "form", "file"})


class FieldError(Schema):
    field: str | None
    message: str


class Problem(Schema):
    """An RFC 9457 problem: the shape of every error response."""

    type: str = BLANK
    title: str
    status: int
    detail: str = ""
    errors: list[FieldError] = []


PROBLEM_RESPONSES: Mapping[int, type[Problem]] = {
    400: Problem,
    401: Problem,
    403: Problem,
    404: Problem,
    422: Problem,
}


def response(
    status: int,
    *,
    detail: str = "",
    type_: str = BLANK,
    title: str | None = None,
    errors: Sequence[tuple[str | None, str]] = (),
) -> JsonResponse:
    body: dict[str, Any] = {
        "type": type_,
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = [{"field": name, "message": message} for name, message in errors]
    return JsonResponse(body, status=status, content_type=CONTENT_TYPE)


def invalid(errors: Sequence[tuple[str | None, str]]) -> JsonResponse:
    count = len(errors)
    return response(
        422,
        type_=VALIDATION,
        title="The request is not valid",
        detail=f"{count} {'value needs' if count == 1 else 'values need'} correcting.",
        errors=errors,
    )


def not_signed_in() -> JsonResponse:
    return response(
        401,
        type_=NOT_SIGNED_IN,
        title="Sign in first",
        detail="Every part of the API needs a signed-in session.",
    )


def not_found() -> JsonResponse:
    return response(404, detail="There is nothing at this address.")


@contextmanager
def fields_under(prefix: str) -> Iterator[None]:
    """Name a service's fields as the client sent them, nested under `prefix`.

    A service names its own fields (`date_of_birth`); when the client sent them inside an
    object (`child`), the problem must say `child.date_of_birth`.
    """
    try:
        yield
    except DjangoValidationError as error:
        raise DjangoValidationError(
            {
                f"{prefix}.{name}" if name != NON_FIELD_ERRORS else prefix: messages
                for name, messages in _django_errors(error)
            }
        ) from error


def install(api: NinjaAPI) -> None:
    """Replace ninja's default error responses with problem details."""
    _on(api, NinjaValidationError, _request_invalid)
    _on(api, DjangoValidationError, _service_refused)
    _on(api, HttpError, _http_error)
    _on(api, Http404, _not_found)
    _on(api, PermissionDenied, _forbidden)
    # Subclasses of the two above, and everything unexpected: not answered here. See reraise.
    _on(api, AccessDeniedError, reraise)
    _on(api, OutOfScopeError, reraise)
    _on(api, Exception, reraise)


def _on(
    api: NinjaAPI, exc_class: type[E], handler: Callable[[HttpRequest, E], HttpResponse]
) -> None:
    # Ninja types a handler's argument as "the exception or its class"; it always passes the
    # exception itself, so each handler is typed for that.
    api.add_exception_handler(exc_class, handler)  # type: ignore[arg-type]


def reraise(request: HttpRequest, exc: Exception) -> JsonResponse:
    """Let the exception leave the view, so the request's transaction rolls back.

    A policy refusal must be audited after the rollback, or the audit event would roll back
    with it: AccessDeniedMiddleware does that, then answers /api/ paths with a problem. Any
    other unexpected error must roll back too; ninja's default would, with DEBUG on, answer
    it with a traceback and let the half-done request commit.
    """
    raise exc


def _request_invalid(request: HttpRequest, exc: NinjaValidationError) -> JsonResponse:
    return invalid([(_field_name(error.get("loc", ())), _message(error)) for error in exc.errors])


def _service_refused(request: HttpRequest, exc: DjangoValidationError) -> JsonResponse:
    # The view caught nothing, so a service that had already written (a child registered
    # before its referral was refused) must not commit: the whole request rolls back.
    _roll_back()
    errors = [
        (None if name == NON_FIELD_ERRORS else name, " ".join(messages))
        for name, messages in _django_errors(exc)
    ]
    return invalid(errors)


def _http_error(request: HttpRequest, exc: HttpError) -> JsonResponse:
    _roll_back()
    if isinstance(exc, AuthenticationError):
        return not_signed_in()
    if exc.status_code == HTTPStatus.FORBIDDEN and "CSRF" in exc.message:
        return response(
            403,
            type_=CSRF,
            title="CSRF check failed",
            detail="Send the CSRF token in the X-CSRFToken header with every POST.",
        )
    return response(exc.status_code, detail=exc.message)


def _not_found(request: HttpRequest, exc: Http404) -> JsonResponse:
    _roll_back()
    return not_found()


def _forbidden(request: HttpRequest, exc: PermissionDenied) -> JsonResponse:
    _roll_back()
    return response(403, detail="You may not do this.")


def _roll_back() -> None:
    """Answer with an error and commit nothing of the request (ATOMIC_REQUESTS is on)."""
    if connection.in_atomic_block:
        transaction.set_rollback(True)


def _django_errors(error: DjangoValidationError) -> list[tuple[str, list[str]]]:
    if hasattr(error, "error_dict"):
        return list(error.message_dict.items())
    return [(NON_FIELD_ERRORS, list(error.messages))]


def _field_name(loc: Sequence[Any]) -> str | None:
    """`("body", "payload", "child", "date_of_birth")` -> `child.date_of_birth`.

    Ninja's location starts with where the value came from and, for a JSON body, the name of
    the view's parameter that holds it; neither is part of what the client sent.
    """
    parts = list(loc)
    if parts and parts[0] in _SOURCES:
        source = parts.pop(0)
        if source == "body" and parts:
            parts.pop(0)
    return ".".join(str(p) for p in parts) or None


def _message(error: Mapping[str, Any]) -> str:
    if error.get("type") == "missing":
        return "is required"
    return str(error.get("msg", "is not valid"))
