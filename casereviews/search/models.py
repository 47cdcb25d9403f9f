"""The change table the search index follows.

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
