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

# The statuses in which the review's own work is under way: its milestones and contributions can be overdue.
WORK_STATUSES = OPEN_STATUSES - {ReviewStatus.SIGNED_OFF}


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


class TermsOfReference(models.Model):
    """One version of the review's terms of reference; the latest is current, earlier ones are kept."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="terms_versions")
    number = models.PositiveIntegerField()
    text = models.TextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["review", "-number"]
        constraints = [models.UniqueConstraint(fields=["review", "number"], name="one_terms_version_per_number")]

    def __str__(self) -> str:
        return f"{self.review.reference} terms of reference v{self.number}"


class PanelMember(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="panel_members")
    name = models.CharField(max_length=200)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    organisation = models.CharField(max_length=200, blank=True, help_text="When not one of the partnership's agencies")
    role = models.CharField(max_length=200)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["review", "name", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.role})"

    @property
    def organisation_name(self) -> str:
        return self.agency.name if self.agency else self.organisation


class ContributionRequest(models.Model):
    """Information asked of one agency: its chronology and agency report, by a due date."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="contributions")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="contribution_requests")
    requested_on = models.DateField()
    due_on = models.DateField()
    what_is_asked = models.TextField()
    received_on = models.DateField(null=True, blank=True)
    received_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["review", "due_on", "pk"]
        constraints = [models.UniqueConstraint(fields=["review", "agency"], name="one_contribution_request_per_agency")]

    def __str__(self) -> str:
        return f"{self.review.reference}: {self.agency}"

    def is_overdue_on(self, today: datetime.date) -> bool:
        return self.received_on is None and today > self.due_on


class ContributionFileKind(models.TextChoices):
    CHRONOLOGY = "chronology", "Chronology"
    AGENCY_REPORT = "agency_report", "Agency report"


class ContributionFile(models.Model):
    request = models.ForeignKey(ContributionRequest, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(max_length=20, choices=ContributionFileKind.choices)
    filename = models.CharField(max_length=255)
    media_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["request", "kind", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.filename


class PractitionerEvent(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="practitioner_events")
    held_on = models.DateField()
    title = models.CharField(max_length=200)
    attendees = models.TextField(help_text="Who took part (roles and agencies)")
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["review", "held_on", "pk"]

    def __str__(self) -> str:
        return f"{self.title} ({self.held_on})"


class FamilyInvolvementOutcome(models.TextChoices):
    TOOK_PART = "took_part", "Took part"
    INVITED = "invited", "Invited, no reply yet"
    DECLINED = "declined", "Declined"


class FamilyInvolvement(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="family_involvement")
    on = models.DateField()
    family_member = models.CharField(max_length=200, help_text="Their relationship to the child, not their name")
    outcome = models.CharField(max_length=20, choices=FamilyInvolvementOutcome.choices)
    declined_reason = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["review", "on", "pk"]
        verbose_name_plural = "family involvement"

    def __str__(self) -> str:
        return f"{self.family_member}: {self.get_outcome_display()}"


class HoldKind(models.TextChoices):
    CRIMINAL_TRIAL = "criminal_trial", "Criminal proceedings"
    INQUEST = "inquest", "Inquest"
    OTHER = "other", "Other parallel process"


class Hold(models.Model):
    """A pause for parallel proceedings. From `starts_on` to `ends_on` inclusive (open while `ends_on` is None)
    the publication clock stands still."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="holds")
    kind = models.CharField(max_length=20, choices=HoldKind.choices)
    reason = models.TextField()
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    end_note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["review", "starts_on", "pk"]

    def __str__(self) -> str:
        return f"{self.review.reference}: {self.get_kind_display()} from {self.starts_on}"

    def is_active_on(self, day: datetime.date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)


class MilestoneKind(models.TextChoices):
    COMMISSIONED = "commissioned", "Review commissioned"
    REVIEWERS_APPOINTED = "reviewers_appointed", "Lead reviewers appointed"
    CONTRIBUTIONS_RECEIVED = "contributions_received", "Agency contributions received"
    FIRST_DRAFT = "first_draft", "First draft received"
    QA_COMPLETE = "qa_complete", "Quality assurance complete"
    SIGNED_OFF = "signed_off", "Report signed off"


class Milestone(models.Model):
    """A step of the review plan, due by a date set at commissioning from the review type's target, and
    reached when the services record the event that reaches it."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="milestones")
    kind = models.CharField(max_length=30, choices=MilestoneKind.choices)
    due_on = models.DateField()
    reached_on = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)  # a re-plan form showing an older date is refused

    class Meta:
        ordering = ["review", "due_on", "pk"]
        constraints = [models.UniqueConstraint(fields=["review", "kind"], name="one_milestone_of_each_kind")]

    def __str__(self) -> str:
        return f"{self.review.reference}: {self.get_kind_display()}"

    def is_overdue_on(self, today: datetime.date) -> bool:
        return self.reached_on is None and today > self.due_on


class DraftComment(models.Model):
    draft = models.ForeignKey(DraftVersion, on_delete=models.CASCADE, related_name="comments")
    page = models.PositiveIntegerField(null=True, blank=True)  # None: about the whole draft
    text = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["draft", "created_at", "pk"]

    def __str__(self) -> str:
        return f"Comment on {self.draft}"


class QaSubmission(models.Model):
    """A draft put to quality assurance, and what QA did with it: returned with reasons, or still with QA."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="qa_submissions")
    draft = models.ForeignKey(DraftVersion, on_delete=models.PROTECT, related_name="qa_submissions")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(default=timezone.now)
    returned_at = models.DateTimeField(null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    return_reasons = models.TextField(blank=True)

    class Meta:
        ordering = ["review", "-submitted_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.draft} submitted for QA"


class MarkerAnswer(models.TextChoices):
    MET = "met", "Met"
    PARTLY_MET = "partly_met", "Partly met"
    NOT_MET = "not_met", "Not met"
    NOT_APPLICABLE = "not_applicable", "Not applicable"


class MarkerAssessment(models.Model):
    """The sub-group's answer to one quality marker, its evidence, and its sign-off. Changing the answer or
    the evidence withdraws the sign-off: what was signed off is what is recorded."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="marker_assessments")
    marker = models.PositiveSmallIntegerField()
    answer = models.CharField(max_length=20, choices=MarkerAnswer.choices)
    evidence = models.TextField()
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField(default=timezone.now)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)
    # Optimistic locking: the form carries the version it showed, so a stale answer or sign-off is refused.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["review", "marker"]
        constraints = [models.UniqueConstraint(fields=["review", "marker"], name="one_assessment_per_marker")]

    def __str__(self) -> str:
        return f"{self.review.reference}: marker {self.marker}"

    @property
    def is_signed_off(self) -> bool:
        return self.signed_off_at is not None


class WrittenResponse(models.Model):
    """The board's written response to the report, as text, a file, or both. Replacing it keeps the audit trail."""

    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="written_response")
    text = models.TextField(blank=True)
    filename = models.CharField(max_length=255, blank=True)
    media_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    agreed_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.review.reference}: board's written response"


class Dispatch(models.Model):
    """The final report and the board's response sent to one of the framework's notice recipients."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="dispatches")
    recipient = models.CharField(max_length=200)  # one of the framework's `publication.notice_recipients`
    sent_on = models.DateField()
    method = models.CharField(max_length=200)
    reference = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["review", "sent_on", "pk"]
        verbose_name_plural = "dispatches"

    def __str__(self) -> str:
        return f"{self.review.reference} sent to {self.recipient} on {self.sent_on}"


class NonPublicationProposal(models.Model):
    """The board's proposal not to publish, the advice it received and the improvements published instead."""

    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="non_publication")
    reasons = models.TextField()
    proposed_on = models.DateField()
    advice = models.TextField(help_text="The national panel's advice (or the body the framework names)")
    advice_received_on = models.DateField(null=True, blank=True)
    improvements = models.TextField(help_text="The information about improvements to be published instead")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.review.reference}: proposal not to publish"


class ReminderSent(models.Model):
    """What the overdue job has already e-mailed, so that a second run sends nothing twice."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="reminders_sent")
    key = models.CharField(max_length=100)  # "milestone:first_draft", "contribution:12"
    due_on = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["review", "key", "due_on"], name="one_reminder_per_due_date")]

    def __str__(self) -> str:
        return f"{self.review.reference}: {self.key} due {self.due_on}"
