"""Build the search index afresh from the database and make it live; the worker then follows the changes."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from casereviews.search.services import index_rebuild


class Command(BaseCommand):
    help = "Rebuild the search index from the database (the public library's confirmed records)."

    def handle(self, *args: Any, **options: Any) -> None:
        outcome = index_rebuild()
        self.stdout.write(
            f"Indexed {outcome.reports} public reports in {outcome.seconds:.1f} s (generation {outcome.generation})."
        )
