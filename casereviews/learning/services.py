"""Writes of the learning app: the analysis records kept in step with the library, and briefings.

An analysis record is derived data: it is rebuilt from the report's values whenever they change, so it has no
audit entry of its own (the decision that changed it has one).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from casereviews.core.audit import audit_record
from casereviews.core.errors import EditConflict, InvalidInput, NotAllowed, TransitionNotAllowed
from casereviews.learning import coding, vocabulary
from casereviews.learning.drafting import draft_briefing
from casereviews.learning.forms import THEME_KINDS
from casereviews.learning.models import AnalysisRecord, Briefing, BriefingStatus
from casereviews.library.models import HUMAN_DECISIONS, ExtractedValue, Report, ReportStatus, ValueStatus
from casereviews.library.services import can_manage_library
from casereviews.partnerships.models import Membership, Partnership, Role, User

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


def analysis_record_build(
    report: Report,
    rows: list[tuple[str, str, str, Any, Any]],
    partnerships_by_name: dict[str, Partnership] | None = None,
) -> AnalysisRecord:
    """The record of `report` from its values as (field, key, status, proposed, corrected) rows; not saved.

    `partnerships_by_name` (lower-cased name -> partnership) saves a query per report when many are built."""
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
    if partnerships_by_name is None:
        partnership = _partnership_named(partnership_name)
    else:
        partnership = partnerships_by_name.get(partnership_name.lower()) if partnership_name else None
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


REBUILD_BATCH = 500


def analysis_records_rebuild() -> int:
    """Rebuild every record (after a restore, or to repair): returns how many exist.

    In batches: one query for a batch's reports, one for their values, one delete and one bulk insert, each
    batch in its own transaction (a record per report and a query per value, as a single refresh does, made a
    10,000-report restore spend minutes here)."""
    AnalysisRecord.objects.exclude(report__status=ReportStatus.READY).delete()
    partnerships_by_name = {partnership.name.lower(): partnership for partnership in Partnership.objects.all()}
    ready = list(Report.objects.filter(status=ReportStatus.READY).order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ready), REBUILD_BATCH):
        batch = ready[start : start + REBUILD_BATCH]
        with transaction.atomic():
            reports = Report.objects.only("pk", "filename", "title", "status").filter(
                pk__in=batch, status=ReportStatus.READY
            )
            rows_of: dict[int, list[tuple[str, str, str, Any, Any]]] = {pk: [] for pk in batch}
            values = ExtractedValue.objects.filter(report_id__in=batch).order_by("report_id", "field", "key")
            for report_id, *row in values.values_list(
                "report_id", "field", "key", "status", "proposed_value", "corrected_value"
            ):
                rows_of[report_id].append(tuple(row))  # type: ignore[arg-type]
            records = [analysis_record_build(report, rows_of[report.pk], partnerships_by_name) for report in reports]
            AnalysisRecord.objects.filter(report_id__in=batch).delete()
            AnalysisRecord.objects.bulk_create(records)
    return len(ready)


# -- briefings ----------------------------------------------------------------------------------------------------


def can_write_briefings(user: Any) -> bool:
    """National analysts and business managers draft, edit, approve and publish briefings."""
    return can_manage_library(user)


def _briefing_partnership(actor: User) -> Partnership | None:
    """A business manager's briefing belongs to their partnership; an analyst's is national."""
    if actor.is_superuser or Membership.objects.filter(user=actor, role=Role.ANALYST).exists():
        return None
    membership = Membership.objects.filter(user=actor, role=Role.BUSINESS_MANAGER).select_related("partnership")
    first = membership.first()
    return first.partnership if first else None


def _unique_slug(title: str) -> str:
    base = slugify(title)[:100] or "briefing"
    slug, number = base, 2
    while Briefing.objects.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


def briefing_draft(
    *,
    actor: User,
    theme_kind: str,
    theme_code: str,
    published_from: int | None = None,
    published_to: int | None = None,
) -> Briefing:
    """Draft a briefing on a theme or sector from the confirmed reviews of a period."""
    if not can_write_briefings(actor):
        raise NotAllowed("Only national analysts and business managers can draft briefings")
    if theme_kind not in THEME_KINDS or theme_code not in THEME_KINDS[theme_kind][1]:
        raise InvalidInput("Choose a theme or sector", field_errors={"theme": ["Choose a theme or sector"]})
    drafted = draft_briefing(theme_kind, theme_code, published_from, published_to)
    if drafted is None:
        message = "No confirmed review in the library has this theme in this period"
        raise InvalidInput(message, field_errors={"theme": [message]})
    with transaction.atomic():
        briefing = Briefing.objects.create(
            slug=_unique_slug(drafted.title),
            title=drafted.title,
            theme_kind=theme_kind,
            theme_code=theme_code,
            published_from=published_from,
            published_to=published_to,
            partnership=_briefing_partnership(actor),
            summary=drafted.summary,
            content=drafted.content,
            notes=drafted.notes,
            sample=drafted.sample,
            created_by=actor,
        )
        audit_record(
            actor=actor,
            action="briefing.draft",
            target=briefing,
            partnership=briefing.partnership,
            summary=f"Drafted the briefing “{briefing.title}” from {len(drafted.sample)} reviews",
        )
    return briefing


def _locked(briefing: Briefing, expected_version: int | None) -> Briefing:
    locked = Briefing.objects.select_for_update().get(pk=briefing.pk)
    if expected_version is not None and locked.version != expected_version:
        raise EditConflict("Someone else changed this briefing while you were looking at it; nothing was saved")
    return locked


def briefing_edit(
    *,
    actor: User,
    briefing: Briefing,
    title: str,
    summary: str,
    statements: dict[tuple[str, int], str],
    expected_version: int | None = None,
) -> Briefing:
    """Change the wording. `statements` maps (section key, position) to the new text; an empty text removes the
    statement. The citations of a statement stay with it. An approved briefing goes back to draft."""
    if not can_write_briefings(actor):
        raise NotAllowed("Only national analysts and business managers can edit briefings")
    title, summary = title.strip(), summary.strip()
    if not title:
        raise InvalidInput("Enter a title", field_errors={"title": ["Enter a title"]})
    with transaction.atomic():
        locked = _locked(briefing, expected_version)
        if locked.status == BriefingStatus.PUBLISHED:
            raise TransitionNotAllowed("A published briefing cannot be changed")
        before = locked.status
        for section in locked.content.get("sections", []):
            kept = []
            for position, statement in enumerate(section["statements"]):
                text = statements.get((section["key"], position), statement["text"]).strip()
                if text:
                    kept.append({**statement, "text": text})
            section["statements"] = kept
        locked.title, locked.summary = title[:300], summary
        locked.status = BriefingStatus.DRAFT
        locked.approved_by, locked.approved_at = None, None
        locked.edited_by, locked.edited_at = actor, timezone.now()
        locked.version += 1
        locked.save()
        audit_record(
            actor=actor,
            action="briefing.edit",
            target=locked,
            partnership=locked.partnership,
            summary=f"Edited the briefing “{locked.title}”"
            + (" (its approval was withdrawn)" if before == BriefingStatus.APPROVED else ""),
        )
    return locked


def briefing_approve(*, actor: User, briefing: Briefing, expected_version: int | None = None) -> Briefing:
    if not can_write_briefings(actor):
        raise NotAllowed("Only national analysts and business managers can approve briefings")
    with transaction.atomic():
        locked = _locked(briefing, expected_version)
        if locked.status != BriefingStatus.DRAFT:
            raise TransitionNotAllowed("Only a draft can be approved")
        locked.status, locked.approved_by, locked.approved_at = BriefingStatus.APPROVED, actor, timezone.now()
        locked.version += 1
        locked.save()
        audit_record(
            actor=actor,
            action="briefing.approve",
            target=locked,
            partnership=locked.partnership,
            summary=f"Approved the briefing “{locked.title}”",
        )
    return locked


def briefing_publish(*, actor: User, briefing: Briefing, expected_version: int | None = None) -> Briefing:
    if not can_write_briefings(actor):
        raise NotAllowed("Only national analysts and business managers can publish briefings")
    with transaction.atomic():
        locked = _locked(briefing, expected_version)
        if locked.status != BriefingStatus.APPROVED:
            raise TransitionNotAllowed("A briefing is approved before it is published")
        locked.status, locked.published_by, locked.published_at = BriefingStatus.PUBLISHED, actor, timezone.now()
        locked.version += 1
        locked.save()
        audit_record(
            actor=actor,
            action="briefing.publish",
            target=locked,
            partnership=locked.partnership,
            summary=f"Published the briefing “{locked.title}”",
        )
    return locked
