"""Apply the retention schedule now (docs/retention.md): delete or anonymise what is past its period."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from casereviews.retention.services import HANDLERS, retention_apply


class Command(BaseCommand):
    help = "Delete or anonymise every record past its retention period (docs/retention.md). Safe to run again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="say what would be done and change nothing")
        parser.add_argument("--date", type=datetime.date.fromisoformat, help="act as of this day (YYYY-MM-DD)")
        parser.add_argument("--only", action="append", choices=sorted(HANDLERS), help="only this kind of record")

    def handle(self, *args: Any, **options: Any) -> None:
        today = options["date"] or timezone.localdate()
        run = retention_apply(today=today, dry_run=options["dry_run"], only=options["only"])
        if run.paused:
            self.stdout.write("Retention is paused (RETENTION_PAUSED): nothing was deleted.")
            return
        if run.dry_run:
            self.stdout.write(f"Dry run as of {today.day} {today:%B %Y}: nothing is changed.")
        for outcome in run.outcomes:
            self.stdout.write(outcome.describe(dry_run=run.dry_run))
        if run.failed:
            raise CommandError(f"{len(run.failed)} kind(s) failed: {', '.join(o.key for o in run.failed)}")
