"""What every API view shares: a throttle on each person's calls (ASVS 11.1.4) and JSON sent as an attachment
(ASVS 14.4.2).

The project's REST_FRAMEWORK settings name no default throttle or renderer classes, so the API's views take
them from `ApiView` (or `ApiDefaults`, for DRF's generic views) instead. The throttles count in the project's
cache, a database table every gunicorn worker shares, so a limit holds however requests are spread.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rest_framework.permissions import SAFE_METHODS
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle, UserRateThrottle
from rest_framework.views import APIView

ATTACHMENT = 'attachment; filename="api.json"'


class PersonRateThrottle(UserRateThrottle):
    """Every call a signed-in person makes, reads and writes alike, at the project's `user` rate (600 a minute).

    A person working in a client makes a few calls a minute, and a script exporting a partnership's data walks
    lists of up to 200 rows a page plus a detail call a record: a few hundred calls over several minutes. Keeping
    up more than 10 calls a second for a whole minute is copying in bulk, which this slows (429 with Retry-After)
    without refusing the person's work outright. The public search and publication views count against the
    same `user` key, so one person has one budget across the API.
    """

    scope = "user"


class PersonWriteThrottle(UserRateThrottle):
    """Calls that change something, at a lower rate: each records an audit event, may queue notifications and
    holds a database write lock, and nobody keys in more than a few a minute. 120 a minute still lets a system
    load a partnership's referrals and their steps one by one, while a flood of writes is held to 2 a second.
    """

    scope = "user_write"
    rate = "120/minute"  # The settings have no rate for this scope, and they belong to the project, not the API.

    def allow_request(self, request: Request, view: APIView) -> bool:
        if request.method in SAFE_METHODS:
            return True  # reads are counted once, by PersonRateThrottle, and touch no cache entry here
        return super().allow_request(request, view)


class AttachmentJSONRenderer(JSONRenderer):
    """JSON with `Content-Disposition: attachment`, so that a browser opening an API address saves the answer
    instead of showing it as a page (ASVS 14.4.2). It is the only renderer the API's views offer: DRF's browsable
    API would show the same data as an HTML page, which is what this header exists to prevent.

    Errors (403, 404, 429) go through the renderer too, so they carry the header as well. A response that already
    names its own file keeps that name.
    """

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        response = (renderer_context or {}).get("response")
        if response is not None and not response.has_header("Content-Disposition"):
            response["Content-Disposition"] = ATTACHMENT
        return super().render(data, accepted_media_type, renderer_context)


class ApiDefaults:
    """Mixed into DRF's generic views (list first: `class X(ApiDefaults, generics.ListAPIView[...])`)."""

    throttle_classes: Sequence[type[BaseThrottle]] = [PersonRateThrottle, PersonWriteThrottle]
    renderer_classes: Sequence[type[BaseRenderer]] = [AttachmentJSONRenderer]


class ApiView(ApiDefaults, APIView):
    """The base of the API's own views. A public view may name other throttles (anonymous callers' too), and
    keeps the renderer."""
