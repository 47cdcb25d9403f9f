from __future__ import annotations

import datetime

from django.db.models import QuerySet

from casereviews.core.models import AuditEvent
from casereviews.retention.models import RetentionHold


def retention_last_applied() -> datetime.datetime | None:
    """When the schedule last deleted or anonymised something (runs with nothing to do write no entry)."""
    return AuditEvent.objects.filter(action="retention.apply").values_list("at", flat=True).first()


def holds_in_force(partnership_ids: list[int]) -> QuerySet[RetentionHold]:
    """The legal holds in force on these partnerships' referrals."""
    return RetentionHold.objects.filter(
        lifted_at__isnull=True, referral__partnership_id__in=partnership_ids
    ).select_related("referral")
