"""Refusals of someone signed in go into the audit log (ASVS 7.1.3, 7.2.2): who was refused what, and from where.

Checked on the response's status, in one middleware, rather than where the refusal is decided, because refusals are
decided in several places and most never reach a common hook:
- a view's (or a `rules` check's) PermissionDenied is turned into a 403 by Django's handler before any outer
  middleware sees it, and `process_exception` sees only exceptions of the view itself;
- DRF answers its own permission classes' refusals (and `NotAllowed` from the services, casereviews.api.errors)
  inside the view, so nothing is raised to Django at all;
- CSRF failures and RequireSecondFactorMiddleware answer 403 before any view runs, so handler403 never sees them.
A 403 response is what all of them have in common.

A refusal of an anonymous visitor is not audited: anyone could write to the hash chain as fast as they can send
requests. It is in the request log, marked `"refused": true` (casereviews.core.request_logging). 404s are not
counted as refusals here: a page for an object that someone may not know of answers as for one that does not exist,
and the two cannot be told apart without asking every view; the request log names the view of such a 404, which
tells it from a mistyped address.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

from casereviews.core.audit import audit_record
from casereviews.core.request_logging import loggable_path, view_name_of


def _refused_user(request: HttpRequest) -> Any:
    # DRF sets the Django request's user when a token authenticates, so an API token's holder is found here too.
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def record_refusal(request: HttpRequest, response: HttpResponse) -> None:
    """Audit that `response` refused the signed-in person of `request` (nothing for anyone else)."""
    user = _refused_user(request)
    if user is None:
        return
    # The path with any secret in it replaced, never the query string (what someone searched for), and nothing of
    # the page: a refused page may be about a child, and the audit log is read by business managers.
    path = loggable_path(request.path, path_info=request.path_info)
    view = view_name_of(request) or ""
    method = request.method or ""
    audit_record(
        actor=user,
        action="access.refused",
        summary=f"{user.get_username()} was refused {method} {path}" + (f" ({view})" if view else ""),
        changes={"method": method, "path": path, "view": view, "status": response.status_code},
    )


class RefusalAuditMiddleware:
    """After RequestContextMiddleware (the entry's address and browser) and before every middleware that may refuse
    on its own (RequireSecondFactorMiddleware), so that its refusals pass through here too."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 403:
            record_refusal(request, response)
        return response
