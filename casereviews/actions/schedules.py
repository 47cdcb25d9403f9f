"""Reminders about actions: one when an action's due date approaches, then weekly once it is overdue.

Each reminder is recorded (`Reminder`, unique per action, kind, due date and week) in the same savepoint
that queues its e-mail for after the commit, so a second run, or a run after a crash, sends nothing twice.
Each action is reminded in its own savepoint: one action that cannot be reminded is logged and the others
are still reminded.
"""

from __future__ import annotations

import datetime
import logging
from functools import partial

from django.db import IntegrityError, transaction

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
    summary = f"{queued} reminder{'s' if queued != 1 else ''} queued"
    return summary + (f"; {failed} could not be recorded (see the log)" if failed else "")
