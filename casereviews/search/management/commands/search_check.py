"""Compare the search index with the database; exit 1 when they differ, so it can guard a deployment or a cron."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from casereviews.search.services import index_check


def _ids(ids: list[int]) -> str:
    shown = ", ".join(str(pk) for pk in ids[:20])
    return shown + (f" and {len(ids) - 20} more" if len(ids) > 20 else "")


class Command(BaseCommand):
    help = "Compare the search index with the database and report every difference (exit status 1 if any)."

    def handle(self, *args: Any, **options: Any) -> None:
        outcome = index_check()
        if outcome.no_index:
            raise CommandError("There is no search index yet: run `python manage.py search_rebuild`.")
        if outcome.pending:
            self.stdout.write(
                f"{outcome.pending} change(s) are waiting for the worker; differences they "
                "explain will go once it has applied them."
            )
        for ids, what in (
            (outcome.missing, "public in the database but missing from the index"),
            (outcome.extra, "in the index but not public in the database"),
            (outcome.stale, "indexed with values that differ from the database"),
        ):
            if ids:
                self.stdout.write(f"{len(ids)} report(s) {what}: {_ids(ids)}")
        if outcome.differences:
            raise CommandError(
                f"The search index differs from the database in {outcome.differences} report(s). "
                "Run `python manage.py search_rebuild` to rebuild it."
            )
        self.stdout.write("The search index matches the database.")
