"""Issuing, finding and revoking API tokens (casereviews.api.models.ApiToken)."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets

from django.db import transaction
from django.utils import timezone

from casereviews.api.models import ApiToken
from casereviews.core.audit import audit_record
from casereviews.partnerships.models import User

# How many leading characters of a token are kept in clear, to find its row and to name it.
PREFIX_LENGTH = 8
# A token's last use is written at most this often, so that a busy script does not write on every request.
_LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_issue(*, user: User, days: int | None, revoke_others: bool = False) -> str:
    """A new token for `user`, valid for `days` days (for ever when None). Returns the token, which is stored only
    as its digest: this is the one moment it can be read."""
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        if revoke_others:
            token_revoke_all(user=user)
        record = ApiToken.objects.create(
            user=user,
            prefix=token[:PREFIX_LENGTH],
            digest=token_digest(token),
            created_at=now,
            expires_at=now + datetime.timedelta(days=days) if days is not None else None,
        )
        until = f"until {record.expires_at:%Y-%m-%d}" if record.expires_at else "with no expiry"
        audit_record(
            actor=None,
            action="token.create",
            summary=f"Created API token {record.prefix}… for {user.username}, {until}",
            target=user,
        )
    return token


def token_revoke_all(*, user: User) -> int:
    """Revoke every usable token of `user`; returns how many."""
    now = timezone.now()
    revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
    if revoked:
        audit_record(
            actor=None, action="token.revoke", summary=f"Revoked {revoked} API token(s) of {user.username}", target=user
        )
    return revoked


def token_find(token: str) -> ApiToken | None:
    """The usable token whose digest matches, or None (unknown, revoked, expired, or its person inactive)."""
    digest = token_digest(token)
    for candidate in ApiToken.objects.select_related("user").filter(prefix=token[:PREFIX_LENGTH]):
        if hmac.compare_digest(candidate.digest, digest):
            return candidate if candidate.is_usable() and candidate.user.is_active else None
    return None


def token_touch(record: ApiToken) -> None:
    now = timezone.now()
    if record.last_used_at is None or now - record.last_used_at >= _LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=record.pk).update(last_used_at=now)
        record.last_used_at = now
