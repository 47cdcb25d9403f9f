"""Scheduled search work: a nudge for the index's apply task, and the e-mail alerts of saved searches."""

from __future__ import annotations

import datetime

from django.db import transaction

from casereviews.core.schedules import scheduled


@scheduled("search.apply_changes")
def search_apply_changes(today: datetime.date) -> str:
    # A periodic nudge, so that an index whose apply task was lost (a worker killed while it waited) still
    # catches up.
    from casereviews.search.services import apply_soon

    transaction.on_commit(apply_soon)
    return "queued the search index's apply task"


@scheduled("search.alerts")
def search_alerts_send(today: datetime.date) -> str:
    from casereviews.search.alerts import search_alerts_prepare

    run = search_alerts_prepare()
    if run.skipped:
        return "search index not ready: no alerts compared"
    return f"{run.alerts} alert e-mail(s) queued with {run.reports} new report(s) for {run.searches} saved search(es)"
