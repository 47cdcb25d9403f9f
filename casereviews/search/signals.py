"""Where a library change reaches the search index: a change row written in the same transaction as the change.

Connected to the library's models from here, so the library itself knows nothing about search. A machine's
proposal (status proposed) changes nothing the public can see, so only decided values, catalogue fields (they
decide whether a report is public) and deleted reports are recorded. Partnerships give reports their nation
and region, so renaming or moving one records every report that names it.

Only the catalogue fields decide whether a report is public, so a change to one of them (or a report's deletion)
reads whether the report was public just before and compares after: a report that left the public library
becomes a `DeletedRecord` for OAI-PMH harvesters, in the same transaction. Rows loaded raw (a restore) are left
alone: the archive carries its deleted records.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from casereviews.library.models import ExtractedValue, Report, ValueStatus
from casereviews.partnerships.models import Partnership
from casereviews.search.documents import CATALOGUE_FIELDS, CONFIRMED
from casereviews.search.services import PublicState, deleted_record_note, index_change_record, public_state_of


def _matters(value: ExtractedValue) -> bool:
    return value.status != ValueStatus.PROPOSED or value.field in CATALOGUE_FIELDS


def _note_before(instance: ExtractedValue | Report, report_id: int | None, **kwargs: Any) -> None:
    if report_id is not None and not kwargs.get("raw"):
        instance._search_public_before = public_state_of(report_id)  # type: ignore[union-attr]


def _before(instance: ExtractedValue | Report) -> PublicState | None:
    # Taken, so a later save of the same instance reads its own "before".
    before: PublicState | None = instance.__dict__.pop("_search_public_before", None)
    return before


@receiver(pre_save, sender=ExtractedValue, dispatch_uid="search.value_saving")
def value_saving(sender: Any, instance: ExtractedValue, **kwargs: Any) -> None:
    if instance.field in CATALOGUE_FIELDS:
        _note_before(instance, instance.report_id, **kwargs)


@receiver(post_save, sender=ExtractedValue, dispatch_uid="search.value_saved")
def value_saved(sender: Any, instance: ExtractedValue, **kwargs: Any) -> None:
    before = _before(instance)
    if before is not None:
        deleted_record_note(report_id=instance.report_id, before=before, reason=f"{instance.field} {instance.status}")
    if _matters(instance):
        index_change_record(report_id=instance.report_id, reason=f"value {instance.status}")


@receiver(pre_delete, sender=ExtractedValue, dispatch_uid="search.value_deleting")
def value_deleting(sender: Any, instance: ExtractedValue, **kwargs: Any) -> None:
    if instance.field in CATALOGUE_FIELDS:
        _note_before(instance, instance.report_id)


@receiver(post_delete, sender=ExtractedValue, dispatch_uid="search.value_deleted")
def value_deleted(sender: Any, instance: ExtractedValue, **kwargs: Any) -> None:
    before = _before(instance)
    if before is not None:
        deleted_record_note(report_id=instance.report_id, before=before, reason=f"{instance.field} deleted")
    if _matters(instance):
        index_change_record(report_id=instance.report_id, reason="value deleted")


@receiver(pre_delete, sender=Report, dispatch_uid="search.report_deleting")
def report_deleting(sender: Any, instance: Report, **kwargs: Any) -> None:
    _note_before(instance, instance.pk)


@receiver(post_delete, sender=Report, dispatch_uid="search.report_deleted")
def report_deleted(sender: Any, instance: Report, **kwargs: Any) -> None:
    before = _before(instance)
    if before is not None:
        deleted_record_note(report_id=instance.pk, before=before, reason="report deleted", gone=True)
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
