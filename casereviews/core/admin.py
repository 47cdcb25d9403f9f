"""The Django admin, audited: every change made there goes into the audit log like any other change."""

from __future__ import annotations

from typing import Any

from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from casereviews.core.audit import audit_record
from casereviews.core.models import AuditEvent


class AuditedAdmin(admin.ModelAdmin):
    def _partnership_of(self, obj: models.Model) -> Any:
        from casereviews.partnerships.models import Partnership

        if isinstance(obj, Partnership):
            return obj
        return getattr(obj, "partnership", None)

    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        audit_record(
            actor=request.user,
            action="admin.add",
            target=obj,
            partnership=self._partnership_of(obj),
            summary=f"Added {obj._meta.verbose_name} “{obj}” in the admin",
            changes={"message": message},
        )
        return super().log_addition(request, obj, message)

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        audit_record(
            actor=request.user,
            action="admin.change",
            target=obj,
            partnership=self._partnership_of(obj),
            summary=f"Changed {obj._meta.verbose_name} “{obj}” in the admin",
            changes={"message": message},
        )
        return super().log_change(request, obj, message)

    def log_deletions(self, request: HttpRequest, queryset: Any) -> Any:
        for obj in queryset:
            audit_record(
                actor=request.user,
                action="admin.delete",
                target=obj,
                partnership=self._partnership_of(obj),
                summary=f"Deleted {obj._meta.verbose_name} “{obj}”",
            )
        return super().log_deletions(request, queryset)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Listed and shown in the admin, never added, changed or deleted there."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Read-only: the audit log can be read in the admin but never changed."""

    list_display = ["sequence", "at", "actor_label", "action", "summary", "ip_address"]
    list_filter = ["action", "partnership"]
    search_fields = ["summary", "actor_label", "object_id"]


# allauth's own admin would let a superuser add, change or delete a second factor with none of what a reset needs: the
# reason and who confirmed it audited, every session ended, the person told (docs/lost-authenticator.md). Here the
# admin lists authenticators, and `manage.py authenticator_reset` is the one way to remove them.
admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class AuthenticatorAdmin(ReadOnlyAdmin):
    """Read-only: who has which second factor and when it was last used; removal is `authenticator_reset`."""

    list_display = ["user", "type", "created_at", "last_used_at"]
    list_filter = ["type"]
    search_fields = ["user__username", "user__email"]
    fields = ["user", "type", "created_at", "last_used_at"]  # never `data`: it holds the secret and recovery seed
