"""Scheduled work: jobs that act on dates (publication windows closing, deadlines breached, reminders).

Apps register a job with `@scheduled("name")` in their `schedules.py`, imported from their AppConfig.ready.
`python manage.py run_schedules` runs every job once, and the task worker runs them every
`SCHEDULE_INTERVAL_MINUTES` (`core.tasks.run_schedules_task` re-enqueues itself).

Every job must be idempotent: running it twice on the same day, or again after a crash part-way, does no
harm. Jobs therefore record what they did (a window closed, a reminder sent for a given due date) in the
database in the same transaction as the act, and skip what is already recorded. Each job runs in its own
transaction, so one failing job neither undoes nor stops the others.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from casereviews.core.security_watch import security_watch_run

logger = logging.getLogger(__name__)

ScheduledJob = Callable[[datetime.date], str]  # acts as of the given day; returns a one-line summary

_jobs: dict[str, ScheduledJob] = {}


def scheduled(name: str) -> Callable[[ScheduledJob], ScheduledJob]:
    def register(job: ScheduledJob) -> ScheduledJob:
        _jobs[name] = job
        return job

    return register


def registered_jobs() -> dict[str, ScheduledJob]:
    return dict(sorted(_jobs.items()))


@dataclass(frozen=True)
class JobOutcome:
    name: str
    summary: str
    failed: bool


def schedules_run(*, today: datetime.date, only: list[str] | None = None) -> list[JobOutcome]:
    outcomes = []
    for name, job in registered_jobs().items():
        if only and name not in only:
            continue
        try:
            with transaction.atomic():
                summary = job(today)
        except Exception as error:  # one failing job must not stop the others; it is reported and logged
            logger.exception("scheduled job %s failed", name)
            outcomes.append(JobOutcome(name, f"failed: {error}", failed=True))
        else:
            outcomes.append(JobOutcome(name, summary, failed=False))
    return outcomes


@scheduled("security_watch")
def security_watch_job(today: datetime.date) -> str:
    # It acts on the current time, not on `today`: it looks back over the time since the previous run.
    alerts = security_watch_run()
    return f"{len(alerts)} security alert(s) sent" if alerts else "nothing unusual in the audit log"
