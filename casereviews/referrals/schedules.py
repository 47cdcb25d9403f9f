"""Scheduled work on referrals: flag each statutory deadline the day after it passes unmet.

The flag (`Deadline.breach_flagged_on`) is written in the same transaction as the audit entry, and the e-mail is
queued after the commit, so a second run, or a run after a crash part-way, flags each deadline once. The flagged
deadline is the e-mail's outbox entry and `breach_emailed_at` the mark that it went (set by the sending task under a
row lock, so a deadline queued twice is e-mailed once): a later day's run queues again any breach flagged on an
earlier day and still not e-mailed, which recovers an e-mail lost when a process died between the commit and the
queueing, or a worker died while sending. A worker killed after the mail server accepted the e-mail and before the
mark committed sends it once more, with the same Message-ID.
"""

from __future__ import annotations

import datetime
from functools import partial

from django.db import transaction

from casereviews.core.audit import audit_record
from casereviews.core.schedules import scheduled
from casereviews.referrals import tasks
from casereviews.referrals.models import Deadline

# A breach e-mail still unsent this long after the flag is stale news and is not sent late.
RESEND_UNSENT_FOR_DAYS = 7


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
    unsent = list(
        Deadline.objects.filter(
            breach_emailed_at__isnull=True,
            breach_flagged_on__lt=today,
            breach_flagged_on__gte=today - datetime.timedelta(days=RESEND_UNSENT_FOR_DAYS),
        ).values_list("pk", flat=True)
    )
    for deadline_id in unsent:
        transaction.on_commit(partial(tasks.deadline_breached_email.enqueue, deadline_id))
    summary = f"{flagged} newly breached deadline(s) flagged"
    return summary + (f"; {len(unsent)} flagged earlier but not yet e-mailed queued again" if unsent else "")
