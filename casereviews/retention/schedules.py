"""The retention schedule as a scheduled job: every run of the schedules deletes or anonymises what has passed its
period since the last run (casereviews.retention.services). Cheap when there is nothing to do, so it runs with the
others every SCHEDULE_INTERVAL_MINUTES rather than on a schedule of its own."""

from __future__ import annotations

import datetime

from casereviews.core.schedules import scheduled
from casereviews.retention.services import retention_apply


@scheduled("retention")
def apply_retention_job(today: datetime.date) -> str:
    # A kind that fails is named in the summary and logged, not raised: raising would roll back the kinds that
    # succeeded with it (the job runs in one transaction). The next run tries the failed kind again.
    return retention_apply(today=today).summary()
