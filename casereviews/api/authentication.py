"""`Authorization: Token <token>` checked against the stored digests (casereviews.api.tokens)."""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from casereviews.api.tokens import token_find, token_touch


class HashedTokenAuthentication(TokenAuthentication):
    """DRF's token header, checked against `ApiToken` digests instead of keys stored in clear. A subclass of DRF's
    TokenAuthentication so the header parsing, the 401 challenge and the OpenAPI description (drf-spectacular's
    `tokenAuth` scheme) stay as they were."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        record = token_find(key)
        if record is None:
            # One answer for unknown, revoked and expired tokens, and for an inactive person's.
            raise exceptions.AuthenticationFailed("Invalid token.")
        token_touch(record)
        return record.user, record
