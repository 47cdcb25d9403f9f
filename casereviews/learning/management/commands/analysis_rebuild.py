from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from casereviews.learning.services import analysis_records_rebuild


class Command(BaseCommand):
    help = "Rebuilds every report's analysis record from its confirmed values (after a restore, or to repair)."

    def handle(self, *args: Any, **options: Any) -> None:
        count = analysis_records_rebuild()
        self.stdout.write(f"{count} analysis record{'s' if count != 1 else ''} rebuilt")
