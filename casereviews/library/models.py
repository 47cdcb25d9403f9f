"""Published reports in the library, their text, and what the extraction pipeline proposes about them.

Every machine-extracted value is an `ExtractedValue` that stays a proposal until a named person accepts,
corrects or rejects it; a re-run of extraction changes proposals and never a human decision.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone


class ReportStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to be analysed"
    PROCESSING = "processing", "Being analysed"
    READY = "ready", "Ready for review"
    FAILED = "failed", "Analysis failed"


class Report(models.Model):
    sha256 = models.CharField(max_length=64, unique=True)
    filename = models.CharField(max_length=255)
    # The title as it currently stands (proposal or human decision), kept here so lists need no join.
    title = models.CharField(max_length=500, blank=True)
    media_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    source = models.CharField(max_length=30, default="upload")  # upload, api, command, demo
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    # The text exactly as read; every offset (pages, evidence, PII findings) indexes into it.
    text = models.TextField()
    page_count = models.PositiveIntegerField()
    read_warnings = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=20, choices=ReportStatus.choices, default=ReportStatus.QUEUED,
                              db_index=True)
    progress = models.PositiveSmallIntegerField(default=0)  # percent, for the progress shown to people
    attempts = models.PositiveSmallIntegerField(default=0)
    processing_started_at = models.DateTimeField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    failure_reason = models.TextField(blank=True)
    pii_findings = models.JSONField(default=list, blank=True)
    sections = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return self.title or self.filename


class ReportPage(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="pages")
    number = models.PositiveIntegerField()
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()

    class Meta:
        ordering = ["report", "number"]
        constraints = [models.UniqueConstraint(fields=["report", "number"], name="one_page_number_per_report")]

    def __str__(self) -> str:
        return f"{self.report_id} p{self.number}"


class ValueStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    ACCEPTED = "accepted", "Accepted"
    CORRECTED = "corrected", "Corrected"
    REJECTED = "rejected", "Rejected"


HUMAN_DECISIONS = {ValueStatus.ACCEPTED, ValueStatus.CORRECTED, ValueStatus.REJECTED}


class ExtractedValue(models.Model):
    """One field (`child.age_years`), one code of a list field (`risk_factors` / `domestic_abuse`), or one
    recommendation or finding (`recommendations` / `3`)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="values")
    field = models.CharField(max_length=50)
    key = models.CharField(max_length=100, blank=True)
    proposed_value = models.JSONField(null=True, blank=True)  # what the machine last proposed
    corrected_value = models.JSONField(null=True, blank=True)  # what a person said instead
    evidence = models.JSONField(default=list, blank=True)  # [{"page", "start", "end", "quote"}]
    status = models.CharField(max_length=20, choices=ValueStatus.choices, default=ValueStatus.PROPOSED)
    machine_present = models.BooleanField(default=True)  # False: the latest run no longer proposes it
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["report", "field", "key"]
        constraints = [models.UniqueConstraint(fields=["report", "field", "key"], name="one_value_per_field_key")]

    def __str__(self) -> str:
        return f"{self.field}{'/' + self.key if self.key else ''}: {self.current!r} ({self.status})"

    @property
    def current(self) -> Any:
        """The value as it stands: a person's correction, else the machine's proposal; None when rejected."""
        if self.status == ValueStatus.REJECTED:
            return None
        if self.status == ValueStatus.CORRECTED:
            return self.corrected_value
        return self.proposed_value

    @property
    def is_confirmed(self) -> bool:
        return self.status in {ValueStatus.ACCEPTED, ValueStatus.CORRECTED}
