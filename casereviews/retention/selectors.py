from __future__ import annotations

import datetime

from casereviews.core.models import AuditEvent


def retention_last_applied() -> datetime.datetime | None:
    """When the schedule last deleted or anonymised something (runs with nothing to do write no entry)."""
    return AuditEvent.objects.filter(action="retention.apply").values_list("at", flat=True).first()
