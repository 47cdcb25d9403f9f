"""Turn the services' refusals into API responses with the same messages people see in the pages."""

from __future__ import annotations

from typing import Any

from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from casereviews.core.errors import DomainError, EditConflict, NotAllowed, TransitionNotAllowed

_STATUS = {
    NotAllowed: status.HTTP_403_FORBIDDEN,
    EditConflict: status.HTTP_409_CONFLICT,
    TransitionNotAllowed: status.HTTP_409_CONFLICT,
}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        code = next((value for kind, value in _STATUS.items() if isinstance(exc, kind)), status.HTTP_400_BAD_REQUEST)
        return Response({"detail": exc.message, "errors": exc.field_errors}, status=code)
    return drf_exception_handler(exc, context)
