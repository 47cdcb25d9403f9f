"""Publishing a review without harming a child: the case key, the redaction gate, the publication and its window,
and requests for the report once the window has closed.

The case key holds the case's real identifiers. It is confidential to the partnership's business manager and
chair, is never shown publicly and never written to a log or an e-mail; every view of it is audited.

Each `RedactionFinding` belongs to one draft: its offsets index that draft's page text. A person's decision
(redact, or keep with a reason) is never changed by a later scan; when the final draft changes, a decision is
carried to an identical finding of the new draft (same page text, same offsets, same text) and to nothing else.
"""

from __future__ import annotations

import datetime
import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone

from casereviews.library.models import Report
from casereviews.reviews.models import DraftVersion, Review


def page_fingerprint(page_text: str) -> str:
    return hashlib.sha256(page_text.encode("utf-8")).hexdigest()


def pages_fingerprint(pages: list[str]) -> str:
    return hashlib.sha256("\f".join(pages).encode("utf-8")).hexdigest()


class CaseKey(models.Model):
    """The deny list (the case's real names, addresses, dates of birth, schools) and the allow list (its
    pseudonym key) that the redaction scan uses for this review."""

    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="case_key")
    deny_list = models.JSONField(default=list, blank=True)
    allow_list = models.JSONField(default=list, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Case key of {self.review.reference}"


class ScanStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Scanning"
    DONE = "done", "Finished"
    FAILED = "failed", "Failed"


class RedactionScan(models.Model):
    """One run of the PII scanner over a final draft, with the case key as it stood."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="redaction_scans")
    draft = models.ForeignKey(DraftVersion, on_delete=models.CASCADE, related_name="redaction_scans")
    # What was scanned: the draft's pages and the case key's version. A scan of anything else is stale.
    pages_sha256 = models.CharField(max_length=64)
    case_key_version = models.PositiveIntegerField(default=0)  # 0: there was no case key
    status = models.CharField(max_length=20, choices=ScanStatus.choices, default=ScanStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    finding_count = models.PositiveIntegerField(default=0)
    failure_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"Scan {self.pk} of {self.review.reference} draft {self.draft.number}"

    @property
    def is_finished(self) -> bool:
        return self.status in {ScanStatus.DONE, ScanStatus.FAILED}


class FindingSource(models.TextChoices):
    SCANNER = "scanner", "Found by the scanner"
    MANUAL = "manual", "Added by a person"


class FindingDecision(models.TextChoices):
    PENDING = "pending", "Not yet decided"
    REDACT = "redact", "Redact"
    KEEP = "keep", "Keep"


DEFAULT_REDACTION_LABEL = "[redacted]"


class RedactionFinding(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="redaction_findings")
    draft = models.ForeignKey(DraftVersion, on_delete=models.CASCADE, related_name="redaction_findings")
    page = models.PositiveIntegerField()  # 1-based
    page_sha256 = models.CharField(max_length=64)
    start = models.PositiveIntegerField()  # offsets into the page's text
    end = models.PositiveIntegerField()
    text = models.TextField()
    type = models.CharField(max_length=30)
    score = models.FloatField(default=1.0)
    source = models.CharField(max_length=20, choices=FindingSource.choices, default=FindingSource.SCANNER)
    machine_present = models.BooleanField(default=True)  # False: the latest scan no longer reports it
    decision = models.CharField(max_length=20, choices=FindingDecision.choices, default=FindingDecision.PENDING)
    replacement = models.CharField(max_length=60, blank=True)  # the label printed in place of redacted text
    reason = models.TextField(blank=True)  # why it is kept (required) or redacted (optional)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    carried_from = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["draft", "page", "start", "end", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["draft", "page", "start", "end"], name="one_finding_per_span_per_draft"),
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="finding_span_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.type} on page {self.page} of {self.review.reference} draft {self.draft_id}"

    @property
    def is_decided(self) -> bool:
        return self.decision != FindingDecision.PENDING

    @property
    def label(self) -> str:
        return self.replacement or DEFAULT_REDACTION_LABEL


class Publication(models.Model):
    """A published review: what the public page shows, the file published, and its window."""

    review = models.OneToOneField(Review, on_delete=models.PROTECT, related_name="publication")
    slug = models.SlugField(max_length=120, unique=True)
    summary = models.TextField()
    published_on = models.DateField()
    # The last day the report is online; the next day the scheduled job makes it available on request only.
    window_ends_on = models.DateField(db_index=True)
    closed_on = models.DateField(null=True, blank=True)  # the day the scheduled job closed the window
    draft = models.ForeignKey(DraftVersion, on_delete=models.PROTECT, related_name="+")
    scan = models.ForeignKey(RedactionScan, on_delete=models.PROTECT, related_name="+")
    file_sha256 = models.CharField(max_length=64)
    file_size = models.PositiveBigIntegerField()
    page_count = models.PositiveIntegerField()
    redaction_count = models.PositiveIntegerField()
    library_report = models.OneToOneField(
        Report, on_delete=models.SET_NULL, null=True, blank=True, related_name="publication"
    )
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-published_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.review.pseudonym} ({self.review.partnership.name}, {self.published_on:%Y})"

    def is_window_open_on(self, today: datetime.date) -> bool:
        return self.closed_on is None and today <= self.window_ends_on

    @property
    def filename(self) -> str:
        return f"{self.slug}.pdf"


class RequestStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a decision"
    GRANTED = "granted", "Granted"
    REFUSED = "refused", "Refused"


class ReportRequest(models.Model):
    """A member of the public asking for a report after its publication window."""

    publication = models.ForeignKey(Publication, on_delete=models.PROTECT, related_name="requests")
    name = models.CharField(max_length=200)
    email = models.EmailField()
    organisation = models.CharField(max_length=200, blank=True)
    reason = models.TextField()
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=RequestStatus.choices, default=RequestStatus.PENDING)
    requested_at = models.DateTimeField(default=timezone.now, db_index=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    refusal_reason = models.TextField(blank=True)
    link_sent_at = models.DateTimeField(null=True, blank=True)
    download_count = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"Request {self.pk} for {self.publication.slug}"
