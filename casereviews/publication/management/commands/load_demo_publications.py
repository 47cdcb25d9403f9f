"""Publish the invented demo reviews through the real redaction gate (development only; run after load_demo)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from casereviews.publication.demo import publication_demo_load


class Command(BaseCommand):
    help = "Take the demo reviews through the redaction gate and publish them (idempotent; development only)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("Demo data is for development only (DJANGO_DEBUG is false)")
        try:
            published = publication_demo_load()
        except LookupError as error:
            raise CommandError(f"{error}: run `manage.py load_demo` first") from error
        for publication in published:
            self.stdout.write(f"Published {publication.review.pseudonym}: {publication.review.get_status_display()}")
