"""Scheduled work for publication.

`publication_windows` ends publication windows: a report past its window becomes available on request only.
Each publication is closed in its own savepoint, so a failure on one (logged, and named in the job's summary)
leaves those already closed closed and the failed one untouched; the next run finishes it. A publication already
closed is skipped, so running the job twice does nothing more.

`publication_library` hands to the library any published report whose hand-over was lost (the worker stopped
between the publication committing and its task running). The library returns the report it already has for the
same bytes, so a report is never added twice.
"""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.utils import timezone

from casereviews.core.schedules import scheduled
from casereviews.publication.models import Publication
from casereviews.publication.services import publication_to_library, publication_window_close
from casereviews.reviews.models import ReviewStatus

logger = logging.getLogger(__name__)

# The task queued when a review is published normally runs within seconds; only one this late was lost.
LIBRARY_HANDOVER_GRACE = datetime.timedelta(minutes=15)


@scheduled("publication_windows")
def close_publication_windows(today: datetime.date) -> str:
    due = Publication.objects.filter(
        closed_on__isnull=True, window_ends_on__lt=today, review__status=ReviewStatus.PUBLISHED
    ).order_by("window_ends_on", "pk")
    closed, failed = 0, []
    for publication in due:
        try:
            with transaction.atomic():
                closed += publication_window_close(publication=publication, today=today)
        except Exception:  # one review's failure must not stop or undo the others; the next run retries it
            logger.exception("closing the publication window of publication %s failed", publication.pk)
            failed.append(str(publication.pk))
    summary = f"closed {closed} publication window{'s' if closed != 1 else ''}"
    if failed:
        summary += f"; failed for publication {', '.join(failed)} (will retry on the next run)"
    return summary


@scheduled("publication_library")
def send_lost_publications_to_library(today: datetime.date) -> str:
    waiting = Publication.objects.filter(
        library_report__isnull=True, published_at__lt=timezone.now() - LIBRARY_HANDOVER_GRACE
    ).order_by("pk")
    sent, failed = 0, []
    for publication in waiting:
        try:
            with transaction.atomic():
                publication_to_library(publication.pk)
                sent += 1
        except Exception:  # one report's failure must not stop the others; the next run retries it
            logger.exception("sending publication %s to the library failed", publication.pk)
            failed.append(str(publication.pk))
    summary = f"sent {sent} published report{'s' if sent != 1 else ''} to the library"
    if failed:
        summary += f"; failed for publication {', '.join(failed)} (will retry on the next run)"
    return summary
