"""What the learning outputs are built from and what they produce.

`AnalysisRecord` is a compact copy of each analysed report's human-confirmed values, one row per report, kept in
step with the library by `signals` (every decision and every run of extraction refreshes its report's row), so
that every table of the analysis is one indexed read of at most one row per report. Multi-valued codes are kept as
space-separated text: codes never contain spaces (vocabulary.py) and splitting is the cheapest decoding there is.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from casereviews.library.models import Report
from casereviews.partnerships.models import Partnership


class AnalysisRecord(models.Model):
    report = models.OneToOneField(Report, on_delete=models.CASCADE, primary_key=True, related_name="analysis")
    title = models.CharField(max_length=500)
    year_published = models.PositiveSmallIntegerField(null=True, blank=True, db_index=True)
    year_incident = models.PositiveSmallIntegerField(null=True, blank=True)
    partnership = models.ForeignKey(Partnership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    partnership_name = models.CharField(max_length=200, blank=True)
    nation = models.CharField(max_length=20, blank=True)
    region = models.CharField(max_length=100, blank=True)
    framework = models.CharField(max_length=50, blank=True)
    review_type = models.CharField(max_length=200, blank=True)
    outcome = models.CharField(max_length=30, blank=True)
    death_category = models.CharField(max_length=30, blank=True)
    age_band = models.CharField(max_length=20, blank=True)
    sex = models.CharField(max_length=20, blank=True)
    ethnicity = models.CharField(max_length=200, blank=True)
    harm_source = models.CharField(max_length=30, blank=True)
    social_care = models.CharField(max_length=30, blank=True)
    harm_types = models.TextField(blank=True)
    risk_factors = models.TextField(blank=True)
    practice_themes = models.TextField(blank=True)
    sectors = models.TextField(blank=True)
    # Fields with a machine proposal still waiting for a person: "unconfirmed", as opposed to "not known".
    pending = models.TextField(blank=True)
    # True once a person has decided on any value of the report: before that, an empty code list means
    # "not looked at", not "none found".
    reviewed = models.BooleanField(default=False)
    refreshed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["report"]
        indexes = [models.Index(fields=["nation", "region"], name="analysis_nation_region")]

    def __str__(self) -> str:
        return self.title


class BriefingStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"
    PUBLISHED = "published", "Published"


class Briefing(models.Model):
    """A thematic or sector briefing drafted from the confirmed library, edited and approved by people.

    `content` holds the sections as drafted and edited: {"sections": [{"key", "heading", "statements":
    [{"text", "citations": [{"report", "value", "page", "quote", "title"}]}]}]}; `notes` explains how the draft
    was made. A published briefing is a public page and downloads."""

    slug = models.SlugField(max_length=120, unique=True)
    title = models.CharField(max_length=300)
    theme_kind = models.CharField(max_length=30)  # risk_factor, practice_theme, age_band, harm_type, sector
    theme_code = models.CharField(max_length=50)
    published_from = models.PositiveSmallIntegerField(null=True, blank=True)
    published_to = models.PositiveSmallIntegerField(null=True, blank=True)
    # Null for a national analyst's briefing; a business manager's belongs to their partnership.
    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    summary = models.TextField(blank=True)
    content = models.JSONField(default=dict)
    notes = models.TextField(blank=True)
    sample = models.JSONField(default=list)  # report ids, in the order the briefing lists them
    status = models.CharField(max_length=20, choices=BriefingStatus.choices, default=BriefingStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    edited_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title
