"""Turn the services' refusals into API responses with the same messages people see in the pages."""

from __future__ import annotations

from typing import Any

from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from casereviews.core.errors import DomainError, EditConflict, NotAllowed, TemporarilyUnavailable, TransitionNotAllowed

_STATUS = {
    NotAllowed: status.HTTP_403_FORBIDDEN,
    EditConflict: status.HTTP_409_CONFLICT,
    TransitionNotAllowed: status.HTTP_409_CONFLICT,
    TemporarilyUnavailable: status.HTTP_503_SERVICE_UNAVAILABLE,
}
# A service the action needs did not answer (the antivirus scanner): a client may send the same request again.
RETRY_AFTER_SECONDS = 60


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        code = next((value for kind, value in _STATUS.items() if isinstance(exc, kind)), status.HTTP_400_BAD_REQUEST)
        response = Response({"detail": exc.message, "errors": exc.field_errors}, status=code)
        if isinstance(exc, TemporarilyUnavailable):
            response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return drf_exception_handler(exc, context)
