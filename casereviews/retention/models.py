"""Legal holds: a referral kept past its retention period because proceedings, a claim or an inquiry may need it.

A review's own holds (criminal proceedings, inquest, other process: `reviews.Hold`) already keep its working papers.
A referral that led to no review has no such record, so an administrator places a hold on it in the admin (audited
there like every admin change), at the partnership's request, and lifts it by setting `lifted_at`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class RetentionHold(models.Model):
    # Deleted with the referral, once the hold is lifted and the period has passed: the admin's audit entries keep
    # who placed and lifted it, and why.
    referral = models.ForeignKey("referrals.Referral", on_delete=models.CASCADE, related_name="retention_holds")
    reason = models.TextField(help_text="Why it must be kept, e.g. the coroner's request of 3 March 2027")
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    placed_at = models.DateTimeField(default=timezone.now)
    lifted_at = models.DateTimeField(null=True, blank=True, help_text="Set to lift the hold")

    class Meta:
        ordering = ["-placed_at", "-pk"]
        verbose_name = "legal hold on a referral"

    def __str__(self) -> str:
        return f"Legal hold on {self.referral}"

    @property
    def partnership(self) -> object:
        return self.referral.partnership

    @property
    def is_in_force(self) -> bool:
        return self.lifted_at is None
