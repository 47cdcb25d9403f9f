"""`Authorization: Token <token>` checked against the stored digests (casereviews.api.tokens)."""

from __future__ import annotations

import hmac
import logging
from typing import Any

from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from casereviews.api.models import ApiToken
from casereviews.api.tokens import PREFIX_LENGTH, token_digest, token_find, token_touch
from casereviews.core.audit import audit_record

security_logger = logging.getLogger("casereviews.security")


class HashedTokenAuthentication(TokenAuthentication):
    """DRF's token header, checked against `ApiToken` digests instead of keys stored in clear. A subclass of DRF's
    TokenAuthentication so the header parsing, the 401 challenge and the OpenAPI description (drf-spectacular's
    `tokenAuth` scheme) stay as they were."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        record = token_find(key)
        if record is None:
            report_refused_token(key)
            # One answer for unknown, revoked and expired tokens, and for an inactive person's.
            raise exceptions.AuthenticationFailed("Invalid token.")
        token_touch(record)
        return record.user, record


def _why_refused(record: ApiToken) -> str:
    if record.revoked_at is not None:
        return "revoked"
    if not record.is_usable():
        return "expired"
    return "its holder's account is inactive"


def report_refused_token(key: str) -> None:
    """Log a refused token on the security log (ASVS 7.2.1), and audit it when it is one we issued.

    Never the token: a token we issued is named by its stored prefix, which the database and the audit log keep in
    clear anyway. The first characters of a token we never issued are not logged at all: they are whatever the
    client sent, perhaps the start of some other secret pasted in the wrong place."""
    digest = token_digest(key)
    candidates = list(ApiToken.objects.select_related("user").filter(prefix=key[:PREFIX_LENGTH]))
    issued = next((c for c in candidates if hmac.compare_digest(c.digest, digest)), None)
    if issued is None:
        if candidates:
            # The prefix of a token we issued with the rest wrong: a mistyped token, or someone guessing the rest.
            security_logger.warning(
                "A token refused: it starts as API token %s… but the rest is wrong",
                candidates[0].prefix,
                extra={"token_prefix": candidates[0].prefix},
            )
        else:
            security_logger.warning("An unknown API token was refused")
        return
    reason = _why_refused(issued)
    security_logger.warning(
        "API token %s… refused: %s",
        issued.prefix,
        reason,
        extra={"token_prefix": issued.prefix, "user_id": issued.user_id},
    )
    # The token's holder is known, so it goes into the audit log under their name, like their own failed sign-in:
    # a revoked or expired token still in use means a forgotten script, or a token in someone else's hands.
    audit_record(
        actor=issued.user,
        action="auth.token_refused",
        summary=f"API token {issued.prefix}… of {issued.user.get_username()} was refused: {reason}",
        target=issued.user,
    )
