"""Applying the retention schedule (casereviews.retention.policy): deleting or anonymising what is past its period.

`retention_apply` takes each kind in turn, each in its own transaction, so one kind failing neither undoes nor stops
the others. A kind first works out what is due (past its period and not held back), then locks and acts on it and,
in the same transaction, writes one audit entry saying how many records and which ids, never what they held (one
per partnership for a partnership's own records, so that its business manager reads it in its audit log). What is
already gone or anonymised is never due again, so a second run changes nothing and writes nothing. A dry run works
out what is due and stops there.

Nothing is due while it is still needed: an open case, a referral that led to a review, a review under a hold, a
request waiting for a decision, a download link still valid. `RETENTION_PAUSED` stops every kind (a moratorium on
destruction, as a public inquiry may order).

Stored files are content-addressed and may be shared by several rows, so a file is removed only after the deletion
commits and only when no row names it any more; a rolled-back run removes no file.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from allauth.usersessions.models import UserSession
from django.apps import apps
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.core.exceptions import FieldDoesNotExist
from django.db import connections, router, transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from casereviews.api.models import ApiToken
from casereviews.core.audit import audit_record
from casereviews.core.files import blob_path
from casereviews.core.models import SecurityAlert, UploadRecord
from casereviews.frameworks.engine import open_states
from casereviews.frameworks.services import get_framework
from casereviews.partnerships.models import Partnership
from casereviews.publication.models import CaseKey, RedactionFinding, ReportRequest, RequestStatus
from casereviews.publication.services import link_max_age
from casereviews.referrals.models import Attachment, Referral
from casereviews.retention.models import RetentionHold
from casereviews.retention.policy import RecordKind, retention_kind
from casereviews.reviews.models import ContributionFile, DraftComment, DraftVersion, Review, ReviewStatus
from casereviews.search.models import SavedSearch

logger = logging.getLogger(__name__)

# What an anonymised draft is called instead of its uploaded file name, which may name the child, and what an
# anonymised request shows where the requester's name was (the staff list links to a request by that name).
REMOVED_DRAFT_NAME = "removed under the retention schedule"
REMOVED_REQUESTER_NAME = "Removed under the retention schedule"


@dataclass
class Due:
    keys: list[Any]  # primary keys (session keys for sessions: never written anywhere)
    held: int = 0  # past the period but kept because still needed (a hold, an open review)


@dataclass
class KindOutcome:
    key: str
    name: str
    action: str
    count: int
    ids: str = ""
    held: int = 0
    failed: str = ""

    def describe(self, *, dry_run: bool = False) -> str:
        if self.failed:
            return f"{self.key}: failed ({self.failed}); nothing of this kind was changed"
        verb = f"would be {self.action}" if dry_run else self.action
        text = f"{self.key}: {self.count} {verb}"
        if self.ids:
            text += f" (ids {self.ids})"
        if self.held:
            text += f"; {self.held} past the period kept because still needed"
        return text


@dataclass
class RetentionRun:
    paused: bool
    dry_run: bool
    outcomes: list[KindOutcome] = field(default_factory=list)

    def summary(self) -> str:
        if self.paused:
            return "paused by RETENTION_PAUSED: nothing deleted"
        acted = [outcome for outcome in self.outcomes if outcome.count or outcome.failed or outcome.held]
        if not acted:
            return "nothing past its retention period"
        return "; ".join(outcome.describe(dry_run=self.dry_run) for outcome in acted)

    @property
    def failed(self) -> list[KindOutcome]:
        return [outcome for outcome in self.outcomes if outcome.failed]


def compact_ids(keys: Iterable[Any]) -> str:
    """Ids as ranges ("3-7, 12"), so that a run deleting thousands of rows still writes a short audit entry.
    Ids that are not numbers (a task's UUID) are listed as they are."""
    keys = list(keys)
    if not all(isinstance(key, int) for key in keys):
        return ", ".join(sorted(str(key) for key in keys))
    numbers = sorted(keys)
    parts: list[str] = []
    start = previous = None
    for number in numbers:
        if previous is not None and number == previous + 1:
            previous = number
            continue
        if start is not None:
            parts.append(str(start) if start == previous else f"{start}-{previous}")
        start = previous = number
    if start is not None:
        parts.append(str(start) if start == previous else f"{start}-{previous}")
    return ", ".join(parts)


def _start_of(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of `day`, local time: a moment before it falls on an earlier local day."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _cutoff(kind: RecordKind, today: datetime.date) -> datetime.date:
    assert kind.period is not None  # only kinds with a period call it
    return kind.period.cutoff(today)


# -- stored files ---------------------------------------------------------------------------------------------------

# The fields that name a stored file by its hash (casereviews.core.files); page and scan fingerprints are not files.
_BLOB_FIELDS = ("sha256", "file_sha256")


def _blob_in_use(sha256: str) -> bool:
    for model in apps.get_models():
        for name in _BLOB_FIELDS:
            try:
                model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if model._base_manager.filter(**{name: sha256}).exists():
                return True
    return False


def _forget_blobs(sha256s: Iterable[str]) -> None:
    """After the deletion commits, remove each stored file no row names any more."""
    candidates = sorted({sha for sha in sha256s if sha})
    if not candidates:
        return

    def remove() -> None:
        for sha in candidates:
            if not _blob_in_use(sha):
                blob_path(sha).unlink(missing_ok=True)

    transaction.on_commit(remove)


# -- the kinds ------------------------------------------------------------------------------------------------------


def _closed_referrals_due(kind: RecordKind, today: datetime.date, now: datetime.datetime) -> Due:
    cutoff = _cutoff(kind, today)
    # A decision that chose a review (local or national) makes the referral part of that review's record, even
    # when the review is not run in this system.
    candidates = Referral.objects.filter(review__isnull=True).filter(
        Q(decision__isnull=True) | Q(decision__review_type="")
    )
    held = set(RetentionHold.objects.filter(lifted_at__isnull=True).values_list("referral_id", flat=True))
    due = Due([])
    codes = candidates.order_by().values_list("framework_code", flat=True).distinct()
    for code in codes:
        framework = get_framework(code)
        still_open = open_states(framework)
        closing = [f"transition:{t.id}" for t in framework.transitions if t.to not in still_open]
        rows = (
            candidates.filter(framework_code=code)
            .exclude(state__in=still_open)
            .annotate(closed_on=Max("events__occurred_on", filter=Q(events__name__in=closing)))
            .values_list("pk", "closed_on", "updated_at")
        )
        for pk, closed_on, updated_at in rows:
            if (closed_on or timezone.localdate(updated_at)) >= cutoff:
                continue
            if pk in held:
                due.held += 1
            else:
                due.keys.append(pk)
    due.keys.sort()
    return due


def _closed_referrals_act(keys: list[Any], today: datetime.date, now: datetime.datetime) -> list[Any]:
    locked = list(Referral.objects.select_for_update().filter(pk__in=keys).values_list("pk", flat=True))
    # A hold placed since the referral was found due (the admin, a moment ago) still keeps it.
    held = set(held_referrals(locked))
    locked = [pk for pk in locked if pk not in held]
    files = list(Attachment.objects.filter(referral_id__in=locked).values_list("sha256", flat=True))
    Referral.objects.filter(pk__in=locked).delete()
    _forget_blobs(files)
    return locked


def held_referrals(referral_ids: Iterable[Any]) -> list[Any]:
    """Those of these referrals a legal hold in force keeps."""
    held = RetentionHold.objects.filter(referral_id__in=list(referral_ids), lifted_at__isnull=True)
    return list(held.values_list("referral_id", flat=True))


def _review_closed_on(review: Review) -> datetime.date:
    publication = getattr(review, "publication", None)
    if review.status == ReviewStatus.ON_REQUEST and publication is not None and publication.closed_on:
        return publication.closed_on
    return review.completed_on or timezone.localdate(review.updated_at)


def _has_working_papers(review: Review) -> bool:
    return (
        DraftVersion.objects.filter(review=review).exclude(sha256="").exists()
        or DraftComment.objects.filter(draft__review=review).exists()
        or ContributionFile.objects.filter(request__review=review).exists()
        or any(CaseKey.objects.filter(review=review).values_list("deny_list", flat=True))
        or RedactionFinding.objects.filter(review=review).exclude(text="").exists()
    )


def _review_working_papers_due(kind: RecordKind, today: datetime.date, now: datetime.datetime) -> Due:
    cutoff = _cutoff(kind, today)
    due = Due([])
    closed = Review.objects.filter(status__in=[ReviewStatus.ON_REQUEST, ReviewStatus.NOT_PUBLISHED])
    for review in closed.select_related("publication").order_by("pk"):
        if _review_closed_on(review) >= cutoff or not _has_working_papers(review):
            continue
        # A hold not yet ended (or ending in the future) means proceedings may still need the papers.
        if review.holds.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today)).exists():
            due.held += 1
            continue
        due.keys.append(review.pk)
    return due


def _review_working_papers_act(keys: list[Any], today: datetime.date, now: datetime.datetime) -> list[Any]:
    locked = list(Review.objects.select_for_update().filter(pk__in=keys).values_list("pk", flat=True))
    # Another run that held the lock first may have done it already: then there is nothing to do or to audit.
    locked = [pk for pk in locked if _has_working_papers(Review(pk=pk))]
    drafts = DraftVersion.objects.filter(review_id__in=locked)
    contribution_files = ContributionFile.objects.filter(request__review_id__in=locked)
    files = [*drafts.values_list("sha256", flat=True), *contribution_files.values_list("sha256", flat=True)]
    # The draft rows stay: quality assurance and the publication point at them, and their number and date are part
    # of the review's record. Their text and their file (which may name the child) go.
    drafts.update(pages=[], note="", filename=REMOVED_DRAFT_NAME, sha256="")
    DraftComment.objects.filter(draft__review_id__in=locked).delete()
    contribution_files.delete()
    CaseKey.objects.filter(review_id__in=locked).update(deny_list=[])
    RedactionFinding.objects.filter(review_id__in=locked).exclude(text="").update(text="")
    _forget_blobs(files)
    return locked


def _report_requests_due(kind: RecordKind, today: datetime.date, now: datetime.datetime) -> Due:
    # Never while the e-mailed download link could still be used: the link is checked against the request.
    before = min(_start_of(_cutoff(kind, today)), now - link_max_age())
    keys = (
        ReportRequest.objects.exclude(status=RequestStatus.PENDING)
        .exclude(email="")
        .filter(decided_at__lt=before)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return Due(list(keys))


def _report_requests_act(keys: list[Any], today: datetime.date, now: datetime.datetime) -> list[Any]:
    requests = ReportRequest.objects.select_for_update().filter(pk__in=keys).exclude(email="")
    locked = list(requests.values_list("pk", flat=True))
    ReportRequest.objects.filter(pk__in=locked).update(
        name=REMOVED_REQUESTER_NAME,
        email="",
        organisation="",
        reason="",
        ip_address=None,
        refusal_reason="",
        version=F("version") + 1,
    )
    return locked


def _unconfirmed_alerts(kind: RecordKind, today: datetime.date, now: datetime.datetime) -> Any:
    return SavedSearch.objects.filter(confirmed_at__isnull=True, created_at__lt=_start_of(_cutoff(kind, today)))


def _stopped_alerts(kind: RecordKind, today: datetime.date, now: datetime.datetime) -> Any:
    return SavedSearch.objects.filter(unsubscribed_at__lt=_start_of(_cutoff(kind, today)))


def _upload_records(kind: RecordKind, today: datetime.date, now: datetime.datetime) -> Any:
    return UploadRecord.objects.filter(at__lt=_start_of(_cutoff(kind, today)))


def _security_alerts(kind: RecordKind, today: datetime.date, now: datetime.datetime) -> Any:
    # The watch reads past alerts so as not to repeat them; never take one whose window it may still look at.
    lookback = datetime.timedelta(minutes=settings.SCHEDULE_INTERVAL_MINUTES + settings.SECURITY_WATCH_WINDOW_MINUTES)
    return SecurityAlert.objects.filter(sent_at__lt=_start_of(_cutoff(kind, today)), window_end__lt=now - lookback)


def _api_tokens(kind: RecordKind, today: datetime.date, now: datetime.datetime) -> Any:
    before = _start_of(_cutoff(kind, today))
    return ApiToken.objects.filter(Q(revoked_at__lt=before) | Q(expires_at__lt=before))


def _task_results(kind: RecordKind, today: datetime.date, now: datetime.datetime) -> Any:
    return DBTaskResult.objects.finished().filter(finished_at__lt=_start_of(_cutoff(kind, today)))


def _expired_sessions_due(kind: RecordKind, today: datetime.date, now: datetime.datetime) -> Due:
    expired = list(Session.objects.filter(expire_date__lt=now).values_list("session_key", flat=True))
    live = Session.objects.filter(expire_date__gte=now).values("session_key")
    orphaned = UserSession.objects.exclude(session_key__in=live)
    return Due(expired + [f"user-session:{pk}" for pk in orphaned.values_list("pk", flat=True)])


def _expired_sessions_act(keys: list[Any], today: datetime.date, now: datetime.datetime) -> list[Any]:
    sessions = [key for key in keys if not key.startswith("user-session:")]
    user_sessions = [int(key.split(":", 1)[1]) for key in keys if key.startswith("user-session:")]
    expired = Session.objects.filter(session_key__in=sessions, expire_date__lt=now)
    gone = UserSession.objects.filter(pk__in=user_sessions).exclude(
        session_key__in=Session.objects.filter(expire_date__gte=now).values("session_key")
    )
    acted = [*expired.values_list("session_key", flat=True)]
    acted += [f"user-session:{pk}" for pk in gone.values_list("pk", flat=True)]
    expired.delete()
    gone.delete()
    return acted


def _cache_table() -> tuple[str, str] | None:
    cache = caches["default"]
    if not isinstance(cache, DatabaseCache):
        return None
    return router.db_for_write(cache.cache_model_class), str(settings.CACHES["default"]["LOCATION"])


def _expired_cache_entries_due(kind: RecordKind, today: datetime.date, now: datetime.datetime) -> Due:
    table = _cache_table()
    if table is None:
        return Due([])
    alias, name = table
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM {connection.ops.quote_name(name)} WHERE {connection.ops.quote_name('expires')} < %s",  # noqa: S608 - the table name is our own setting, quoted
            [connection.ops.adapt_datetimefield_value(now.replace(microsecond=0))],
        )
        count = cursor.fetchone()[0]
    return Due(list(range(count)))


def _expired_cache_entries_act(keys: list[Any], today: datetime.date, now: datetime.datetime) -> list[Any]:
    table = _cache_table()
    if table is None:
        return []
    alias, name = table
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {connection.ops.quote_name(name)} WHERE {connection.ops.quote_name('expires')} < %s",  # noqa: S608 - as above
            [connection.ops.adapt_datetimefield_value(now.replace(microsecond=0))],
        )
        # Cache keys mean nothing to a reader (and some name an account): only how many is kept.
        return list(range(cursor.rowcount))


@dataclass(frozen=True)
class _Handler:
    action: str
    due: Callable[[RecordKind, datetime.date, datetime.datetime], Due]
    act: Callable[[list[Any], datetime.date, datetime.datetime], list[Any]]
    # False where a key is a secret (a session's key) or means nothing (a cache entry): only the count is recorded.
    record_ids: bool = True
    # For a partnership's own records: each key's partnership, so that each partnership's business manager finds
    # the deletion of its records in their own audit log (the audit log page shows a partnership's entries only).
    partnerships: Callable[[list[Any]], dict[Any, int]] | None = None


def _deleted(model: Any, query: Callable[[RecordKind, datetime.date, datetime.datetime], Any]) -> _Handler:
    """A kind that is simply deleted: the rows of `model` that `query` selects."""

    def due(kind: RecordKind, today: datetime.date, now: datetime.datetime) -> Due:
        return Due(list(query(kind, today, now).order_by("pk").values_list("pk", flat=True)))

    def act(keys: list[Any], today: datetime.date, now: datetime.datetime) -> list[Any]:
        locked = list(model.objects.select_for_update().filter(pk__in=keys).values_list("pk", flat=True))
        model.objects.filter(pk__in=locked).delete()
        return locked

    return _Handler("deleted", due, act)


def _partnerships_of(model: Any, path: str) -> Callable[[list[Any]], dict[Any, int]]:
    def partnerships(keys: list[Any]) -> dict[Any, int]:
        return dict(model.objects.filter(pk__in=keys).values_list("pk", path))

    return partnerships


HANDLERS: dict[str, _Handler] = {
    "closed_referrals": _Handler(
        "deleted",
        _closed_referrals_due,
        _closed_referrals_act,
        partnerships=_partnerships_of(Referral, "partnership_id"),
    ),
    "review_working_papers": _Handler(
        "deleted",
        _review_working_papers_due,
        _review_working_papers_act,
        partnerships=_partnerships_of(Review, "partnership_id"),
    ),
    "report_requests": _Handler(
        "anonymised",
        _report_requests_due,
        _report_requests_act,
        partnerships=_partnerships_of(ReportRequest, "publication__review__partnership_id"),
    ),
    "unconfirmed_alerts": _deleted(SavedSearch, _unconfirmed_alerts),
    "stopped_alerts": _deleted(SavedSearch, _stopped_alerts),
    "upload_records": _deleted(UploadRecord, _upload_records),
    "security_alerts": _deleted(SecurityAlert, _security_alerts),
    "api_tokens": _deleted(ApiToken, _api_tokens),
    "task_results": _deleted(DBTaskResult, _task_results),
    "expired_sessions": _Handler("deleted", _expired_sessions_due, _expired_sessions_act, record_ids=False),
    "expired_cache_entries": _Handler(
        "deleted", _expired_cache_entries_due, _expired_cache_entries_act, record_ids=False
    ),
}


def _apply_kind(
    key: str, handler: _Handler, *, today: datetime.date, now: datetime.datetime, dry_run: bool
) -> KindOutcome:
    kind = retention_kind(key)
    with transaction.atomic():
        due = handler.due(kind, today, now)
        outcome = KindOutcome(key, kind.name, handler.action, len(due.keys), held=due.held)
        if handler.record_ids:
            outcome.ids = compact_ids(due.keys)
        if dry_run or not due.keys:
            return outcome
        # Read before acting: a deleted row no longer says whose it was.
        owners = handler.partnerships(due.keys) if handler.partnerships else {}
        acted = handler.act(due.keys, today, now)
        outcome.count = len(acted)
        outcome.ids = compact_ids(acted) if handler.record_ids else ""
        groups: dict[int | None, list[Any]] = {}
        for acted_key in acted:
            groups.setdefault(owners.get(acted_key), []).append(acted_key)
        partnerships = Partnership.objects.in_bulk([owner for owner in groups if owner is not None])
        for owner, keys in sorted(groups.items(), key=lambda group: group[0] or 0):
            _audit(kind, handler, keys, today=today, partnership=partnerships.get(owner) if owner else None)
    return outcome


def _audit(
    kind: RecordKind, handler: _Handler, keys: list[Any], *, today: datetime.date, partnership: Partnership | None
) -> None:
    """One entry per run and kind (and, for a partnership's records, per partnership): how many, which ids."""
    ids = compact_ids(keys) if handler.record_ids else ""
    audit_record(
        actor=None,
        action="retention.apply",
        summary=(
            f"Retention schedule: {handler.action} {len(keys)} of “{kind.name}” "
            f"(kept {kind.kept_for_text[:1].lower()}{kind.kept_for_text[1:]})"
            + (f": ids {ids}" if ids else "")
        ),
        partnership=partnership,
        changes={
            "kind": kind.key,
            "action": handler.action,
            "count": len(keys),
            "ids": ids if handler.record_ids else "not recorded",
            "period": str(kind.period) if kind.period else "until expiry",
            "as_of": today.isoformat(),
        },
    )


def retention_apply(
    *, today: datetime.date, now: datetime.datetime | None = None, dry_run: bool = False, only: list[str] | None = None
) -> RetentionRun:
    """Delete or anonymise everything past its period as of `today` (timestamps: `now`, for what expires by the
    moment). Each kind in its own transaction; a failing kind is logged and reported, and the others still run."""
    now = now or timezone.now()
    run = RetentionRun(paused=settings.RETENTION_PAUSED and not dry_run, dry_run=dry_run)
    if run.paused:
        return run
    for key, handler in HANDLERS.items():
        if only and key not in only:
            continue
        try:
            run.outcomes.append(_apply_kind(key, handler, today=today, now=now, dry_run=dry_run))
        except Exception as error:  # one kind's failure must not stop the others; the next run tries it again
            logger.exception("retention of %s failed", key)
            run.outcomes.append(KindOutcome(key, retention_kind(key).name, handler.action, 0, failed=str(error)))
    return run
