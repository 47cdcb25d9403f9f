"""Scheduled work on referrals: flag each statutory deadline the day after it passes unmet.

The flag (`Deadline.breach_flagged_on`) is written in the same transaction as the audit entry and the
queued e-mail, so a second run, or a run after a crash part-way, flags and mails each deadline once.
"""

from __future__ import annotations

import datetime
from functools import partial

from django.db import transaction

from casereviews.core.audit import audit_record
from casereviews.core.schedules import scheduled
from casereviews.referrals import tasks
from casereviews.referrals.models import Deadline


@scheduled("referral_deadlines_breached")
def deadlines_breached_flag(today: datetime.date) -> str:
    overdue = (
        Deadline.objects.select_for_update()
        .select_related("referral__partnership")
        .filter(due_on__lt=today, met_on__isnull=True, cancelled_on__isnull=True, breach_flagged_on__isnull=True)
    )
    flagged = 0
    for deadline in overdue:
        deadline.breach_flagged_on = today
        deadline.save(update_fields=["breach_flagged_on"])
        audit_record(
            actor=None,
            action="referral.deadline_breached",
            summary=(
                f"{deadline.referral.reference}: “{deadline.label}” was due on {deadline.due_on:%d %B %Y} "
                "and is not met"
            ),
            target=deadline.referral,
            partnership=deadline.referral.partnership,
            changes={"deadline": deadline.rule_id, "due_on": deadline.due_on.isoformat()},
        )
        transaction.on_commit(partial(tasks.deadline_breached_email.enqueue, deadline.pk))
        flagged += 1
    return f"{flagged} newly breached deadline(s) flagged"
