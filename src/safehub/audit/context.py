"""Who is asking, from where, in which request: carried in a context variable.

The request middleware sets it; audit events and log lines read it. Only identifiers are kept
here (a request id and a client address), never anything about a child.
"""

from __future__ import annotations

import logging
import uuid
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request_id: str
    ip_address: str | None
    channel: str  # "web", "api" or "cli"


_current: ContextVar[RequestContext | None] = ContextVar("safehub_request", default=None)


def current() -> RequestContext | None:
    return _current.get()


def begin(*, channel: str, request_id: str | None = None, ip_address: str | None = None) -> object:
    """Start a context; returns a token for `end`. CLI commands get a fresh request id too."""
    return _current.set(RequestContext(request_id or uuid.uuid4().hex, ip_address, channel))


def end(token: object) -> None:
    _current.reset(token)  # type: ignore[arg-type]


class RequestIdLogFilter(logging.Filter):
    """Adds `request_id` to every log record so a log line can be joined to its audit events."""

    def filter(self, record: logging.LogRecord) -> bool:
        ctx = _current.get()
        record.request_id = ctx.request_id if ctx else "-"
        return True
