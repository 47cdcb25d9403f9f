"""The demo library: generated, invented reports added to the library so a newcomer sees real-looking content.

`make run` starts this in the background; the home page shows its progress while the task worker analyses
each report. Running it again adds nothing (the same seed gives the same files, which the library skips).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from casereviews.core.models import BackgroundJob
from casereviews.library.models import Report
from casereviews.library.services import report_upload
from extraction.corpus import generate_report

JOB = "demo_library"


class Command(BaseCommand):
    help = "Generate and add the invented demo library (about 60 reports); the task worker analyses them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, default=60)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--max-pages", type=int, default=30)

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("The demo library is for development only (DJANGO_DEBUG is false)")
        count = options["count"]
        job, _ = BackgroundJob.objects.update_or_create(
            name=JOB,
            defaults={"description": "Loading the demo library", "total": count, "done": 0, "failed": 0,
                      "message": "", "finished_at": None},
        )
        already = set(Report.objects.filter(source="demo").values_list("filename", flat=True))
        for index in range(count):
            generated = generate_report(options["seed"], index, min_pages=10, max_pages=options["max_pages"])
            if generated.filename in already:
                job.done += 1
                job.save(update_fields=["done"])
                continue
            try:
                report_upload(uploaded_by=None, filename=generated.filename, data=generated.render(), source="demo")
                job.done += 1
            except Exception as error:  # keep going: one bad generated file must not stop the demo
                job.failed += 1
                job.message = f"{generated.filename}: {error}"[:500]
            job.save(update_fields=["done", "failed", "message"])
        job.finished_at = timezone.now()
        job.save(update_fields=["finished_at"])
        self.stdout.write(f"Demo library: {job.done} reports added ({job.failed} failed); the worker analyses them.")
