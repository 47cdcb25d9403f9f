"""Search work for the task worker: the only process that writes the index (besides `search_rebuild`)."""

from __future__ import annotations

import datetime

from django_tasks import task


@task()
def apply_index_changes() -> str:
    from casereviews.search.services import apply_soon, index_changes_apply

    outcome = index_changes_apply()
    if outcome.busy:
        # Another writer (a rebuild, or a second worker) holds the index; try again shortly so that a change
        # committed while it worked is not left waiting for the next one.
        apply_soon(delay=datetime.timedelta(seconds=5))
        return "busy"
    return f"applied {outcome.changes} changes to {outcome.reports} reports" + (
        " after a rebuild" if outcome.rebuilt else ""
    )
