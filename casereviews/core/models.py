"""The audit log: append-only, each entry chained to the one before by hash."""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditLogIsAppendOnly(Exception):
    pass


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def delete(self) -> NoReturn:
        raise AuditLogIsAppendOnly("audit events cannot be deleted")

    def update(self, **kwargs: Any) -> NoReturn:
        raise AuditLogIsAppendOnly("audit events cannot be changed")


class AuditEvent(models.Model):
    sequence = models.PositiveBigIntegerField(unique=True)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # A snapshot of who acted, so the entry still reads correctly if the account is renamed.
    actor_label = models.CharField(max_length=200)
    action = models.CharField(max_length=100, db_index=True)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=100, blank=True)
    partnership = models.ForeignKey(
        "partnerships.Partnership", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    summary = models.TextField()
    changes = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    previous_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-sequence"]
        indexes = [models.Index(fields=["partnership", "-sequence"]), models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action} by {self.actor_label}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AuditLogIsAppendOnly("audit events cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditLogIsAppendOnly("audit events cannot be deleted")


class AuditChainHead(models.Model):
    """One row: the last entry's sequence and hash. Locking it serialises writers so the chain never forks,
    and comparing it with the table detects an entry removed from the end."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_sequence = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"audit head #{self.last_sequence}"


class BackgroundJob(models.Model):
    """Progress of slow work started outside a request (loading the demo library), for people to see."""

    name = models.CharField(max_length=100, unique=True)
    description = models.CharField(max_length=300)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=500, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.description}: {self.done}/{self.total}"

    @property
    def running(self) -> bool:
        return self.finished_at is None

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


class SecurityAlertKind(models.TextChoices):
    FAILED_SIGN_INS_ACCOUNT = "failed_sign_ins_account", "failed sign-ins for one account"
    FAILED_SIGN_INS_ADDRESS = "failed_sign_ins_address", "failed sign-ins from one address"
    REFUSALS = "refusals", "refusals of one person"
    RECORD_VIEWS = "record_views", "distinct records viewed by one person"


class SecurityAlert(models.Model):
    """An alert the security watch sent (casereviews.core.security_watch). The watch reads these so that what it has
    alerted about is never alerted again: events up to `window_end` are spent for this kind and subject."""

    kind = models.CharField(max_length=40, choices=SecurityAlertKind.choices)
    # Who the alert is about: "user:<id>", "name:<typed account name>" or "address:<ip>".
    subject_key = models.CharField(max_length=200)
    window_start = models.DateTimeField()
    window_end = models.DateTimeField()
    count = models.PositiveIntegerField()
    sent_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["kind", "subject_key", "-window_end"])]
        # Two runs at once (two workers) find the same burst with the same start: only one records it.
        constraints = [
            models.UniqueConstraint(fields=["kind", "subject_key", "window_start"], name="security_alert_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject_key} ({self.count}) at {self.sent_at:%Y-%m-%d %H:%M}"


class UploadKind(models.TextChoices):
    REFERRAL_ATTACHMENT = "referral_attachment", "referral attachment"
    CONTRIBUTION_FILE = "contribution_file", "agency contribution"
    DRAFT = "draft", "draft report"
    WRITTEN_RESPONSE = "written_response", "board's written response"
    ACTION_EVIDENCE = "action_evidence", "action evidence"
    LIBRARY_REPORT = "library_report", "library report"


class UploadRecord(models.Model):
    """One file a person stored, for the upload quota (casereviews.core.quotas). Its own record rather than the
    stores' rows: a replaced written response leaves no row for the file it replaced, yet that file stays stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    bytes = models.PositiveBigIntegerField()
    at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=30, choices=UploadKind.choices)

    class Meta:
        indexes = [models.Index(fields=["user", "at"])]

    def __str__(self) -> str:
        return f"{self.kind} of {self.bytes} bytes at {self.at:%Y-%m-%d %H:%M}"
