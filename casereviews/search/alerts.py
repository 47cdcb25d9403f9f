"""Saved searches with e-mail alerts: the services behind them (kept apart from `services.py`, which keeps the
index in step and which the search service itself depends on).

No account is needed. Someone gives an e-mail address for a search; nothing but a confirmation e-mail goes to
that address until its signed link is followed, so nobody can sign someone else up for alerts. Confirming
records every report that matches at that moment as already known, so the first alert brings only what is new.

The scheduled job (`schedules.py`) runs each active search, and for reports not yet known writes one
`SearchAlert` and its `KnownReport` rows in the same transaction, then queues the e-mail on commit. A second run
finds nothing new, so running the job twice sends one e-mail; the sending task marks the alert sent under a row
lock, so two workers do not both send it. Every e-mail carries a link that stops the alerts.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from casereviews.core.audit import audit_record
from casereviews.core.errors import InvalidInput
from casereviews.search.catalogue import absolute
from casereviews.search.models import KnownReport, SavedSearch, SearchAlert
from casereviews.search.query import QueryError, parse_query
from casereviews.search.selectors import (
    EXPORT_LIMIT,
    FACET_LABELS,
    SearchRequest,
    search_reports,
    value_label,
)

CONFIRM_SALT = "casereviews.search.alerts.confirm"
UNSUBSCRIBE_SALT = "casereviews.search.alerts.unsubscribe"
CONFIRMATION_LIFETIME = datetime.timedelta(days=7)
# Asking again for the same search and address within this time sends no second confirmation e-mail, so the
# form cannot be used to flood someone's inbox.
CONFIRMATION_RESEND_AFTER = datetime.timedelta(hours=1)


# -- the search a saved search stands for -----------------------------------------------------------------------


def search_request_of(params: str) -> SearchRequest:
    request, _ = SearchRequest.from_params(QueryDict(params))
    return request


def canonical_params(params: QueryDict) -> str:
    """The search's words, filters and years as a query string (sort and paging play no part in what matches)."""
    request, errors = SearchRequest.from_params(params)
    if errors:
        raise InvalidInput(next(iter(errors.values())))
    try:
        parse_query(request.q)
    except QueryError as error:
        raise InvalidInput(error.message) from None
    canonical = request.to_params(sort="relevance").urlencode()
    if len(canonical) > SavedSearch._meta.get_field("params").max_length:  # type: ignore[operator]
        raise InvalidInput("This search is too long to save. Remove some words or filters.")
    return canonical


def describe(params: str) -> str:
    """The search in words: 'neglect AND "unseen men"; Type of harm: Neglect; from 2020'."""
    request = search_request_of(params)
    parts = [request.q] if request.q else []
    for name, values in request.filters.items():
        parts.append(f"{FACET_LABELS[name]}: {' or '.join(value_label(name, value) for value in values)}")
    if request.year_from:
        parts.append(f"from {request.year_from}")
    if request.year_to:
        parts.append(f"to {request.year_to}")
    return "; ".join(parts) or "all published reviews"


def search_url(params: str) -> str:
    return f"{reverse('search:search')}?{params}" if params else reverse("search:search")


def matching_report_ids(params: str) -> list[int] | None:
    """Every public report the search matches (up to the export limit), or None when the index is not ready."""
    request = search_request_of(params)
    page = search_reports(
        SearchRequest(**{**request.__dict__, "sort": "date", "facets": False, "snippets": False}), limit=EXPORT_LIMIT
    )
    if page.index_missing or page.error:
        return None
    return [row.report_id for row in page.rows]


# -- tokens -----------------------------------------------------------------------------------------------------


def confirm_token(saved: SavedSearch) -> str:
    return signing.dumps({"s": saved.pk, "e": saved.email}, salt=CONFIRM_SALT)


def unsubscribe_token(saved: SavedSearch) -> str:
    return signing.dumps({"s": saved.pk, "e": saved.email}, salt=UNSUBSCRIBE_SALT)


def _saved_search_from(token: str, *, salt: str, max_age: datetime.timedelta | None) -> SavedSearch:
    try:
        payload = signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired:
        raise InvalidInput("This link has expired. Set up the alert again from the search page.") from None
    except signing.BadSignature:
        raise InvalidInput("This link is not complete. Copy the whole link from the e-mail.") from None
    saved = SavedSearch.objects.select_for_update().filter(pk=payload.get("s"), email=payload.get("e")).first()
    if saved is None:
        raise InvalidInput("This alert no longer exists. Set it up again from the search page.")
    return saved


# -- services ---------------------------------------------------------------------------------------------------


@transaction.atomic
def saved_search_subscribe(*, email: str, params: QueryDict) -> SavedSearch:
    """Ask for alerts: send a confirmation e-mail (at most one an hour for the same search and address)."""
    email = email.strip()
    try:
        validate_email(email)
    except ValidationError:
        message = "Enter an e-mail address in the correct format, like name@example.com"
        raise InvalidInput(message, field_errors={"email": [message]}) from None
    canonical = canonical_params(params)
    now = timezone.now()
    saved = (
        SavedSearch.objects.select_for_update()
        .filter(email__iexact=email, params=canonical, unsubscribed_at__isnull=True)
        .order_by("-pk")
        .first()
    )
    if saved is not None and (
        saved.confirmed_at
        or (saved.confirmation_sent_at and now - saved.confirmation_sent_at < CONFIRMATION_RESEND_AFTER)
    ):
        return saved
    if saved is None:
        saved = SavedSearch.objects.create(email=email, params=canonical)
    saved.confirmation_sent_at = now
    saved.save(update_fields=["confirmation_sent_at"])
    # No address in the log: the audit log is read by staff and the subscriber is a member of the public.
    audit_record(actor=None, action="search.alert_requested", summary="An e-mail alert for a search was requested",
                 target=saved, changes={"search": canonical})  # fmt: skip
    from casereviews.search.tasks import saved_search_confirmation_email

    transaction.on_commit(partial(saved_search_confirmation_email.enqueue, saved.pk))
    return saved


@transaction.atomic
def saved_search_confirm(*, token: str) -> SavedSearch:
    """Start the alerts. Reports matching now are known already; only later ones are announced."""
    saved = _saved_search_from(token, salt=CONFIRM_SALT, max_age=CONFIRMATION_LIFETIME)
    if saved.unsubscribed_at:
        raise InvalidInput("These alerts were stopped. Set them up again from the search page.")
    if saved.confirmed_at:
        return saved
    matching = matching_report_ids(saved.params)
    if matching is None:
        raise InvalidInput("Search is being prepared. Follow the link again in a few minutes.")
    KnownReport.objects.bulk_create(
        [KnownReport(saved_search=saved, report_id=report_id) for report_id in matching], ignore_conflicts=True
    )
    saved.confirmed_at = timezone.now()
    saved.save(update_fields=["confirmed_at"])
    audit_record(actor=None, action="search.alert_confirmed", summary="An e-mail alert for a search was confirmed",
                 target=saved)  # fmt: skip
    return saved


@transaction.atomic
def saved_search_unsubscribe(*, token: str) -> SavedSearch:
    """Stop the alerts; the link in every e-mail never expires, and following it twice is harmless."""
    saved = _saved_search_from(token, salt=UNSUBSCRIBE_SALT, max_age=None)
    if saved.unsubscribed_at is None:
        saved.unsubscribed_at = timezone.now()
        saved.save(update_fields=["unsubscribed_at"])
        audit_record(actor=None, action="search.alert_stopped", summary="An e-mail alert for a search was stopped",
                     target=saved)  # fmt: skip
    return saved


@dataclass(frozen=True)
class AlertRun:
    searches: int
    alerts: int
    reports: int
    skipped: bool  # the index was not ready, so nothing was compared


def search_alerts_prepare() -> AlertRun:
    """For each active saved search, one alert of the reports that match it and it does not know yet."""
    from casereviews.search.tasks import search_alert_email

    searches = alerts = reports = 0
    for saved_id in SavedSearch.objects.filter(confirmed_at__isnull=False, unsubscribed_at__isnull=True).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            # Locked, then compared: a second run waiting here sees the first one's known reports.
            saved = SavedSearch.objects.select_for_update().filter(pk=saved_id, unsubscribed_at__isnull=True).first()
            if saved is None:
                continue
            matching = matching_report_ids(saved.params)
            if matching is None:
                return AlertRun(searches, alerts, reports, skipped=True)
            searches += 1
            known = set(saved.known.values_list("report_id", flat=True))
            new = [report_id for report_id in matching if report_id not in known]
            if not new:
                continue
            alert = SearchAlert.objects.create(saved_search=saved)
            KnownReport.objects.bulk_create(
                [KnownReport(saved_search=saved, report_id=report_id, alert=alert) for report_id in new]
            )
            transaction.on_commit(partial(search_alert_email.enqueue, alert.pk))
            alerts += 1
            reports += len(new)
    return AlertRun(searches, alerts, reports, skipped=False)


def links_for(saved: SavedSearch) -> dict[str, Any]:
    return {
        "search": absolute(search_url(saved.params)),
        "unsubscribe": absolute(reverse("search:alert_unsubscribe", args=[unsubscribe_token(saved)])),
        "confirm": absolute(reverse("search:alert_confirm", args=[confirm_token(saved)])),
    }
