"""The OpenAPI schema as served at /api/schema/: what every operation can answer besides success.

drf-spectacular documents the responses each view declares. The refusals every view shares come from Django
REST framework and from `casereviews.api.errors`: a refused input (400), missing or bad credentials (401, 403), a
record that is not there or not visible (404), a step the record's state or version no longer allows (409) and
throttling (429). `document_error_responses` adds them to each operation once, so that a client (and the
Schemathesis run in tests/api/test_schemathesis.py) knows every status code the API can send.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

ERROR_COMPONENT = "Error"
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": (
        "Why the request was refused. `detail` says it in words. A refusal by a rule of the service adds `errors`, "
        "the messages for each field by its name; a body that does not validate has the messages under each "
        "field's own name instead."
    ),
    "properties": {
        "detail": {"type": "string"},
        "errors": {"type": "object", "additionalProperties": {}},
    },
    "additionalProperties": {},
}
_DESCRIPTIONS = {
    "400": "The input was refused: see `detail` and the messages by field",
    "401": "The credentials were not accepted (an unknown, expired or revoked token)",
    "403": "Not signed in, or not allowed to do this",
    "404": "No such record, or none this person may see",
    "409": "The record changed, or its state does not allow this step now",
    "429": "Too many requests: wait and try again",
}
_METHODS = {"get", "post", "put", "patch", "delete"}
# Every operation: any query or body can be refused, any credentials can fail, and every view is throttled.
_ALWAYS = ("400", "401", "403", "429")


def document_error_responses(result: dict[str, Any], generator: Any, **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular post-processing hook: add the shared error responses an operation does not declare."""
    result.setdefault("components", {}).setdefault("schemas", {})[ERROR_COMPONENT] = ERROR_SCHEMA
    reference = {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}
    for path, path_item in result.get("paths", {}).items():
        for method, operation in path_item.items():
            if method not in _METHODS:
                continue
            codes = list(_ALWAYS)
            if "{" in path or operation.get("parameters"):
                codes.append("404")  # a record named in the path, or selected by a query, may not be there
            if method != "get":
                codes.append("409")
            responses = operation.setdefault("responses", {})
            for code in codes:
                responses.setdefault(
                    code,
                    {"description": _DESCRIPTIONS[code], "content": {"application/json": {"schema": reference}}},
                )
    return result


# The served schema's settings: the project's, plus the hook above after drf-spectacular's own enum hook, and a
# name for the publication request's status. Without that name drf-spectacular calls it "ReportStatusEnum" (it
# drops "Request" from "ReportRequest" when request and response components are split) and documents the
# library report's statuses for it.
_PROJECT: dict[str, Any] = settings.SPECTACULAR_SETTINGS
SCHEMA_SETTINGS: dict[str, Any] = {
    "POSTPROCESSING_HOOKS": [
        *_PROJECT.get("POSTPROCESSING_HOOKS", ["drf_spectacular.hooks.postprocess_schema_enums"]),
        "casereviews.api.schema.document_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        **_PROJECT.get("ENUM_NAME_OVERRIDES", {}),
        "RequestStatusEnum": "casereviews.publication.models.RequestStatus",
    },
}
