"""Getting reports into the library and deciding on what the machine proposes about them.

Uploading reads the file at once (reading is fast: hundreds of pages a second), so a file that cannot be
read is refused with its reason and nothing is stored. The slow part, extraction and the PII scan, runs
in the task worker (`report_process`), which writes all its results in one transaction: a report is
either fully analysed or not at all, and a crashed run is simply run again (`reports_requeue_stale`).
"""

from __future__ import annotations

import datetime
import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from casereviews.core.antivirus import upload_scan
from casereviews.core.audit import audit_record
from casereviews.core.errors import EditConflict, InvalidInput, NotAllowed
from casereviews.core.files import store_blob
from casereviews.core.models import UploadKind
from casereviews.core.quotas import upload_quota_use
from casereviews.learning import vocabulary
from casereviews.library.models import HUMAN_DECISIONS, ExtractedValue, Report, ReportPage, ReportStatus, ValueStatus
from casereviews.partnerships.models import Membership, Role, User
from extraction.document import Document, Page
from extraction.errors import UnreadableDocument
from extraction.extract import extract_record
from extraction.readers import read_bytes
from extraction.record import ExtractionRecord
from extraction.safety import Limits
from extraction.sections import find_sections

if TYPE_CHECKING:
    from extraction.pii import PiiScanner

LIBRARY_STAFF = {Role.ANALYST, Role.BUSINESS_MANAGER}

SCALAR_FIELDS = [
    "title", "partnership", "year_published", "framework", "review_type", "methodology", "outcome",
    "death_category", "child.age_years", "child.age_text", "child.age_band", "child.under_18", "child.sex",
    "child.ethnicity", "year_incident", "harm_source", "child.looked_after", "child.child_protection_plan",
    "child.child_in_need", "child.known_to_social_care",
]
# Yes-or-no fields: a correction is typed as yes or no.
BOOLEAN_FIELDS = frozenset({
    "child.under_18", "child.looked_after", "child.child_protection_plan", "child.child_in_need",
    "child.known_to_social_care",
})
CODE_FIELDS = {
    "harm_types": vocabulary.HARM_TYPES,
    "risk_factors": vocabulary.RISK_FACTORS,
    "practice_themes": vocabulary.PRACTICE_THEMES,
}
ITEM_FIELDS = ["recommendations", "findings"]


def can_manage_library(user: Any) -> bool:
    return bool(user.is_authenticated) and (
        user.is_superuser or Membership.objects.filter(user=user, role__in=LIBRARY_STAFF).exists()
    )


def library_limits() -> Limits:
    return Limits(
        max_bytes=getattr(settings, "LIBRARY_MAX_BYTES", Limits.max_bytes),
        max_pages=getattr(settings, "LIBRARY_MAX_PAGES", Limits.max_pages),
    )


# Sources whose bytes this application rendered itself (a publication's PDF, the demo's invented reports): not from
# outside, so not scanned. Uploads, the API and the `ingest` command's files are.
GENERATED_HERE = frozenset({"publication", "demo"})


@dataclass(frozen=True)
class UploadResult:
    report: Report
    created: bool


def report_upload(
    *, uploaded_by: User | None, filename: str, data: bytes, source: str = "upload", queue: bool = True
) -> UploadResult:
    """Add a report to the library. The same bytes twice give the first report back (`created` False).
    `uploaded_by` None is the system (the demo loader, the `ingest` command)."""
    if uploaded_by is not None and not can_manage_library(uploaded_by):
        raise NotAllowed("Only national analysts and business managers can add reports to the library")
    digest = hashlib.sha256(data).hexdigest()
    existing = Report.objects.filter(sha256=digest).first()
    if existing is not None:
        return UploadResult(existing, created=False)
    if source not in GENERATED_HERE:
        # Before the file is parsed: the readers are the code a malicious file aims at.
        upload_scan(actor=uploaded_by, files=[(filename, data)], kind=UploadKind.LIBRARY_REPORT)
    try:
        document = read_bytes(data, filename, library_limits())
    except UnreadableDocument as error:
        message = f"{filename}: {error.reason}"
        raise InvalidInput(message, field_errors={"file": [message]}) from error
    try:
        with transaction.atomic():
            if uploaded_by is not None:
                # The system's loads (`ingest`, the demo) have no person to count against.
                upload_quota_use(user=uploaded_by, sizes=[len(data)], kind=UploadKind.LIBRARY_REPORT)
            report = Report.objects.create(
                sha256=digest,
                filename=filename[:255],
                title=filename[:500],
                media_type=document.media_type,
                size=len(data),
                source=source,
                uploaded_by=uploaded_by,
                text=document.text,
                page_count=document.page_count,
                read_warnings=document.warnings,
            )
            ReportPage.objects.bulk_create(
                ReportPage(report=report, number=page.number, start=page.start, end=page.end) for page in document.pages
            )
            store_blob(data)
            audit_record(actor=uploaded_by, action="report.upload", target=report,
                         summary=f"Added {filename} ({document.page_count} pages) to the library")
            if queue:
                from casereviews.library.tasks import process_report

                transaction.on_commit(lambda: process_report.enqueue(report.pk))
    except IntegrityError:
        # The same file uploaded at the same moment by someone else: theirs won, and it is the same report.
        return UploadResult(Report.objects.get(sha256=digest), created=False)
    return UploadResult(report, created=True)


@lru_cache(maxsize=1)
def _scanner() -> PiiScanner:
    # Imported here: Presidio and spaCy take seconds to import, which every web process and command would pay.
    from extraction.pii import PiiScanner

    return PiiScanner()


def _document_of(report: Report) -> Document:
    pages = [Page(number=p.number, start=p.start, end=p.end) for p in report.pages.all()]
    return Document(source=report.filename, sha256=report.sha256, media_type=report.media_type, text=report.text,
                    pages=pages)


def _set_progress(report: Report, percent: int) -> None:
    Report.objects.filter(pk=report.pk).update(progress=percent)


def report_process(report_id: int) -> Report | None:
    """Run extraction and the PII scan on a stored report and record the proposals. Safe to run again."""
    with transaction.atomic():
        report = Report.objects.select_for_update().filter(pk=report_id).first()
        if report is None:
            return None
        report.status = ReportStatus.PROCESSING
        report.attempts += 1
        report.progress = 5
        report.processing_started_at = timezone.now()
        report.save(update_fields=["status", "attempts", "progress", "processing_started_at"])
    document = _document_of(report)
    try:
        sections = find_sections(document)
        _set_progress(report, 25)
        record = extract_record(document, sections)
        _set_progress(report, 50)
        findings = _scanner().scan(document.text)
    except Exception as error:
        # Record why, so the person who uploaded it sees it; the worker logs the traceback.
        with transaction.atomic():
            Report.objects.filter(pk=report.pk).update(
                status=ReportStatus.FAILED, failure_reason=f"{type(error).__name__}: {error}"[:2000], progress=0
            )
            audit_record(actor=None, action="report.failed", target=report, summary=f"Analysis of {report} failed")
        raise
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        merged = _merge_proposals(report, record)
        report.pii_findings = [
            {"start": f.start, "end": f.end, "text": f.text, "type": f.type, "score": round(f.score, 3)}
            for f in findings
        ]
        report.sections = [
            {"kind": s.kind, "heading": s.heading, "start": s.start, "end": s.end} for s in sections
        ]
        report.status = ReportStatus.READY
        report.progress = 100
        report.failure_reason = ""
        report.processed_at = timezone.now()
        report.title = _current_title(report)
        report.save()
        audit_record(actor=None, action="report.extract", target=report,
                     summary=f"Extracted {merged} proposals and {len(findings)} personal-data findings from {report}")
    return report


def _current_title(report: Report) -> str:
    value = report.values.filter(field="title").first()
    current = value.current if value else None
    return str(current)[:500] if current else report.filename


def _proposals(record: ExtractionRecord) -> dict[tuple[str, str], tuple[Any, list[dict[str, Any]]]]:
    """The record flattened into (field, key) -> (value, evidence)."""
    data = record.to_dict()
    evidence: dict[str, Any] = data["evidence"]
    proposals: dict[tuple[str, str], tuple[Any, list[dict[str, Any]]]] = {}
    for name in SCALAR_FIELDS:
        value = data["child"][name.split(".", 1)[1]] if name.startswith("child.") else data[name]
        proposals[(name, "")] = (value, list(evidence.get(name, [])) if value is not None else [])
    for name in CODE_FIELDS:
        for code in data[name]:
            proposals[(name, code)] = (True, list(evidence.get(code, [])))
    for agency in data["agencies"]:
        proposals[("agencies", agency)] = (agency, list(evidence.get(agency, [])))
    for name in ITEM_FIELDS:
        item_evidence = evidence.get(name, [])
        for index, item in enumerate(data[name]):
            quote = [item_evidence[index]] if index < len(item_evidence) else []
            proposals[(name, f"{index + 1:03d}")] = (item, quote)
    return proposals


def _merge_proposals(report: Report, record: ExtractionRecord) -> int:
    """Update the machine's side of every value; a person's decision is never touched."""
    proposals = _proposals(record)
    existing = {(value.field, value.key): value for value in report.values.all()}
    for identity, stored in existing.items():
        if identity not in proposals:
            if stored.status in HUMAN_DECISIONS:
                stored.machine_present = False
                stored.save(update_fields=["machine_present"])
            else:
                stored.delete()
    for (field, code), (proposed, evidence) in proposals.items():
        row = existing.get((field, code))
        if row is None:
            ExtractedValue.objects.create(report=report, field=field, key=code, proposed_value=proposed,
                                          evidence=evidence)
        else:
            row.proposed_value, row.evidence, row.machine_present = proposed, evidence, True
            row.save(update_fields=["proposed_value", "evidence", "machine_present"])
    return len(proposals)


def reports_requeue_stale(*, older_than: datetime.timedelta = datetime.timedelta(minutes=15)) -> list[int]:
    """Queue again every report a crashed worker left behind: still waiting or half-analysed after
    `older_than`. Processing is idempotent, so a report queued twice is analysed twice, harmlessly."""
    from casereviews.library.tasks import process_report

    cutoff = timezone.now() - older_than
    stale = list(
        Report.objects.filter(status__in=[ReportStatus.QUEUED, ReportStatus.PROCESSING])
        .filter(uploaded_at__lt=cutoff)
        .exclude(processing_started_at__gte=cutoff)
        .values_list("pk", flat=True)
    )
    for report_id in stale:
        process_report.enqueue(report_id)
    return stale


def report_reprocess(*, actor: User, report: Report) -> Report:
    if not can_manage_library(actor):
        raise NotAllowed("Only national analysts and business managers can re-run extraction")
    from casereviews.library.tasks import process_report

    with transaction.atomic():
        Report.objects.filter(pk=report.pk).update(status=ReportStatus.QUEUED, progress=0)
        audit_record(actor=actor, action="report.reprocess", target=report, summary=f"Re-ran extraction on {report}")
        transaction.on_commit(lambda: process_report.enqueue(report.pk))
    report.refresh_from_db()
    return report


# -- people's decisions on proposals -----------------------------------------------------------------

CORRECTION_CHOICES: dict[str, dict[str, str]] = {
    "framework": {"england_2015": "", "england_2023": "", "wales": "", "scotland": "", "northern_ireland": ""},
    "methodology": vocabulary.METHODOLOGIES,
    "outcome": vocabulary.OUTCOMES,
    "death_category": vocabulary.DEATH_CATEGORIES,
    "child.age_band": vocabulary.AGE_BANDS,
    "child.sex": vocabulary.SEXES,
    "harm_source": vocabulary.HARM_SOURCES,
}


def clean_correction(field: str, raw: Any) -> Any:
    """Turn what a person typed into a value of the field's type, or say what is wrong."""
    text = "" if raw is None else str(raw).strip()
    if field in CODE_FIELDS or field == "agencies":
        raise InvalidInput("A code is accepted or rejected, not corrected; add a missing code instead")
    if text == "":
        return None
    if field in CORRECTION_CHOICES:
        if text not in CORRECTION_CHOICES[field]:
            raise InvalidInput(f"Choose one of: {', '.join(CORRECTION_CHOICES[field])}",
                               field_errors={"value": [f"Choose one of: {', '.join(CORRECTION_CHOICES[field])}"]})
        return text
    if field in ("year_published", "year_incident"):
        # ASCII digits only: str.isdigit() also passes "²", which int() refuses.
        if not re.fullmatch(r"[0-9]{4}", text) or not 1900 <= int(text) <= timezone.now().year + 1:
            raise InvalidInput("Enter a year such as 2021", field_errors={"value": ["Enter a year such as 2021"]})
        return int(text)
    if field == "child.age_years":
        try:
            age = float(text)
        except ValueError:
            age = -1
        if not 0 <= age < 25:
            message = "Enter the age in years, such as 1.5"
            raise InvalidInput(message, field_errors={"value": [message]})
        return age
    if field in BOOLEAN_FIELDS:
        if text.lower() not in {"true", "false", "yes", "no"}:
            raise InvalidInput("Answer yes or no", field_errors={"value": ["Answer yes or no"]})
        return text.lower() in {"true", "yes"}
    if field in ITEM_FIELDS:
        return {"text": text}
    return text[:1000]


_PAST = {"accept": "Accepted", "correct": "Corrected", "reject": "Rejected"}


def value_decide(
    *, actor: User, value: ExtractedValue, decision: str, corrected: Any = None, note: str = "",
    expected_version: int | None = None,
) -> ExtractedValue:
    """Accept, correct or reject one proposal. The decision is the person's and survives any re-run."""
    if not can_manage_library(actor):
        raise NotAllowed("Only national analysts and business managers can confirm extracted values")
    if decision not in {"accept", "correct", "reject"}:
        raise InvalidInput("Choose accept, correct or reject")
    with transaction.atomic():
        locked = ExtractedValue.objects.select_for_update().select_related("report").get(pk=value.pk)
        if expected_version is not None and locked.version != expected_version:
            who = locked.decided_by.display_name if locked.decided_by else "someone else"
            raise EditConflict(f"{who} changed this value while you were looking at it; nothing was saved")
        before = {"status": locked.status, "value": locked.current}
        if decision == "accept":
            locked.status = ValueStatus.ACCEPTED
            locked.corrected_value = None
        elif decision == "reject":
            locked.status = ValueStatus.REJECTED
            locked.corrected_value = None
        else:
            cleaned = clean_correction(locked.field, corrected)
            if locked.field in ITEM_FIELDS and isinstance(locked.proposed_value, dict) and cleaned is not None:
                cleaned = {**locked.proposed_value, **cleaned}
            locked.status = ValueStatus.CORRECTED
            locked.corrected_value = cleaned
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.note = note.strip()
        locked.version += 1
        locked.save()
        if locked.field == "title":
            Report.objects.filter(pk=locked.report_id).update(title=_current_title(locked.report))
        audit_record(actor=actor, action=f"value.{decision}", target=locked,
                     summary=f"{_PAST[decision]} {locked.field} {locked.key} on {locked.report}".replace("  ", " "),
                     changes={"before": before, "after": {"status": locked.status, "value": locked.current}})
    return locked


def code_add(*, actor: User, report: Report, field: str, code: str, note: str = "") -> ExtractedValue:
    """A person adds a code the machine missed; it counts as their correction."""
    if not can_manage_library(actor):
        raise NotAllowed("Only national analysts and business managers can add codes")
    if field not in CODE_FIELDS or code not in CODE_FIELDS[field]:
        raise InvalidInput("Choose a code from the vocabulary", field_errors={"code": ["Choose a code"]})
    with transaction.atomic():
        row, _created = ExtractedValue.objects.select_for_update().get_or_create(
            report=report, field=field, key=code,
            defaults={"proposed_value": None, "machine_present": False},
        )
        row.status = ValueStatus.CORRECTED
        row.corrected_value = True
        row.decided_by, row.decided_at, row.note = actor, timezone.now(), note.strip()
        row.version += 1
        row.save()
        audit_record(actor=actor, action="value.add", target=row, summary=f"Added {field} {code} to {report}")
    return row
