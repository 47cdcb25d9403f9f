from __future__ import annotations

import datetime

from django.db.models import QuerySet

from casereviews.core.models import AuditEvent
from casereviews.partnerships.models import Partnership
from casereviews.retention.models import RetentionHold


def retention_last_applied() -> datetime.datetime | None:
    """When the schedule last deleted or anonymised something (runs with nothing to do write no entry)."""
    return AuditEvent.objects.filter(action="retention.apply").values_list("at", flat=True).first()


def holds_in_force(partnerships: QuerySet[Partnership]) -> QuerySet[RetentionHold]:
    """The legal holds in force on these partnerships' referrals."""
    return RetentionHold.objects.filter(lifted_at__isnull=True, referral__partnership__in=partnerships).select_related(
        "referral"
    )
