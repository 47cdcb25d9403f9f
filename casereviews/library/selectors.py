"""Reads of the library, scoped to who is asking."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from casereviews.library.models import ExtractedValue, Report, ReportStatus, ValueStatus
from casereviews.library.services import CODE_FIELDS, ITEM_FIELDS, SCALAR_FIELDS, can_manage_library


def library_reports_for(user: Any) -> QuerySet[Report]:
    """Unconfirmed proposals are not yet public: only library staff see reports before review."""
    if not can_manage_library(user):
        return Report.objects.none()
    # A correlated count rather than a join and GROUP BY over every value of every report: the list's page
    # count then reads no values at all, and the page itself does not aggregate the whole values table.
    proposed = (
        ExtractedValue.objects.filter(report=OuterRef("pk"), status=ValueStatus.PROPOSED)
        .order_by()
        .values("report")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return (
        Report.objects.annotate(proposed_count=Coalesce(Subquery(proposed), 0))
        .defer("text")
        .order_by("-uploaded_at", "-pk")
    )


def confirmed_record(report: Report) -> dict[str, Any]:
    """Only what a person has accepted or corrected: the record that search, briefings and analysis use."""
    values = report.values.filter(status__in=[ValueStatus.ACCEPTED, ValueStatus.CORRECTED])
    return record_of(values.order_by("field", "key"))


def record_of(values: Iterable[ExtractedValue]) -> dict[str, Any]:
    """The record made of `values` (confirmed ones, in field and key order), for a caller that has read them
    already for something else too."""
    record: dict[str, Any] = {name: None for name in SCALAR_FIELDS}
    record.update({name: [] for name in [*CODE_FIELDS, "agencies", *ITEM_FIELDS]})
    for value in values:
        if value.field in record and not isinstance(record[value.field], list):
            record[value.field] = value.current
        elif value.field in CODE_FIELDS or value.field == "agencies":
            if value.current:
                record[value.field].append(value.key)
        elif value.field in ITEM_FIELDS and value.current:
            record[value.field].append(value.current)
    return record


def review_groups(report: Report) -> list[tuple[str, list[ExtractedValue]]]:
    """The report's values grouped for the review screen, in the order people read a report."""
    values = list(report.values.select_related("decided_by"))
    order = [("Report", lambda v: v.field in {"title", "partnership", "year_published", "framework",
                                              "review_type", "methodology"}),
             ("The child", lambda v: v.field.startswith("child.")),
             ("Outcome", lambda v: v.field in {"outcome", "death_category"}),
             ("Harm", lambda v: v.field == "harm_types"),
             ("Risk factors", lambda v: v.field == "risk_factors"),
             ("Practice themes", lambda v: v.field == "practice_themes"),
             ("Agencies", lambda v: v.field == "agencies"),
             ("Findings", lambda v: v.field == "findings"),
             ("Recommendations", lambda v: v.field == "recommendations")]
    scalar_rank = {name: index for index, name in enumerate(SCALAR_FIELDS)}
    groups = []
    for label, belongs in order:
        members = sorted((v for v in values if belongs(v)), key=lambda v: (scalar_rank.get(v.field, 99), v.key))
        if members:
            groups.append((label, members))
    return groups


def library_progress() -> dict[str, int]:
    counts = dict(Report.objects.values_list("status").annotate(n=Count("pk")))
    return {status.value: counts.get(status.value, 0) for status in ReportStatus}
