from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from casereviews.core.admin import AuditedAdmin
from casereviews.retention.models import RetentionHold


@admin.register(RetentionHold)
class RetentionHoldAdmin(AuditedAdmin):
    list_display = ["referral", "placed_at", "placed_by", "lifted_at"]
    list_filter = ["lifted_at"]
    raw_id_fields = ["referral"]
    readonly_fields = ["placed_by", "placed_at"]
    search_fields = ["referral__reference"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:
            obj.placed_by = request.user
        super().save_model(request, obj, form, change)
