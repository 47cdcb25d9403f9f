"""Writes of the learning app: the analysis records kept in step with the library, and briefings.

An analysis record is derived data: it is rebuilt from the report's values whenever they change, so it has no
audit entry of its own (the decision that changed it has one).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from casereviews.learning import coding, vocabulary
from casereviews.learning.models import AnalysisRecord
from casereviews.library.models import HUMAN_DECISIONS, Report, ReportStatus, ValueStatus
from casereviews.partnerships.models import Partnership

CODE_LIST_FIELDS = ("harm_types", "risk_factors", "practice_themes")


def _text(value: Any, limit: int) -> str:
    return "" if value is None else str(value).strip()[:limit]


def _year(value: Any) -> int | None:
    try:
        year = int(value)
    except (TypeError, ValueError):
        return None
    return year if 1900 <= year <= 2100 else None


def _partnership_named(name: str) -> Partnership | None:
    return Partnership.objects.filter(name__iexact=name).first() if name else None


def analysis_record_build(report: Report, rows: list[tuple[str, str, str, Any, Any]]) -> AnalysisRecord:
    """The record of `report` from its values as (field, key, status, proposed, corrected) rows; not saved."""
    confirmed: dict[str, Any] = {}
    codes: dict[str, list[str]] = {name: [] for name in (*CODE_LIST_FIELDS, "agencies")}
    pending: set[str] = set()
    reviewed = False
    title_proposal = None
    for field, key, status, proposed, corrected in rows:
        if status in HUMAN_DECISIONS:
            reviewed = True
        if status == ValueStatus.PROPOSED:
            pending.add(field)
            if field == "title":
                title_proposal = proposed
            continue
        current = corrected if status == ValueStatus.CORRECTED else proposed
        if status == ValueStatus.REJECTED:
            current = None
        if field in codes:
            if current:
                codes[field].append(key)
        else:
            confirmed[field] = current
    partnership_name = _text(confirmed.get("partnership"), 200)
    partnership = _partnership_named(partnership_name)
    framework = _text(confirmed.get("framework"), 50)
    age_band = _text(confirmed.get("child.age_band"), 20)
    if not age_band and isinstance(confirmed.get("child.age_years"), int | float):
        age_band = vocabulary.age_band(float(confirmed["child.age_years"])) or ""
    flags = {level: confirmed.get(field) for level, field in coding.SOCIAL_CARE_FIELDS.items() if field in confirmed}
    sectors = sorted({sector for agency in codes["agencies"] for sector in coding.sectors_of(agency)})
    if "agencies" in pending:
        pending.add("sectors")
    if any(field in pending for field in coding.SOCIAL_CARE_FIELDS.values()):
        pending.add("social_care")
    if "child.age_years" in pending:
        pending.add("child.age_band")
    return AnalysisRecord(
        report=report,
        title=_text(confirmed.get("title") or title_proposal or report.title or report.filename, 500),
        year_published=_year(confirmed.get("year_published")),
        year_incident=_year(confirmed.get("year_incident")),
        partnership=partnership,
        partnership_name=partnership.name if partnership else partnership_name,
        nation=partnership.nation if partnership else coding.nation_of_framework(framework),
        region=partnership.region if partnership else "",
        framework=framework,
        review_type=_text(confirmed.get("review_type"), 200),
        outcome=_text(confirmed.get("outcome"), 30),
        death_category=_text(confirmed.get("death_category"), 30),
        age_band=age_band,
        sex=_text(confirmed.get("child.sex"), 20),
        ethnicity=_text(confirmed.get("child.ethnicity"), 200),
        harm_source=_text(confirmed.get("harm_source"), 30),
        social_care=coding.social_care_level(flags),
        harm_types=" ".join(sorted(codes["harm_types"])),
        risk_factors=" ".join(sorted(codes["risk_factors"])),
        practice_themes=" ".join(sorted(codes["practice_themes"])),
        sectors=" ".join(sectors),
        pending=" ".join(sorted(pending)),
        reviewed=reviewed,
        refreshed_at=timezone.now(),
    )


def analysis_record_refresh(*, report_id: int) -> AnalysisRecord | None:
    """Rebuild one report's record from its values; only analysed reports have one."""
    with transaction.atomic():
        report = Report.objects.only("pk", "filename", "title", "status").filter(pk=report_id).first()
        if report is None or report.status != ReportStatus.READY:
            AnalysisRecord.objects.filter(report_id=report_id).delete()
            return None
        rows = list(report.values.values_list("field", "key", "status", "proposed_value", "corrected_value"))
        record = analysis_record_build(report, rows)
        record.save()
    return record


def analysis_records_rebuild() -> int:
    """Rebuild every record (after a partnership's region changes, or to repair): returns how many exist."""
    AnalysisRecord.objects.exclude(report__status=ReportStatus.READY).delete()
    ready = list(Report.objects.filter(status=ReportStatus.READY).values_list("pk", flat=True))
    for report_id in ready:
        analysis_record_refresh(report_id=report_id)
    return len(ready)
