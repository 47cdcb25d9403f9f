"""API tokens, stored as digests (ASVS 2.10.3): the database holds what identifies a token, never what uses it."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone


class ApiToken(models.Model):
    """A token for `Authorization: Token <token>`. Only the token's first characters (to find it and to name it in
    lists and the audit log) and the SHA-256 of the whole token are kept; the token itself is printed once, by
    `manage.py create_token`, and cannot be read back. A token is random (256 bits), so a plain SHA-256 is as good
    as a slow hash against someone guessing from a copy of the database."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    prefix = models.CharField(max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Never, when empty (tokens made before expiry)")
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    def is_usable(self, now: datetime.datetime | None = None) -> bool:
        moment = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > moment)
