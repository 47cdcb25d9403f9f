"""A periodic nudge, so that an index whose apply task was lost (a worker killed while it waited) still catches up."""

from __future__ import annotations

import datetime

from django.db import transaction

from casereviews.core.schedules import scheduled


@scheduled("search.apply_changes")
def search_apply_changes(today: datetime.date) -> str:
    from casereviews.search.services import apply_soon

    transaction.on_commit(apply_soon)
    return "queued the search index's apply task"
