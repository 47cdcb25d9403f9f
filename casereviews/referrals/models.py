"""A referral is the case: from the first report of an incident through screening to the decision."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

from casereviews.core.calendar import Calendar, ClockUnit, describe_rule, working_days_between
from casereviews.partnerships.models import Agency, Partnership


class YesNoUnknown(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    UNKNOWN = "unknown", "Not known"


class ChildSex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    OTHER = "other", "Other"
    UNKNOWN = "unknown", "Not known"


class AbuseOrNeglect(models.TextChoices):
    KNOWN = "known", "Known"
    SUSPECTED = "suspected", "Suspected"
    NOT_SUSPECTED = "not_suspected", "Neither known nor suspected"


class HarmOutcome(models.TextChoices):
    DIED = "died", "The child died"
    SERIOUSLY_HARMED = "seriously_harmed", "The child was seriously harmed"


class Referral(models.Model):
    reference = models.CharField(max_length=30, unique=True)
    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="referrals")
    framework_code = models.CharField(max_length=50)
    state = models.CharField(max_length=50, db_index=True)
    # Optimistic locking: every change increments it; a change made against an older version is refused.
    version = models.PositiveIntegerField(default=1)
    submission_key = models.UUIDField(unique=True, null=True, blank=True)

    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="referrals")
    submitted_at = models.DateTimeField(default=timezone.now)
    referrer_name = models.CharField(max_length=200)
    referrer_job_title = models.CharField(max_length=200)
    referrer_organisation = models.CharField(max_length=200)
    referrer_email = models.EmailField()
    referrer_phone = models.CharField(max_length=50, blank=True)

    child_reference = models.CharField(max_length=100, help_text="The local case reference or initials")
    child_date_of_birth = models.DateField(null=True, blank=True)
    child_age_years = models.PositiveSmallIntegerField(null=True, blank=True)
    child_sex = models.CharField(max_length=10, choices=ChildSex.choices)
    child_ethnicity = models.CharField(max_length=100, blank=True)
    child_disability = models.CharField(max_length=10, choices=YesNoUnknown.choices)
    child_disability_details = models.CharField(max_length=500, blank=True)
    looked_after = models.CharField(max_length=10, choices=YesNoUnknown.choices)
    child_protection_plan = models.CharField(max_length=10, choices=YesNoUnknown.choices)

    incident_date = models.DateField()
    aware_on = models.DateField(help_text="The date the partnership became aware of the incident")
    what_happened = models.TextField()
    abuse_or_neglect = models.CharField(max_length=20, choices=AbuseOrNeglect.choices)
    harm_outcome = models.CharField(max_length=20, choices=HarmOutcome.choices)
    agencies = models.ManyToManyField(Agency, blank=True, related_name="referrals")
    other_agencies = models.CharField(max_length=500, blank=True)

    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-submitted_at"]
        indexes = [models.Index(fields=["partnership", "state"])]

    def __str__(self) -> str:
        return self.reference

    def facts(self) -> dict[str, bool | None]:
        """The referral's facts as the framework's conditions name them."""
        tri = {"yes": True, "no": False, "unknown": None}
        return {
            "child_died": self.harm_outcome == HarmOutcome.DIED,
            "seriously_harmed": self.harm_outcome == HarmOutcome.SERIOUSLY_HARMED,
            "abuse_or_neglect": self.abuse_or_neglect != AbuseOrNeglect.NOT_SUSPECTED,
            "looked_after": tri[self.looked_after],
            "child_protection_plan": tri[self.child_protection_plan],
        }

    @property
    def child_age_text(self) -> str:
        if self.child_date_of_birth:
            days = (self.incident_date - self.child_date_of_birth).days
            if days < 365:
                return f"{days // 30} months (born {self.child_date_of_birth:%d %B %Y})"
            return f"{days * 100 // 36525} years (born {self.child_date_of_birth:%d %B %Y})"
        if self.child_age_years is not None:
            return f"{self.child_age_years} years"
        return "Not known"


class Attachment(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(max_length=255)
    media_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.filename


class ReferralEvent(models.Model):
    """The case timeline; deadlines start and are met by these events (`notified:ofsted`, `transition:decide`)."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    name = models.CharField(max_length=100)
    occurred_on = models.DateField()
    recorded_at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    description = models.CharField(max_length=300)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["recorded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.referral}: {self.name}"


class Notification(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="notifications")
    recipient = models.CharField(max_length=50)
    notified_on = models.DateField()
    method = models.CharField(max_length=100)
    reference = models.CharField(max_length=100, blank=True)
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["notified_on", "pk"]

    def __str__(self) -> str:
        return f"{self.referral}: {self.recipient} on {self.notified_on}"


class CriteriaAssessment(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="assessments")
    answers = models.JSONField()
    outcome = models.CharField(max_length=50, blank=True)
    criteria_met = models.BooleanField(null=True)
    explanation = models.TextField()
    notes = models.TextField(blank=True)
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assessed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-assessed_at", "-pk"]
        get_latest_by = "assessed_at"

    def __str__(self) -> str:
        return f"{self.referral}: assessment {self.outcome or 'undecided'}"


class Recommendation(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="recommendations")
    option = models.CharField(max_length=50)
    rationale = models.TextField()
    assessment = models.ForeignKey(CriteriaAssessment, on_delete=models.PROTECT, null=True, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-recorded_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.referral}: recommends {self.option}"


class PanelResponse(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="panel_responses")
    received_on = models.DateField()
    summary = models.TextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-received_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.referral}: Panel response of {self.received_on}"


class Decision(models.Model):
    # One decision per referral, enforced by the database too: of two chairs deciding at once, one wins.
    referral = models.OneToOneField(Referral, on_delete=models.CASCADE, related_name="decision")
    option = models.CharField(max_length=50)
    review_type = models.CharField(max_length=50, blank=True)
    rationale = models.TextField()
    differs_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_on = models.DateField()
    recorded_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.referral}: decided {self.option}"


class DeadlineStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DUE_SOON = "due_soon", "Due soon"
    OVERDUE = "overdue", "Overdue"
    MET = "met", "Met"
    MET_LATE = "met_late", "Met late"
    CANCELLED = "cancelled", "No longer needed"


DUE_SOON_WORKING_DAYS = 2


class Deadline(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="deadlines")
    rule_id = models.CharField(max_length=50)
    label = models.CharField(max_length=300)
    basis = models.CharField(max_length=300, blank=True)
    clock_start = models.DateField()
    length = models.PositiveIntegerField()
    unit = models.CharField(max_length=20, choices=[(unit.value, unit.value) for unit in ClockUnit])
    calendar = models.CharField(max_length=30, choices=[(cal.value, cal.value) for cal in Calendar])
    due_on = models.DateField(db_index=True)
    met_on = models.DateField(null=True, blank=True)
    cancelled_on = models.DateField(null=True, blank=True)
    breach_reason = models.TextField(blank=True)
    breach_reason_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The day the scheduled job found the deadline passed and told the business managers: once only.
    breach_flagged_on = models.DateField(null=True, blank=True)
    # When the business managers' e-mail about the breach went: the mark that makes sending it idempotent.
    breach_emailed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)  # a breach reason written over one not seen is refused

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [models.UniqueConstraint(fields=["referral", "rule_id"], name="one_deadline_per_rule")]

    def __str__(self) -> str:
        return f"{self.referral}: {self.label} by {self.due_on}"

    @property
    def rule_text(self) -> str:
        return f"{describe_rule(self.length, ClockUnit(self.unit))} from {self.clock_start:%d %B %Y}"

    def status_on(self, today: datetime.date) -> DeadlineStatus:
        if self.cancelled_on:
            return DeadlineStatus.CANCELLED
        if self.met_on:
            return DeadlineStatus.MET_LATE if self.met_on > self.due_on else DeadlineStatus.MET
        if today > self.due_on:
            return DeadlineStatus.OVERDUE
        if working_days_between(today, self.due_on, Calendar(self.calendar)) <= DUE_SOON_WORKING_DAYS:
            return DeadlineStatus.DUE_SOON
        return DeadlineStatus.PENDING

    @property
    def status(self) -> DeadlineStatus:
        return self.status_on(timezone.localdate())

    @property
    def is_breached(self) -> bool:
        return self.status in {DeadlineStatus.OVERDUE, DeadlineStatus.MET_LATE}

    @property
    def is_open(self) -> bool:
        return self.met_on is None and self.cancelled_on is None
