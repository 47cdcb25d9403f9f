"""The task worker runs the scheduled jobs periodically: the task runs them, then enqueues its next run.

There is no separate scheduler process to keep alive: the chain starts when the worker starts
(`scripts/run-dev.sh` calls `run_schedules --enqueue`) and each run enqueues the next, unless one is already
waiting, so two starts never make two chains.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from casereviews.core.schedules import schedules_run


@task()
def run_schedules_task() -> int:
    """Run every scheduled job; returns how many failed (the worker's log has the reasons)."""
    outcomes = schedules_run(today=timezone.localdate())
    schedules_enqueue_next()
    return sum(outcome.failed for outcome in outcomes)


def schedules_enqueue_next(*, delay: datetime.timedelta | None = None) -> bool:
    """Enqueue the next periodic run unless one is already waiting. Returns whether it enqueued one."""
    task_path = f"{run_schedules_task.func.__module__}.{run_schedules_task.func.__qualname__}"
    if DBTaskResult.objects.filter(task_path=task_path, status="READY").exists():
        return False
    interval = delay if delay is not None else datetime.timedelta(minutes=settings.SCHEDULE_INTERVAL_MINUTES)
    run_schedules_task.using(run_after=timezone.now() + interval).enqueue()
    return True
