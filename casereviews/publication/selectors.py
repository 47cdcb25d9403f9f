"""Reads for publication: the state of a review's redaction gate, and published reviews for the public."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone

from casereviews.partnerships.models import Role, User
from casereviews.partnerships.selectors import partnerships_where
from casereviews.publication.models import (
    CaseKey,
    FindingDecision,
    Publication,
    RedactionFinding,
    RedactionScan,
    ReportRequest,
    ScanStatus,
    pages_fingerprint,
)
from casereviews.reviews.models import DraftVersion, Review, ReviewStatus
from casereviews.reviews.selectors import earliest_publication_date, publication_blockers

PUBLIC_STATUSES = (ReviewStatus.PUBLISHED, ReviewStatus.ON_REQUEST)


def final_draft(review: Review) -> DraftVersion | None:
    return review.drafts.filter(is_final=True).first()


def case_key_of(review: Review) -> CaseKey | None:
    return CaseKey.objects.filter(review=review).first()


def latest_scan(review: Review) -> RedactionScan | None:
    return review.redaction_scans.select_related("draft").first()


def findings_of(draft: DraftVersion) -> QuerySet[RedactionFinding]:
    return RedactionFinding.objects.filter(draft=draft).select_related("decided_by")


# A scan still queued or running after this long was left behind by a stopped worker and may be started again.
SCAN_ABANDONED_AFTER = datetime.timedelta(minutes=15)


def scan_is_abandoned(scan: RedactionScan) -> bool:
    return not scan.is_finished and scan.requested_at < timezone.now() - SCAN_ABANDONED_AFTER


def scan_is_running(scan: RedactionScan | None) -> bool:
    return scan is not None and not scan.is_finished and not scan_is_abandoned(scan)


def scan_staleness(review: Review, scan: RedactionScan | None, draft: DraftVersion | None) -> str:
    """Why the latest finished scan cannot be relied on for publication, or "" when it can (or when there is no
    final draft: the reviews app's blockers say so)."""
    if draft is None:
        return ""
    if scan is None:
        return "The final draft has not been scanned yet."
    if scan.status in {ScanStatus.QUEUED, ScanStatus.RUNNING}:
        if scan_is_abandoned(scan):
            return "The last scan did not finish (the task worker may have stopped). Scan again."
        return "The scan is still running."
    if scan.status == ScanStatus.FAILED:
        return f"The last scan failed ({scan.failure_reason}). Scan again."
    if scan.draft_id != draft.pk or scan.pages_sha256 != pages_fingerprint(draft.pages):
        return "The final draft has changed since the last scan. Scan it again."
    key = case_key_of(review)
    if (key.version if key else 0) != scan.case_key_version:
        return "The case key has changed since the last scan. Scan again so the new entries are looked for."
    return ""


@dataclass
class Gate:
    """Everything that stands between a signed-off review and its publication, for the page and the service."""

    review: Review
    draft: DraftVersion | None
    case_key: CaseKey | None
    scan: RedactionScan | None
    stale: str
    pending: int
    redacted: int
    kept: int
    blockers: list[str] = field(default_factory=list)
    earliest: datetime.date | None = None

    def problems(self) -> list[str]:
        """Everything that refuses publication today; the reviews app's blockers come first (sign-off, the board's
        response, the notice period, holds), then the redaction gate's."""
        problems = list(self.blockers)
        if self.review.status == ReviewStatus.SIGNED_OFF and self.draft is not None:
            if self.case_key is None or not self.case_key.deny_list:
                problems.append(
                    "Record the case key (the real names and details to look for) and scan the final draft."
                )
            elif self.stale:
                problems.append(self.stale)
            if self.pending:
                problems.append(
                    f"{self.pending} finding{'s' if self.pending != 1 else ''} still "
                    f"need{'' if self.pending != 1 else 's'} a decision: redact, or keep with a reason."
                )
        return problems


def gate_of(review: Review, today: datetime.date | None = None) -> Gate:
    today = today or timezone.localdate()
    draft = final_draft(review)
    scan = latest_scan(review)
    counts = {FindingDecision.PENDING: 0, FindingDecision.REDACT: 0, FindingDecision.KEEP: 0}
    if draft is not None:
        for decision in findings_of(draft).values_list("decision", flat=True):
            counts[FindingDecision(decision)] += 1
    return Gate(
        review=review,
        draft=draft,
        case_key=case_key_of(review),
        scan=scan,
        stale=scan_staleness(review, scan, draft),
        pending=counts[FindingDecision.PENDING],
        redacted=counts[FindingDecision.REDACT],
        kept=counts[FindingDecision.KEEP],
        blockers=publication_blockers(review, on=today),
        earliest=earliest_publication_date(review),
    )


def published_reviews() -> QuerySet[Publication]:
    """What anyone may see: reviews published and not withdrawn, newest first."""
    return Publication.objects.filter(review__status__in=PUBLIC_STATUSES).select_related(
        "review", "review__partnership", "library_report"
    )


def requests_visible_to(user: User) -> QuerySet[ReportRequest]:
    """Requests for reports of the partnerships where `user` is business manager."""
    partnerships = partnerships_where(user, {Role.BUSINESS_MANAGER})
    return ReportRequest.objects.filter(publication__review__partnership__in=partnerships).select_related(
        "publication", "publication__review", "publication__review__partnership", "decided_by"
    )


def reviews_awaiting_publication(user: User) -> QuerySet[Review]:
    """Signed-off reviews in the partnerships where `user` runs the redaction gate."""
    partnerships = partnerships_where(user, {Role.BUSINESS_MANAGER, Role.CHAIR})
    return Review.objects.filter(partnership__in=partnerships, status=ReviewStatus.SIGNED_OFF).select_related(
        "partnership"
    )
