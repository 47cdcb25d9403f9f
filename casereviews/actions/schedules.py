"""Reminders about actions: one when an action's due date approaches, then weekly once it is overdue.

Each reminder is recorded (`Reminder`, unique per action, kind, due date and week) in the same savepoint
that queues its e-mail for after the commit, so a second run, or a run after a crash, sends nothing twice.
Each action is reminded in its own savepoint: one action that cannot be reminded is logged and the others
are still reminded.

The `Reminder` row is also the e-mail's outbox entry, and its `emailed_at` the mark that it went. The e-mail is
queued only after the commit, so a process killed between the commit and the queueing (or a worker killed while
sending) would leave a recorded reminder that is never e-mailed; each run therefore queues again any reminder
still unsent `RESEND_UNSENT_AFTER` after it was recorded. The sending task marks the reminder under a row lock, so a
reminder queued twice is sent once. What is not guaranteed: a worker killed after the mail server accepted the
message and before the mark committed sends that one reminder a second time, with the same Message-ID (so mail
programs can recognise it as the same message). See tests/core/test_schedule_crash.py.
"""

from __future__ import annotations

import datetime
import logging
from functools import partial

from django.db import IntegrityError, transaction
from django.utils import timezone

from casereviews.actions import tasks
from casereviews.actions.models import (
    OVERDUE_REMINDER_EVERY_DAYS,
    REMIND_DAYS_BEFORE_DUE,
    Action,
    ActionStatus,
    Reminder,
    ReminderKind,
)
from casereviews.actions.selectors import with_latest_update
from casereviews.core.schedules import scheduled

logger = logging.getLogger(__name__)

# Far longer than a queued e-mail normally waits for the worker, so a reminder is not queued twice in passing.
RESEND_UNSENT_AFTER = datetime.timedelta(minutes=30)
# A reminder still unsent this long after it was recorded is stale news and is not sent late.
RESEND_UNSENT_WITHIN = datetime.timedelta(days=7)


def reminder_due(action: Action, today: datetime.date) -> tuple[ReminderKind, int] | None:
    """Which reminder `action` should have had by `today`: its kind and period, or None."""
    if action.status_on(today) in {ActionStatus.COMPLETE, ActionStatus.EVIDENCED}:
        return None
    if today > action.due_on:
        return ReminderKind.OVERDUE, ((today - action.due_on).days - 1) // OVERDUE_REMINDER_EVERY_DAYS
    if (action.due_on - today).days <= REMIND_DAYS_BEFORE_DUE:
        return ReminderKind.DUE_SOON, 0
    return None


def reminder_record(action: Action, kind: ReminderKind, period: int) -> Reminder:
    reminder = Reminder.objects.create(action=action, kind=kind, due_on=action.due_on, period=period)
    transaction.on_commit(partial(tasks.action_reminder_email.enqueue, reminder.pk))
    return reminder


@scheduled("action_reminders")
def action_reminders_send(today: datetime.date) -> str:
    queued = failed = 0
    candidates = with_latest_update(
        Action.objects.filter(
            evidence_accepted_at__isnull=True,
            due_on__lte=today + datetime.timedelta(days=REMIND_DAYS_BEFORE_DUE),
        )
    ).order_by("due_on", "pk")
    for action in candidates:
        due = reminder_due(action, today)
        if due is None:
            continue
        kind, period = due
        if Reminder.objects.filter(action=action, kind=kind, due_on=action.due_on, period=period).exists():
            continue
        try:
            with transaction.atomic():
                reminder_record(action, kind, period)
        except IntegrityError:
            continue  # a run at the same moment recorded it first: it will send it
        except Exception:  # one action must not stop the reminders about the others; it is retried next run
            logger.exception("could not remind about action %s", action.pk)
            failed += 1
        else:
            queued += 1
    requeued = unsent_reminders_requeue(timezone.now() - RESEND_UNSENT_AFTER)
    summary = f"{queued} reminder{'s' if queued != 1 else ''} queued"
    if requeued:
        summary += f"; {requeued} recorded earlier but not yet e-mailed queued again"
    return summary + (f"; {failed} could not be recorded (see the log)" if failed else "")


def unsent_reminders_requeue(recorded_before: datetime.datetime) -> int:
    """Queue again the e-mail of every reminder recorded before `recorded_before` and not marked e-mailed."""
    unsent = list(
        Reminder.objects.filter(
            emailed_at__isnull=True,
            created_at__lt=recorded_before,
            created_at__gte=recorded_before - RESEND_UNSENT_WITHIN,
        ).values_list("pk", flat=True)
    )
    for reminder_id in unsent:
        transaction.on_commit(partial(tasks.action_reminder_email.enqueue, reminder_id))
    return len(unsent)
