from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from casereviews.library.services import reports_requeue_stale


class Command(BaseCommand):
    help = "Queue again the reports a crashed worker left unanalysed (run before starting a worker)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--minutes", type=int, default=15, help="only reports stuck for longer than this")

    def handle(self, *args: Any, **options: Any) -> None:
        requeued = reports_requeue_stale(older_than=datetime.timedelta(minutes=options["minutes"]))
        self.stdout.write(f"Queued {len(requeued)} report(s) again.")
