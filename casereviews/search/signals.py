"""Where a library change reaches the search index: a change row written in the same transaction as the change.

Connected to the library's models from here, so the library itself knows nothing about search. A machine's
proposal (status proposed) changes nothing the public can see, so only decided values, catalogue fields (they
decide whether a report is public) and deleted reports are recorded. Partnerships give reports their nation
and region, so renaming or moving one records every report that names it.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from casereviews.library.models import ExtractedValue, Report, ValueStatus
from casereviews.partnerships.models import Partnership
from casereviews.search.documents import CATALOGUE_FIELDS, CONFIRMED
from casereviews.search.services import index_change_record


def _matters(value: ExtractedValue) -> bool:
    return value.status != ValueStatus.PROPOSED or value.field in CATALOGUE_FIELDS


@receiver(post_save, sender=ExtractedValue, dispatch_uid="search.value_saved")
def value_saved(sender: Any, instance: ExtractedValue, **kwargs: Any) -> None:
    if _matters(instance):
        index_change_record(report_id=instance.report_id, reason=f"value {instance.status}")


@receiver(post_delete, sender=ExtractedValue, dispatch_uid="search.value_deleted")
def value_deleted(sender: Any, instance: ExtractedValue, **kwargs: Any) -> None:
    if _matters(instance):
        index_change_record(report_id=instance.report_id, reason="value deleted")


@receiver(post_delete, sender=Report, dispatch_uid="search.report_deleted")
def report_deleted(sender: Any, instance: Report, **kwargs: Any) -> None:
    index_change_record(report_id=instance.pk, reason="report deleted")


@receiver(pre_save, sender=Partnership, dispatch_uid="search.partnership_saving")
def partnership_saving(sender: Any, instance: Partnership, **kwargs: Any) -> None:
    before = (
        Partnership.objects.filter(pk=instance.pk).values("name", "nation", "region").first() if instance.pk else None
    )
    instance._search_before = before  # type: ignore[attr-defined]


@receiver(post_save, sender=Partnership, dispatch_uid="search.partnership_saved")
def partnership_saved(sender: Any, instance: Partnership, created: bool, **kwargs: Any) -> None:
    before = getattr(instance, "_search_before", None)
    now = {"name": instance.name, "nation": instance.nation, "region": instance.region}
    if before == now:
        return
    names = {instance.name.casefold()} | ({str(before["name"]).casefold()} if before else set())
    rows = ExtractedValue.objects.filter(field="partnership", status__in=CONFIRMED).values_list(
        "report_id", "status", "proposed_value", "corrected_value"
    )
    for report_id, status, proposed, corrected in rows:
        current = corrected if status == ValueStatus.CORRECTED else proposed
        if str(current or "").strip().casefold() in names:
            index_change_record(report_id=report_id, reason="partnership changed")
