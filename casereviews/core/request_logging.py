"""One log line per request (method, path, status, duration, user id), and a request id on every line logged
while handling it.

The path is logged without its query string (a search's words, a filter, a page number: what a person looked
for is nobody else's business) and with any secret in it replaced: the signed links of saved-search alerts and
report downloads, and allauth's password-reset and e-mail keys, carry their secret in the path itself. Request
bodies and headers are never read here.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils.functional import empty

from casereviews.core.logging import LogContext, reset_log_context, set_log_context

logger = logging.getLogger("casereviews.request")

# URL arguments that are secrets wherever they appear (see casereviews/*/urls.py and allauth's account URLs).
SECRET_URL_ARGUMENTS = frozenset({"token", "key", "uidb36", "uidb64", "signature"})
REDACTED = "[redacted]"
# A request id from the proxy in front (so its log and ours can be joined) is kept only if it looks like one.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


def loggable_path(path: str, *, path_info: str | None = None) -> str:
    """`path` with the value of every secret URL argument replaced (found by resolving `path_info`, the path
    without the script prefix, which is `path` itself unless the site is served under a prefix); `path` as
    given when it matches no URL."""
    try:
        match = resolve(path_info if path_info is not None else path)
    except Resolver404:
        return path
    loggable = path
    for name, value in match.kwargs.items():
        if name in SECRET_URL_ARGUMENTS and isinstance(value, str) and value:
            loggable = loggable.replace(value, REDACTED)
    return loggable


def _user_id(request: HttpRequest) -> int | None:
    """The signed-in user's id, if this request already looked them up: reading `request.user` here when the
    view did not would cost a session query on every anonymous page."""
    user = request.__dict__.get("user")
    if user is None or getattr(user, "_wrapped", None) is empty:
        return None
    return user.pk if getattr(user, "is_authenticated", False) else None


def view_name_of(request: HttpRequest) -> str | None:
    match = getattr(request, "resolver_match", None)
    return match.view_name if match is not None else None


# Refusals: no credentials or bad ones (401), or someone who may not (403). A refusal of someone signed in is also
# audited (casereviews.core.refusals); one of an anonymous visitor only here, marked so it can be searched for.
REFUSAL_STATUSES = frozenset({401, 403})


def _level(status: int) -> int:
    # 503 is an answer given on purpose (/readyz while a node is not ready, probed every few seconds), not a fault.
    if status == 503:
        return logging.WARNING
    return logging.ERROR if status >= 500 else logging.INFO


class RequestLoggingMiddleware:
    """First in MIDDLEWARE, so the duration covers every other middleware and no request escapes the line."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        path = loggable_path(request.path, path_info=request.path_info)
        context = LogContext(request_id=request_id, method=request.method or "", path=path, raw_path=request.path)
        # Also on the request: Django logs "Not Found: <path>" after the middleware has returned, passing the
        # request, and RequestContextFilter finds the context there.
        request.log_context = context  # type: ignore[attr-defined]
        token = set_log_context(context)
        try:
            response = self.get_response(request)
            response.headers.setdefault("X-Request-ID", request_id)
            status = response.status_code
            duration_ms = round((time.perf_counter() - started) * 1000, 1)
            logger.log(
                _level(status),
                "%s %s %s %.0f ms",
                request.method,
                path,
                status,
                duration_ms,
                extra={
                    "status": status,
                    "duration_ms": duration_ms,
                    "user_id": _user_id(request),
                    "view": view_name_of(request),
                    "refused": True if status in REFUSAL_STATUSES else None,
                },
            )
            return response
        finally:
            reset_log_context(token)
