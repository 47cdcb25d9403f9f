"""A review's action plan: findings → recommendations → actions, the progress agencies report on them,
and the reminders sent about them.

An action's status is never typed: `Action.status_on(today)` derives it from the due date, the latest
progress update and whether a named person accepted the evidence of impact.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

from casereviews.partnerships.models import Agency

# An action not yet complete this close to its due date needs attention now: two weeks leaves a board or
# sub-group (which usually meet monthly) time to step in before the date passes, rather than learning at
# their next meeting that it was missed.
AT_RISK_WITHIN_DAYS = 14

# The first reminder goes when an action turns "at risk" because of its date, so the e-mail and the tag
# on the dashboard tell the agency the same thing at the same time.
REMIND_DAYS_BEFORE_DUE = AT_RISK_WITHIN_DAYS

# Once overdue, a weekly reminder keeps the action in front of the agency without becoming noise that is
# filtered away; daily reminders about the same action are soon ignored.
OVERDUE_REMINDER_EVERY_DAYS = 7


class ActionStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    OVERDUE = "overdue", "Overdue"
    COMPLETE = "complete", "Complete"
    EVIDENCED = "evidenced", "Evidenced"


# Most urgent first: the order of the dashboard's columns and of actions within a list.
STATUS_URGENCY = [
    ActionStatus.OVERDUE,
    ActionStatus.AT_RISK,
    ActionStatus.NOT_STARTED,
    ActionStatus.ON_TRACK,
    ActionStatus.COMPLETE,
    ActionStatus.EVIDENCED,
]


class DeclaredState(models.TextChoices):
    PROGRESSING = "progressing", "Progressing as planned"
    CONCERN = "concern", "There is a concern: the action may not be delivered on time or as planned"
    COMPLETED = "completed", "Completed"


class Finding(models.Model):
    review = models.ForeignKey("reviews.Review", on_delete=models.CASCADE, related_name="findings")
    number = models.PositiveIntegerField()
    text = models.TextField()
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["review", "number"]
        constraints = [models.UniqueConstraint(fields=["review", "number"], name="one_finding_per_number")]

    def __str__(self) -> str:
        return f"Finding {self.number}"


class Recommendation(models.Model):
    review = models.ForeignKey("reviews.Review", on_delete=models.CASCADE, related_name="plan_recommendations")
    # Optional: some recommendations answer the review as a whole rather than one finding.
    finding = models.ForeignKey(
        Finding, on_delete=models.PROTECT, null=True, blank=True, related_name="recommendations"
    )
    number = models.PositiveIntegerField()
    text = models.TextField()
    # Null: the recommendation is made to the partnership as a whole.
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["review", "number"]
        constraints = [models.UniqueConstraint(fields=["review", "number"], name="one_recommendation_per_number")]

    def __str__(self) -> str:
        return f"Recommendation {self.number}"

    @property
    def addressee(self) -> str:
        return self.agency.name if self.agency else "The partnership"


class Action(models.Model):
    recommendation = models.ForeignKey(Recommendation, on_delete=models.PROTECT, related_name="actions")
    number = models.PositiveIntegerField()
    description = models.TextField()
    owner_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="actions")
    lead_name = models.CharField(max_length=200)
    # The lead's account, when they have one: they then see the action and receive its reminders.
    lead_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="led_actions"
    )
    due_on = models.DateField()
    expected_change = models.TextField()
    success_measure = models.TextField()
    evidence_accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    evidence_accepted_at = models.DateTimeField(null=True, blank=True)
    evidence_acceptance_note = models.TextField(blank=True)
    # Optimistic locking: every change, including a new progress update, increments it.
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["recommendation__number", "number"]
        constraints = [models.UniqueConstraint(fields=["recommendation", "number"], name="one_action_per_number")]
        indexes = [models.Index(fields=["due_on"])]

    def __str__(self) -> str:
        return f"Action {self.label}"

    @property
    def label(self) -> str:
        return f"{self.recommendation.number}.{self.number}"

    def latest_update(self) -> ProgressUpdate | None:
        return self.updates.order_by("-posted_at", "-pk").first()

    def latest_declared_state(self) -> str | None:
        # Lists annotate `latest_state` (selectors.with_latest_update) so that a page of actions costs one
        # query; a single action read on its own asks the database.
        if hasattr(self, "latest_state"):
            return self.latest_state
        update = self.latest_update()
        return update.declared_state if update else None

    def status_on(self, today: datetime.date) -> ActionStatus:
        if self.evidence_accepted_at is not None:
            return ActionStatus.EVIDENCED
        declared = self.latest_declared_state()
        if declared == DeclaredState.COMPLETED:
            return ActionStatus.COMPLETE
        if today > self.due_on:
            return ActionStatus.OVERDUE
        if declared == DeclaredState.CONCERN or (self.due_on - today).days <= AT_RISK_WITHIN_DAYS:
            return ActionStatus.AT_RISK
        if declared is None:
            return ActionStatus.NOT_STARTED
        return ActionStatus.ON_TRACK

    @property
    def status(self) -> ActionStatus:
        return self.status_on(timezone.localdate())


class ProgressUpdate(models.Model):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="updates")
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    posted_at = models.DateTimeField(default=timezone.now)
    narrative = models.TextField()
    declared_state = models.CharField(max_length=20, choices=DeclaredState.choices)
    evidence = models.TextField(blank=True, help_text="What shows the change has happened")

    class Meta:
        ordering = ["-posted_at", "-pk"]

    def __str__(self) -> str:
        return f"Update on {self.action} at {self.posted_at:%Y-%m-%d %H:%M}"


class EvidenceFile(models.Model):
    update = models.ForeignKey(ProgressUpdate, on_delete=models.CASCADE, related_name="files")
    filename = models.CharField(max_length=255)
    media_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["update", "pk"]

    def __str__(self) -> str:
        return self.filename


class ReminderKind(models.TextChoices):
    DUE_SOON = "due_soon", "Due soon"
    OVERDUE = "overdue", "Overdue"


class Reminder(models.Model):
    """One reminder about one action, recorded in the same transaction that queues its e-mail.

    The unique constraint is what makes the reminder job idempotent: a second run, or a run after a crash,
    finds the row and sends nothing again. `period` is 0 for the reminder before the due date and the
    number of whole weeks overdue for the weekly overdue reminders; `due_on` is the due date it was about,
    so moving an action's date earns it a fresh reminder.
    """

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=20, choices=ReminderKind.choices)
    due_on = models.DateField()
    period = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    emailed_at = models.DateTimeField(null=True, blank=True)
    recipient_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["action", "kind", "due_on", "period"], name="one_reminder_per_period")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} reminder for {self.action} ({self.due_on}, {self.period})"
