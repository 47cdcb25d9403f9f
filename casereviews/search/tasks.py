"""Search work for the task worker: applying index changes (the only process that writes the index, besides
`search_rebuild`), and the e-mails of saved searches."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
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


@task()
def saved_search_confirmation_email(saved_search_id: int) -> int:
    from casereviews.search.alerts import CONFIRMATION_LIFETIME, describe, links_for
    from casereviews.search.models import SavedSearch

    saved = SavedSearch.objects.filter(pk=saved_search_id, confirmed_at__isnull=True).first()
    if saved is None:
        return 0
    links = links_for(saved)
    body = (
        "Someone, probably you, asked Case Reviews to e-mail this address when new published reviews match "
        f"this search:\n\n  {describe(saved.params)}\n\n"
        f"To start the alerts, follow this link within {CONFIRMATION_LIFETIME.days} days:\n{links['confirm']}\n\n"
        "If you did not ask for this, ignore this e-mail: nothing more will be sent.\n"
    )
    return EmailMessage(
        subject="Confirm your e-mail alert for published reviews",
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[saved.email],
    ).send()


@task()
def search_alert_email(alert_id: int) -> int:
    from casereviews.search.alerts import describe, links_for
    from casereviews.search.catalogue import absolute
    from casereviews.search.documents import public_reports
    from casereviews.search.models import SearchAlert
    from casereviews.search.selectors import report_url

    with transaction.atomic():
        # Locked, so that two workers given the same alert send it once.
        alert = SearchAlert.objects.select_for_update().select_related("saved_search").filter(pk=alert_id).first()
        if alert is None or alert.sent_at is not None or not alert.saved_search.is_active:
            return 0
        saved = alert.saved_search
        ids = list(alert.reports.values_list("report_id", flat=True))
        # Only what is still public when the e-mail goes: a report may have left the public library since.
        titles = dict(public_reports().filter(pk__in=ids).values_list("pk", "title"))
        sent = 0
        if titles:
            links = links_for(saved)
            lines = [f"- {titles[pk]}\n  {absolute(report_url(pk))}" for pk in ids if pk in titles]
            count = len(lines)
            reviews = f"{count} new published review{'s' if count != 1 else ''}"
            body = (
                f"{reviews} {'match' if count != 1 else 'matches'} your search: {describe(saved.params)}\n\n"
                + "\n".join(lines)
                + "\n\n"
                f"See every review that matches: {links['search']}\n\n"
                f"To stop these e-mails: {links['unsubscribe']}\n"
            )
            sent = EmailMessage(
                subject=f"{reviews} {'match' if count != 1 else 'matches'} your search",
                body=body,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[saved.email],
                headers={"List-Unsubscribe": f"<{links['unsubscribe']}>"},
            ).send()
        alert.sent_at = timezone.now()
        alert.save(update_fields=["sent_at"])
        return sent
