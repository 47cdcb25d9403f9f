from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from casereviews.core.request_context import request_memo


def framework_memo_key(code: str) -> tuple[str, str]:
    """Where get_framework keeps a definition for the rest of a request (core.request_context.request_memo)."""
    return ("framework", code)


class StoredFramework(models.Model):
    """The framework definition in force. Seeded from `definitions/*.yaml`; a partnership's administrator
    can correct a rule here without a release, and a shipped update never overwrites such a correction."""

    code = models.CharField(max_length=50, unique=True)
    definition = models.JSONField()
    shipped_version = models.PositiveIntegerField()
    edited_locally = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return str(self.definition.get("name", self.code))

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        # A correction saved during a request is what the rest of that request reads.
        memo = request_memo()
        if memo is not None:
            memo.pop(framework_memo_key(self.code), None)
