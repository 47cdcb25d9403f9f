"""The change table the search index follows, and saved searches with their e-mail alerts.

A row says "what the index holds for this report may have changed". It is written in the same transaction as
the change itself (see `signals.py`), so a committed change always has its row and a rolled-back one never does.
The task worker applies rows in order; each index generation keeps its own cursor, so any node can rebuild its
index from the database and follow the table from there (docs/adr/0008-search.md).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class IndexChange(models.Model):
    # Not a foreign key: the row must outlive a deleted report, so that the index forgets it too.
    report_id = models.BigIntegerField(db_index=True)
    reason = models.CharField(max_length=50)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    # When a worker first applied it; each generation's own cursor is what decides whether it has.
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"change {self.pk}: report {self.report_id} ({self.reason})"


class SavedSearch(models.Model):
    """A search someone asked to be e-mailed about when new public reports match it. No account: the e-mail
    address is confirmed by a signed link before anything else is sent to it."""

    email = models.EmailField()
    # The search as its query string (words, filters, years; never sort or page): what the search page takes.
    params = models.CharField(max_length=2000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["email", "params"], name="saved_search_email_params")]

    def __str__(self) -> str:
        return f"saved search {self.pk}"

    @property
    def is_active(self) -> bool:
        return self.confirmed_at is not None and self.unsubscribed_at is None


class SearchAlert(models.Model):
    """One alert e-mail: written with the reports it announces in the same transaction, sent after commit."""

    saved_search = models.ForeignKey(SavedSearch, on_delete=models.CASCADE, related_name="alerts")
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"alert {self.pk} for saved search {self.saved_search_id}"


class KnownReport(models.Model):
    """A report the subscriber already knows about: it matched when they confirmed (alert is empty), or an
    alert announced it. An alert announces only reports not known yet, so no report is announced twice."""

    saved_search = models.ForeignKey(SavedSearch, on_delete=models.CASCADE, related_name="known")
    # Not a foreign key: a report deleted from the library stays known, so it is not announced if it returns.
    report_id = models.BigIntegerField()
    alert = models.ForeignKey(SearchAlert, on_delete=models.CASCADE, null=True, blank=True, related_name="reports")

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["saved_search", "report_id"], name="one_known_report_per_saved_search")
        ]

    def __str__(self) -> str:
        return f"report {self.report_id} known to saved search {self.saved_search_id}"


class DeletedRecord(models.Model):
    """A report that was in the public library and has left it (its title rejected, a catalogue field sent back
    to a proposal, the report deleted): what OAI-PMH harvesters are told, as a record with a deleted header, so
    that they remove their copy. Kept for good (`deletedRecord` is `persistent`) and carried by backups, unlike
    the change table, which is derived and may be pruned. Removed when the report becomes public again."""

    # Not a foreign key: the record must outlive a deleted report.
    report_id = models.BigIntegerField(unique=True)
    deleted_at = models.DateTimeField(default=timezone.now, db_index=True)
    # The sets (leaf setSpecs) it belonged to when it left, so a harvester of one set hears of its deletion.
    sets = models.JSONField(default=list, blank=True)
    reason = models.CharField(max_length=50)

    class Meta:
        ordering = ["report_id"]

    def __str__(self) -> str:
        return f"report {self.report_id} left the public library ({self.reason})"
