"""Run every scheduled job once as of today (or --date), printing what each did."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from casereviews.core.schedules import registered_jobs, schedules_run


class Command(BaseCommand):
    help = "Close publication windows, flag breached deadlines and send reminders. Safe to run again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", type=datetime.date.fromisoformat, help="act as of this day (YYYY-MM-DD)")
        parser.add_argument(
            "--enqueue", action="store_true", help="instead, start the task worker's periodic runs (if none waits)"
        )
        parser.add_argument("--only", action="append", choices=sorted(registered_jobs()), help="run only this job")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            from casereviews.core.tasks import schedules_enqueue_next

            started = schedules_enqueue_next(delay=datetime.timedelta(0))
            self.stdout.write("Periodic runs enqueued." if started else "A periodic run is already waiting.")
            return
        today = options["date"] or timezone.localdate()
        outcomes = schedules_run(today=today, only=options["only"])
        for outcome in outcomes:
            self.stdout.write(f"{outcome.name}: {outcome.summary}")
        failed = [outcome.name for outcome in outcomes if outcome.failed]
        if failed:
            raise CommandError(f"{len(failed)} scheduled job(s) failed: {', '.join(failed)}")
        if not outcomes:
            self.stdout.write("No scheduled jobs are registered.")
