"""The review a chair decided on: who runs it, what it produced, and where it stands.

A review's status changes only through `reviews.services.review_status_change` (the one door), which checks
the step against `ALLOWED_STEPS`, writes the audit entry and bumps `version` so that a change made against
an older copy is refused.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

from casereviews.partnerships.models import Agency, Partnership


class ReviewStatus(models.TextChoices):
    SET_UP = "set_up", "Being set up"
    IN_PROGRESS = "in_progress", "In progress"
    QUALITY_ASSURANCE = "quality_assurance", "Quality assurance"
    SIGNED_OFF = "signed_off", "Signed off, preparing publication"
    PUBLISHED = "published", "Published"
    ON_REQUEST = "on_request", "Available on request"
    NOT_PUBLISHED = "not_published", "Not published"


# The only steps a review can take; anything else is refused by the one door. Going back from quality
# assurance to work in progress is allowed: QA often sends a draft back.
ALLOWED_STEPS: dict[str, frozenset[str]] = {
    ReviewStatus.SET_UP: frozenset({ReviewStatus.IN_PROGRESS}),
    ReviewStatus.IN_PROGRESS: frozenset({ReviewStatus.QUALITY_ASSURANCE}),
    ReviewStatus.QUALITY_ASSURANCE: frozenset({ReviewStatus.IN_PROGRESS, ReviewStatus.SIGNED_OFF}),
    ReviewStatus.SIGNED_OFF: frozenset({ReviewStatus.PUBLISHED, ReviewStatus.NOT_PUBLISHED}),
    ReviewStatus.PUBLISHED: frozenset({ReviewStatus.ON_REQUEST}),
    ReviewStatus.ON_REQUEST: frozenset(),
    ReviewStatus.NOT_PUBLISHED: frozenset(),
}

OPEN_STATUSES = frozenset(
    {ReviewStatus.SET_UP, ReviewStatus.IN_PROGRESS, ReviewStatus.QUALITY_ASSURANCE, ReviewStatus.SIGNED_OFF}
)


class Review(models.Model):
    reference = models.CharField(max_length=30, unique=True)
    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="reviews")
    # Null for a review commissioned without a referral in this system (e.g. one begun before it was in use).
    referral = models.OneToOneField(
        "referrals.Referral", on_delete=models.PROTECT, null=True, blank=True, related_name="review"
    )
    framework_code = models.CharField(max_length=50)
    review_type = models.CharField(max_length=50)  # an id from the framework's `review_types`
    title = models.CharField(max_length=300)
    pseudonym = models.CharField(max_length=100, help_text="The name the published report will use, e.g. 'Child T'")
    status = models.CharField(max_length=30, choices=ReviewStatus.choices, default=ReviewStatus.SET_UP, db_index=True)
    version = models.PositiveIntegerField(default=1)
    commissioned_on = models.DateField()
    target_completion_on = models.DateField(null=True, blank=True)
    completed_on = models.DateField(null=True, blank=True)
    agencies = models.ManyToManyField(Agency, blank=True, related_name="reviews")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-commissioned_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue_on(self, today: datetime.date) -> bool:
        return self.is_open and self.target_completion_on is not None and today > self.target_completion_on


class DraftVersion(models.Model):
    """One uploaded version of the report. The text is read once at upload, a page per list item, so that
    versions can be compared and the final one scanned before publication without reading the file again."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="drafts")
    number = models.PositiveIntegerField()
    filename = models.CharField(max_length=255)
    media_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    pages = models.JSONField(default=list)
    note = models.TextField(blank=True)
    # The version the chair signed off: the one that is redacted and published. At most one per review.
    is_final = models.BooleanField(default=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["review", "number"]
        constraints = [
            models.UniqueConstraint(fields=["review", "number"], name="one_draft_per_number"),
            models.UniqueConstraint(
                fields=["review"], condition=models.Q(is_final=True), name="one_final_draft_per_review"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.review.reference} draft {self.number}"

    @property
    def text(self) -> str:
        return "\f".join(self.pages)


class ReviewerAppointment(models.Model):
    """An independent lead reviewer appointed to a review, with their declaration of independence."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="appointments")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_appointments")
    appointed_on = models.DateField()
    declaration = models.TextField(help_text="The reviewer's declaration of their independence from the case")
    declared_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    appointed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["review", "appointed_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "reviewer"], condition=models.Q(ended_on__isnull=True), name="one_current_appointment"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} on {self.review.reference}"
