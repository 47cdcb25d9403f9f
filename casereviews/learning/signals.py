"""Keeping each report's analysis record in step with the library, from this app's side only.

A record is rebuilt in the same transaction as the change, so the analysis never counts a decision that was rolled
back. Extraction saves many proposals and then the report once, as ready: the report's save rebuilds the record
once, and the proposals' own saves are skipped. A person's decision is one full save of one value.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.db.models.signals import post_save
from django.dispatch import receiver

from casereviews.learning.models import AnalysisRecord
from casereviews.learning.services import analysis_record_refresh
from casereviews.library.models import HUMAN_DECISIONS, ExtractedValue, Report
from casereviews.partnerships.models import Partnership


@receiver(post_save, sender=Report, dispatch_uid="learning.report_saved")
def report_saved(sender: type[Report], instance: Report, update_fields: Any = None, **kwargs: Any) -> None:
    analysis_record_refresh(report_id=instance.pk)


@receiver(post_save, sender=ExtractedValue, dispatch_uid="learning.value_saved")
def value_saved(
    sender: type[ExtractedValue], instance: ExtractedValue, update_fields: Any = None, **kwargs: Any
) -> None:
    if update_fields is None and instance.status in HUMAN_DECISIONS:
        analysis_record_refresh(report_id=instance.report_id)


@receiver(post_save, sender=Partnership, dispatch_uid="learning.partnership_saved")
def partnership_saved(sender: type[Partnership], instance: Partnership, **kwargs: Any) -> None:
    """A partnership's nation or region changed, or a partnership the reports already name was added."""
    affected = AnalysisRecord.objects.filter(
        Q(partnership=instance) | Q(partnership__isnull=True, partnership_name__iexact=instance.name)
    ).values_list("report_id", flat=True)
    for report_id in list(affected):
        analysis_record_refresh(report_id=report_id)
