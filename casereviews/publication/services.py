"""Publishing a review: the case key, the redaction gate, the published PDF, the window and requests after it.

The gate: the final draft is scanned with the PII scanner using the case key (`redaction_scan_request`, run by the
task worker as `redaction_scan_run`), every finding is decided by a named person (`finding_decide`), a person adds
what the scanner missed (`manual_redaction_add`), and `review_publish` refuses while anything is undecided, the
scan is stale, a redacted string still appears unredacted elsewhere, the reviews app reports a blocker, or the
notice period has not passed. Publishing moves the review through the one door
(`reviews.services.review_status_change`) and, after commit, sends the published PDF into the library by its
normal ingestion.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import regex
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from casereviews.core.audit import audit_record
from casereviews.core.calendar import ClockUnit, due_date
from casereviews.core.errors import EditConflict, InvalidInput, NotAllowed, TransitionNotAllowed
from casereviews.core.files import read_blob, store_blob
from casereviews.frameworks.services import get_framework
from casereviews.library.services import report_upload
from casereviews.partnerships.models import User
from casereviews.publication import pdf
from casereviews.publication.models import (
    CaseKey,
    FindingDecision,
    FindingSource,
    Publication,
    RedactionFinding,
    RedactionScan,
    ReportRequest,
    RequestStatus,
    ScanStatus,
    page_fingerprint,
    pages_fingerprint,
)
from casereviews.publication.selectors import Gate, final_draft, gate_of, scan_is_running
from casereviews.reviews.models import DraftVersion, Review, ReviewStatus
from casereviews.reviews.services import review_calendar, review_status_change

logger = logging.getLogger(__name__)

MAX_LIST_ENTRIES = 500
MAX_ENTRY_LENGTH = 200
# Pages scanned per batch: progress is reported after each.
SCAN_BATCH_PAGES = 4
# Redacted strings shorter than this are not looked for elsewhere: "Mr" or "12" would match everywhere.
LEAK_MINIMUM_LENGTH = 3
REQUEST_LINK_DAYS = 7
REQUESTS_PER_DAY_PER_ADDRESS = 10
REQUESTS_PER_DAY_PER_EMAIL = 3
REQUEST_TOKEN_SALT = "casereviews.publication.report-request"  # noqa: S105 - a namespace, not a secret


def _require(user: Any, perm: str, review: Review, message: str) -> None:
    if user is None or not user.has_perm(perm, review):
        raise NotAllowed(message)


# -- the case key -------------------------------------------------------------------------------------------------


def _clean_list(entries: list[str], field: str) -> list[str]:
    cleaned: list[str] = []
    seen: set[str] = set()
    for entry in entries:
        value = " ".join(entry.split())
        if not value or value.casefold() in seen:
            continue
        if len(value) > MAX_ENTRY_LENGTH:
            message = f"Each entry must be {MAX_ENTRY_LENGTH} characters or fewer"
            raise InvalidInput(message, field_errors={field: [message]})
        seen.add(value.casefold())
        cleaned.append(value)
    if len(cleaned) > MAX_LIST_ENTRIES:
        message = f"Enter at most {MAX_LIST_ENTRIES} entries"
        raise InvalidInput(message, field_errors={field: [message]})
    return cleaned


@transaction.atomic
def case_key_save(
    *,
    actor: User,
    review: Review,
    deny_list: list[str],
    allow_list: list[str],
    expected_version: int | None = None,
) -> CaseKey:
    """Record the case's real identifiers (deny list) and its pseudonym key (allow list). The audit entry says how
    many entries changed, never what they are."""
    _require(actor, "publication.edit_case_key", review, "Only the business manager and the chair keep the case key")
    deny = _clean_list(deny_list, "deny_list")
    allow = _clean_list(allow_list, "allow_list")
    if not deny:
        message = "Enter at least one real name or detail of the case to look for"
        raise InvalidInput(message, field_errors={"deny_list": [message]})
    key = CaseKey.objects.select_for_update().filter(review=review).first()
    if key is None:
        key = CaseKey(review=review, updated_by=actor, version=0)
        before_deny, before_allow = 0, 0
    else:
        if expected_version is not None and key.version != expected_version:
            raise EditConflict("Someone else changed the case key while you were editing it. Nothing was saved.")
        before_deny, before_allow = len(key.deny_list), len(key.allow_list)
    key.deny_list, key.allow_list = deny, allow
    key.version += 1
    key.updated_by, key.updated_at = actor, timezone.now()
    key.save()
    audit_record(
        actor=actor,
        action="case_key.save",
        target=key,
        partnership=review.partnership,
        summary=f"Saved the case key of {review.reference} (version {key.version})",
        changes={"deny_entries": [before_deny, len(deny)], "allow_entries": [before_allow, len(allow)]},
    )
    return key


def case_key_view_record(*, actor: User, review: Review) -> CaseKey | None:
    """The case key for a person allowed to see it; the view is audited."""
    _require(actor, "publication.view_case_key", review, "Only the business manager and the chair see the case key")
    audit_record(
        actor=actor,
        action="case_key.view",
        target=review,
        partnership=review.partnership,
        summary=f"Viewed the case key of {review.reference}",
    )
    return CaseKey.objects.filter(review=review).first()


# -- the scan -----------------------------------------------------------------------------------------------------


def _allow_list(review: Review, key: CaseKey) -> list[str]:
    return [*key.allow_list, review.pseudonym]


@transaction.atomic
def redaction_scan_request(*, actor: User, review: Review, queue: bool = True) -> RedactionScan:
    """Queue a scan of the final draft with the case key as it now stands."""
    _require(actor, "publication.redact", review, "Only the business manager and the chair run the redaction scan")
    if review.status not in {ReviewStatus.QUALITY_ASSURANCE, ReviewStatus.SIGNED_OFF}:
        raise TransitionNotAllowed("Only a review in quality assurance or signed off is scanned for publication")
    draft = final_draft(review)
    if draft is None:
        raise InvalidInput("There is no final draft to scan: the chair signs off a final version first")
    key = CaseKey.objects.filter(review=review).first()
    if key is None or not key.deny_list:
        raise InvalidInput("Record the case key (the real names and details to look for) before scanning")
    latest = review.redaction_scans.first()
    if latest is not None and scan_is_running(latest):
        return latest
    scan = RedactionScan.objects.create(
        review=review,
        draft=draft,
        pages_sha256=pages_fingerprint(draft.pages),
        case_key_version=key.version,
        requested_by=actor,
    )
    audit_record(
        actor=actor,
        action="redaction.scan_requested",
        target=scan,
        partnership=review.partnership,
        summary=f"Asked for a redaction scan of {review.reference} draft {draft.number}",
    )
    if queue:
        from casereviews.publication.tasks import run_redaction_scan

        transaction.on_commit(lambda: run_redaction_scan.enqueue(scan.pk))
    return scan


@dataclass(frozen=True)
class _Found:
    page: int
    page_sha256: str
    start: int
    end: int
    text: str
    type: str
    score: float

    @property
    def identity(self) -> tuple[str, int, int, str]:
        return (self.page_sha256, self.start, self.end, self.text)


def _identity(finding: RedactionFinding) -> tuple[str, int, int, str]:
    return (finding.page_sha256, finding.start, finding.end, finding.text)


def redaction_scan_run(scan_id: int) -> RedactionScan | None:
    """Scan the draft page by page, reporting progress, then record the findings in one transaction. Safe to run
    again: a finding already recorded is updated, and a person's decision is never changed."""
    with transaction.atomic():
        scan = RedactionScan.objects.select_for_update().select_related("review", "draft").filter(pk=scan_id).first()
        if scan is None or scan.status == ScanStatus.DONE:
            return scan
        scan.status, scan.progress, scan.started_at = ScanStatus.RUNNING, 1, timezone.now()
        scan.save(update_fields=["status", "progress", "started_at"])
    review, draft = scan.review, scan.draft
    key = CaseKey.objects.filter(review=review).first()
    from extraction.pii import PiiScanner  # imported here: Presidio and spaCy take seconds to import

    scanner = PiiScanner(
        deny_list=key.deny_list if key else [], allow_list=_allow_list(review, key) if key else [review.pseudonym]
    )
    pages: list[str] = list(draft.pages)
    found: list[_Found] = []
    try:
        for first in range(0, len(pages), SCAN_BATCH_PAGES):
            batch = pages[first : first + SCAN_BATCH_PAGES]
            for offset, findings in enumerate(scanner.scan_many(batch)):
                number = first + offset + 1
                fingerprint = page_fingerprint(pages[number - 1])
                found.extend(
                    _Found(number, fingerprint, f.start, f.end, f.text, f.type, round(f.score, 3)) for f in findings
                )
            done = min(len(pages), first + SCAN_BATCH_PAGES)
            RedactionScan.objects.filter(pk=scan.pk).update(progress=max(1, 95 * done // max(1, len(pages))))
    except Exception as error:
        with transaction.atomic():
            RedactionScan.objects.filter(pk=scan.pk).update(
                status=ScanStatus.FAILED, failure_reason=f"{type(error).__name__}"[:200], progress=0
            )
            audit_record(
                actor=None,
                action="redaction.scan_failed",
                target=scan,
                partnership=review.partnership,
                summary=f"The redaction scan of {review.reference} failed",
            )
        raise
    with transaction.atomic():
        scan = RedactionScan.objects.select_for_update().get(pk=scan.pk)
        counts = _merge_findings(review, draft, found)
        scan.status, scan.progress, scan.finished_at = ScanStatus.DONE, 100, timezone.now()
        scan.finding_count = len(found)
        scan.failure_reason = ""
        scan.save()
        audit_record(
            actor=None,
            action="redaction.scanned",
            target=scan,
            partnership=review.partnership,
            summary=(
                f"Scanned {review.reference} draft {draft.number}: {len(found)} findings, "
                f"{counts['carried']} decisions carried from an earlier draft"
            ),
        )
    return scan


def _merge_findings(review: Review, draft: DraftVersion, found: list[_Found]) -> dict[str, int]:
    existing = {_identity(f): f for f in RedactionFinding.objects.select_for_update().filter(draft=draft)}
    by_span = {(f.page, f.start, f.end): f for f in existing.values()}
    decided_elsewhere: dict[tuple[str, int, int, str], RedactionFinding] = {}
    for earlier in (
        RedactionFinding.objects.filter(review=review)
        .exclude(draft=draft)
        .exclude(decision=FindingDecision.PENDING)
        .order_by("decided_at", "pk")
    ):
        decided_elsewhere[_identity(earlier)] = earlier  # the latest decision on an identical finding wins
    found_identities = {item.identity for item in found}
    for identity, stored in existing.items():
        if identity in found_identities or stored.source == FindingSource.MANUAL:
            continue
        if stored.is_decided:
            if stored.machine_present:
                stored.machine_present = False
                stored.save(update_fields=["machine_present"])
        else:
            stored.delete()
    carried = 0
    for item in found:
        row = by_span.get((item.page, item.start, item.end))
        if row is not None:
            row.type, row.score, row.machine_present = item.type, item.score, True
            row.save(update_fields=["type", "score", "machine_present"])
            continue
        new = RedactionFinding(
            review=review,
            draft=draft,
            page=item.page,
            page_sha256=item.page_sha256,
            start=item.start,
            end=item.end,
            text=item.text,
            type=item.type,
            score=item.score,
        )
        previous = decided_elsewhere.get(item.identity)
        if previous is not None:
            _copy_decision(previous, new)
            carried += 1
        new.save()
    # A person's own redaction on a page that is unchanged in the new draft still applies there.
    page_numbers: dict[str, list[int]] = defaultdict(list)
    for number, text in enumerate(draft.pages, start=1):
        page_numbers[page_fingerprint(text)].append(number)
    for identity, earlier in decided_elsewhere.items():
        if earlier.source != FindingSource.MANUAL or identity in existing or identity in found_identities:
            continue
        for number in page_numbers.get(earlier.page_sha256, []):
            if RedactionFinding.objects.filter(draft=draft, page=number, start=earlier.start, end=earlier.end).exists():
                continue
            new = RedactionFinding(
                review=review,
                draft=draft,
                page=number,
                page_sha256=earlier.page_sha256,
                start=earlier.start,
                end=earlier.end,
                text=earlier.text,
                type=earlier.type,
                score=earlier.score,
                source=FindingSource.MANUAL,
                machine_present=False,
            )
            _copy_decision(earlier, new)
            new.save()
            carried += 1
    return {"carried": carried}


def _copy_decision(earlier: RedactionFinding, new: RedactionFinding) -> None:
    new.decision = earlier.decision
    new.replacement = earlier.replacement
    new.reason = earlier.reason
    new.decided_by_id = earlier.decided_by_id
    new.decided_at = earlier.decided_at
    new.carried_from = earlier


# -- people's decisions -------------------------------------------------------------------------------------------


def _clean_label(replacement: str) -> str:
    label = " ".join(replacement.split())
    if len(label) > 60:
        raise InvalidInput(
            "Keep the label to 60 characters", field_errors={"replacement": ["Keep it to 60 characters"]}
        )
    return label


@transaction.atomic
def finding_decide(
    *,
    actor: User,
    finding: RedactionFinding,
    decision: str,
    replacement: str = "",
    reason: str = "",
    expected_version: int | None = None,
) -> RedactionFinding:
    """Redact a finding (printed as `replacement`, by default "[redacted]") or keep it, with a reason."""
    locked = RedactionFinding.objects.select_for_update().select_related("review__partnership").get(pk=finding.pk)
    review = locked.review
    _require(actor, "publication.redact", review, "Only the business manager and the chair decide on redactions")
    if review.status != ReviewStatus.SIGNED_OFF and review.status != ReviewStatus.QUALITY_ASSURANCE:
        raise TransitionNotAllowed("Redactions are decided only before publication")
    if expected_version is not None and locked.version != expected_version:
        who = locked.decided_by.display_name if locked.decided_by else "Someone else"
        raise EditConflict(f"{who} decided this finding while you were looking at it. Nothing was saved.")
    reason = reason.strip()
    if decision == FindingDecision.REDACT:
        locked.replacement = _clean_label(replacement)
    elif decision == FindingDecision.KEEP:
        if not reason:
            message = "Say why this is kept: for example, it is an agency's name and identifies nobody"
            raise InvalidInput(message, field_errors={"reason": [message]})
        locked.replacement = ""
    else:
        raise InvalidInput("Choose redact or keep", field_errors={"decision": ["Choose redact or keep"]})
    before = locked.decision
    locked.decision, locked.reason = decision, reason
    locked.decided_by, locked.decided_at = actor, timezone.now()
    locked.carried_from = None
    locked.version += 1
    locked.save()
    audit_record(
        actor=actor,
        action=f"redaction.{decision}",
        target=locked,
        partnership=review.partnership,
        summary=f"{'Redacted' if decision == FindingDecision.REDACT else 'Kept'} a {locked.type} finding on page "
        f"{locked.page} of {review.reference}",
        changes={"decision": [before, decision]},
    )
    return locked


@transaction.atomic
def findings_decide_by_type(
    *, actor: User, review: Review, finding_type: str, decision: str, replacement: str = "", reason: str = ""
) -> int:
    """Decide every undecided finding of one type in the final draft at once (a long report has hundreds of
    dates and agency names). Each finding records the person, as if decided one by one; decided ones are left."""
    _require(actor, "publication.redact", review, "Only the business manager and the chair decide on redactions")
    draft = final_draft(review)
    pending = list(
        RedactionFinding.objects.select_for_update().filter(
            draft=draft, type=finding_type, decision=FindingDecision.PENDING
        )
    )
    if draft is None or not pending:
        message = "There are no undecided findings of that type"
        raise InvalidInput(message, field_errors={"finding_type": [message]})
    for finding in pending:
        finding_decide(actor=actor, finding=finding, decision=decision, replacement=replacement, reason=reason)
    return len(pending)


@transaction.atomic
def manual_redaction_add(
    *, actor: User, review: Review, text: str, page: int | None = None, replacement: str = "", reason: str = ""
) -> list[RedactionFinding]:
    """Redact every occurrence of `text` (exactly as written) on `page`, or on every page when `page` is None,
    of the final draft. An occurrence someone already decided on keeps that decision."""
    _require(actor, "publication.redact", review, "Only the business manager and the chair decide on redactions")
    if review.status not in {ReviewStatus.QUALITY_ASSURANCE, ReviewStatus.SIGNED_OFF}:
        raise TransitionNotAllowed("Redactions are decided only before publication")
    draft = final_draft(review)
    if draft is None:
        raise InvalidInput("There is no final draft to redact")
    if not text.strip():
        raise InvalidInput("Enter the text to redact", field_errors={"text": ["Enter the text to redact"]})
    label = _clean_label(replacement)
    pages = list(draft.pages)
    if page is not None and not 1 <= page <= len(pages):
        message = f"Choose a page from 1 to {len(pages)}"
        raise InvalidInput(message, field_errors={"page": [message]})
    numbers = [page] if page is not None else list(range(1, len(pages) + 1))
    now = timezone.now()
    added: list[RedactionFinding] = []
    for number in numbers:
        page_text = pages[number - 1]
        start = page_text.find(text)
        while start != -1:
            end = start + len(text)
            row = RedactionFinding.objects.select_for_update().filter(draft=draft, page=number, start=start, end=end)
            existing = row.first()
            if existing is None:
                added.append(
                    RedactionFinding.objects.create(
                        review=review,
                        draft=draft,
                        page=number,
                        page_sha256=page_fingerprint(page_text),
                        start=start,
                        end=end,
                        text=text,
                        type="MANUAL",
                        score=1.0,
                        source=FindingSource.MANUAL,
                        machine_present=False,
                        decision=FindingDecision.REDACT,
                        replacement=label,
                        reason=reason.strip(),
                        decided_by=actor,
                        decided_at=now,
                    )
                )
            elif not existing.is_decided:
                existing.decision, existing.replacement, existing.reason = FindingDecision.REDACT, label, reason.strip()
                existing.decided_by, existing.decided_at = actor, now
                existing.version += 1
                existing.save()
                added.append(existing)
            start = page_text.find(text, end)
    if not added:
        where = f"page {page}" if page is not None else "any page"
        message = f"That exact text is not on {where} of the final draft, or is already decided there"
        raise InvalidInput(message, field_errors={"text": [message]})
    audit_record(
        actor=actor,
        action="redaction.manual",
        target=review,
        partnership=review.partnership,
        summary=f"Added {len(added)} redaction{'s' if len(added) != 1 else ''} by hand to {review.reference}",
    )
    return added


# -- the published file -------------------------------------------------------------------------------------------


def _redactions_by_page(draft: DraftVersion) -> dict[int, list[pdf.Redaction]]:
    by_page: dict[int, list[pdf.Redaction]] = defaultdict(list)
    for finding in RedactionFinding.objects.filter(draft=draft, decision=FindingDecision.REDACT):
        if draft.pages[finding.page - 1][finding.start : finding.end] != finding.text:
            raise InvalidInput(f"A redaction on page {finding.page} no longer matches the draft: scan it again")
        by_page[finding.page].append(pdf.Redaction(finding.start, finding.end, finding.label))
    return by_page


def _title(review: Review) -> str:
    try:
        label = get_framework(review.framework_code).review_type(review.review_type).label
    except KeyError:
        label = "Safeguarding practice review"
    return f"{label}: {review.pseudonym}"


def published_pdf(review: Review, draft: DraftVersion, published_on: datetime.date) -> tuple[bytes, int]:
    """The PDF to publish and how many redactions it carries."""
    by_page = _redactions_by_page(draft)
    pages = [pdf.redact_page(text, by_page.get(number, [])) for number, text in enumerate(draft.pages, start=1)]
    details = pdf.PdfDetails(title=_title(review), partnership=review.partnership.name, published_on=published_on)
    return pdf.render_pdf(details, pages), sum(len(pdf.merged(spans)) for spans in by_page.values())


@dataclass(frozen=True)
class Leak:
    text: str
    page: int


def redaction_leaks(draft: DraftVersion) -> list[Leak]:
    """Where a redacted string still appears unredacted (any case, as a whole word) and nobody decided to keep
    that occurrence: a name redacted on page 2 and missed on page 9 would otherwise be published."""
    findings = list(RedactionFinding.objects.filter(draft=draft).exclude(decision=FindingDecision.PENDING))
    redacted = {f.text.strip() for f in findings if f.decision == FindingDecision.REDACT}
    redacted = {text for text in redacted if len(text) >= LEAK_MINIMUM_LENGTH}
    if not redacted:
        return []
    covered: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for finding in findings:
        covered[finding.page].append((finding.start, finding.end))
    pattern = regex.compile(
        r"(?<![\w])(?:"
        + "|".join(r"\s+".join(map(regex.escape, text.split())) for text in sorted(redacted, key=len, reverse=True))
        + r")(?![\w])",
        regex.IGNORECASE,
    )
    leaks: list[Leak] = []
    seen: set[tuple[str, int]] = set()
    for number, text in enumerate(draft.pages, start=1):
        for match in pattern.finditer(text, overlapped=True):
            if any(start < match.end() and match.start() < end for start, end in covered[number]):
                continue
            key = (match.group().casefold(), number)
            if key not in seen:
                seen.add(key)
                leaks.append(Leak(match.group(), number))
    return leaks


def _deny_terms_in(text: str, deny_list: list[str]) -> bool:
    words = {
        word
        for term in deny_list
        if len(term.split()) > 1 and regex.fullmatch(r"[\p{L}'’.\- ]+", term)
        for word in term.split()
        if len(word) > 2 and word[:1].isupper()
    }
    terms = sorted({*deny_list, *words}, key=len, reverse=True)
    if not terms:
        return False
    pattern = regex.compile(
        r"(?<![\w])(?:" + "|".join(r"\s+".join(map(regex.escape, t.split())) for t in terms) + r")(?![\w])",
        regex.IGNORECASE,
    )
    return pattern.search(text) is not None


def _unique_slug(review: Review, published_on: datetime.date) -> str:
    base = slugify(f"{review.partnership.slug} {review.pseudonym} {published_on.year}")[:100] or "review"
    slug, number = base, 1
    while Publication.objects.filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    return slug


def _publish_problems(gate: Gate, summary: str) -> list[str]:
    problems = gate.problems()
    if gate.draft is not None and not problems:
        problems.extend(
            f"“{leak.text}” is redacted elsewhere but not on page {leak.page}: redact it there too, or keep it with "
            "a reason"
            for leak in redaction_leaks(gate.draft)
        )
    if not summary:
        problems.append("Write the summary for the public page")
    elif gate.case_key is not None and _deny_terms_in(summary, gate.case_key.deny_list):
        problems.append("The summary contains a name or detail from the case key: remove it")
    return problems


def _redactions_fingerprint(draft: DraftVersion) -> str:
    """What the published file depends on: the draft's text and every redaction with its label."""
    spans = sorted(
        (f.page, f.start, f.end, f.label)
        for f in RedactionFinding.objects.filter(draft=draft, decision=FindingDecision.REDACT)
    )
    return hashlib.sha256(repr((draft.pk, pages_fingerprint(draft.pages), spans)).encode("utf-8")).hexdigest()


def review_publish(
    *,
    actor: User,
    review: Review,
    summary: str,
    expected_version: int | None = None,
    today: datetime.date | None = None,
) -> Publication:
    """Publish a signed-off review: refused while the redaction gate or the reviews app holds it back.

    The PDF is made before the transaction (a long report takes seconds, and on SQLite a transaction holds the
    database's one write lock); inside it every rule is checked again, and if any redaction changed meanwhile
    nothing is published."""
    _require(actor, "publication.publish", review, "Only the partnership's business manager publishes a review")
    today = today or timezone.localdate()
    summary = summary.strip()
    gate = gate_of(review, today)
    problems = _publish_problems(gate, summary)
    if problems:
        raise InvalidInput(" ".join(problems), field_errors={"__all__": problems})
    assert gate.draft is not None  # the problems above rule it out
    fingerprint = _redactions_fingerprint(gate.draft)
    data, redaction_count = published_pdf(review, gate.draft, today)
    with transaction.atomic():
        review = Review.objects.select_for_update().select_related("partnership").get(pk=review.pk)
        if expected_version is not None and review.version != expected_version:
            raise EditConflict(f"Review {review.reference} was changed by someone else. Nothing was published.")
        gate = gate_of(review, today)
        problems = _publish_problems(gate, summary)
        if problems:
            raise InvalidInput(" ".join(problems), field_errors={"__all__": problems})
        assert gate.draft is not None and gate.scan is not None  # the problems above rule both out
        if _redactions_fingerprint(gate.draft) != fingerprint:
            raise EditConflict("The redactions changed while the report was being prepared. Nothing was published.")
        return _publication_create(actor, review, gate, summary, today, data, redaction_count)


def _publication_create(
    actor: User, review: Review, gate: Gate, summary: str, today: datetime.date, data: bytes, redaction_count: int
) -> Publication:
    assert gate.draft is not None and gate.scan is not None  # checked by the caller
    digest = store_blob(data)
    framework = get_framework(review.framework_code)
    window_ends_on = due_date(
        today,
        framework.publication.window_length,
        ClockUnit(framework.publication.window_unit),
        review_calendar(review),
    )
    publication = Publication.objects.create(
        review=review,
        slug=_unique_slug(review, today),
        summary=summary,
        published_on=today,
        window_ends_on=window_ends_on,
        draft=gate.draft,
        scan=gate.scan,
        file_sha256=digest,
        file_size=len(data),
        page_count=len(gate.draft.pages),
        redaction_count=redaction_count,
        published_by=actor,
    )
    review_status_change(
        review=review, to_status=ReviewStatus.PUBLISHED, actor=actor, note=f"published until at least {window_ends_on}"
    )
    audit_record(
        actor=actor,
        action="publication.publish",
        target=publication,
        partnership=review.partnership,
        summary=(
            f"Published {review.reference} as {review.pseudonym} with {redaction_count} redactions; online until "
            f"{window_ends_on}"
        ),
        changes={"file_sha256": digest},
    )
    from casereviews.publication.tasks import send_publication_to_library

    transaction.on_commit(lambda: send_publication_to_library.enqueue(publication.pk))
    return publication


def publication_to_library(publication_id: int) -> Publication | None:
    """Give the published PDF to the library by its normal ingestion, and link the two. Safe to run again: the
    library returns the report it already has for the same bytes."""
    publication = Publication.objects.select_related("review").filter(pk=publication_id).first()
    if publication is None or publication.library_report_id is not None:
        return publication
    result = report_upload(
        uploaded_by=None, filename=publication.filename, data=read_blob(publication.file_sha256), source="publication"
    )
    with transaction.atomic():
        linked = Publication.objects.filter(pk=publication.pk, library_report__isnull=True).update(
            library_report=result.report
        )
        if linked:
            audit_record(
                actor=None,
                action="publication.to_library",
                target=publication,
                partnership=publication.review.partnership,
                summary=f"Sent the published report of {publication.review.reference} to the library",
            )
    publication.refresh_from_db()
    return publication


# -- the window ---------------------------------------------------------------------------------------------------


def publication_window_close(*, publication: Publication, today: datetime.date) -> bool:
    """Make the report available on request only, once its window has ended. Returns whether it acted; a window
    already closed is left alone, so running this again does nothing."""
    with transaction.atomic():
        locked = Publication.objects.select_for_update().select_related("review").get(pk=publication.pk)
        if locked.closed_on is not None or today <= locked.window_ends_on:
            return False
        if locked.review.status != ReviewStatus.PUBLISHED:
            return False
        review_status_change(
            review=locked.review,
            to_status=ReviewStatus.ON_REQUEST,
            actor=None,
            note=f"publication window ended on {locked.window_ends_on}",
        )
        locked.closed_on = today
        locked.save(update_fields=["closed_on"])
    return True


# -- requests after the window ------------------------------------------------------------------------------------


def _anonymous() -> AnonymousUser:
    return AnonymousUser()


@dataclass(frozen=True)
class RequestInput:
    name: str
    email: str
    organisation: str
    reason: str


@transaction.atomic
def report_request_submit(
    *, publication: Publication, data: RequestInput, ip_address: str | None, now: datetime.datetime | None = None
) -> ReportRequest:
    """A member of the public asks for a report whose window has closed. Limited per address and e-mail per day."""
    now = now or timezone.now()
    if publication.review.status != ReviewStatus.ON_REQUEST:
        raise InvalidInput("This report can be downloaded from its page: there is no need to ask for it")
    since = now - datetime.timedelta(days=1)
    email = data.email.strip().lower()
    recent = ReportRequest.objects.filter(requested_at__gte=since)
    if recent.filter(email__iexact=email).count() >= REQUESTS_PER_DAY_PER_EMAIL or (
        ip_address and recent.filter(ip_address=ip_address).count() >= REQUESTS_PER_DAY_PER_ADDRESS
    ):
        raise InvalidInput("You have made too many requests today. Try again tomorrow.")
    request = ReportRequest.objects.create(
        publication=publication,
        name=data.name.strip(),
        email=email,
        organisation=data.organisation.strip(),
        reason=data.reason.strip(),
        ip_address=ip_address,
        requested_at=now,
    )
    audit_record(
        actor=_anonymous(),
        action="report_request.submit",
        target=request,
        partnership=publication.review.partnership,
        summary=f"A member of the public asked for the report of {publication.review.reference}",
    )
    from casereviews.publication.tasks import report_request_received_email

    transaction.on_commit(lambda: report_request_received_email.enqueue(request.pk))
    return request


def _lock_pending(actor: User, request: ReportRequest, expected_version: int | None) -> ReportRequest:
    locked = (
        ReportRequest.objects.select_for_update().select_related("publication__review__partnership").get(pk=request.pk)
    )
    _require(
        actor,
        "publication.answer_requests",
        locked.publication.review,
        "Only the partnership's business manager answers requests for a report",
    )
    if expected_version is not None and locked.version != expected_version:
        raise EditConflict("Someone else answered this request while you were looking at it. Nothing was saved.")
    if locked.status != RequestStatus.PENDING:
        raise TransitionNotAllowed(f"This request was already {locked.get_status_display().lower()}")
    return locked


@transaction.atomic
def report_request_grant(*, actor: User, request: ReportRequest, expected_version: int | None = None) -> ReportRequest:
    """Grant: the requester is e-mailed a download link that works for `REQUEST_LINK_DAYS` days."""
    locked = _lock_pending(actor, request, expected_version)
    locked.status, locked.decided_by, locked.decided_at = RequestStatus.GRANTED, actor, timezone.now()
    locked.version += 1
    locked.save()
    audit_record(
        actor=actor,
        action="report_request.grant",
        target=locked,
        partnership=locked.publication.review.partnership,
        summary=f"Granted request {locked.pk} for the report of {locked.publication.review.reference}",
    )
    from casereviews.publication.tasks import report_request_answer_email

    transaction.on_commit(lambda: report_request_answer_email.enqueue(locked.pk))
    return locked


@transaction.atomic
def report_request_refuse(
    *, actor: User, request: ReportRequest, reason: str, expected_version: int | None = None
) -> ReportRequest:
    locked = _lock_pending(actor, request, expected_version)
    if not reason.strip():
        message = "Give the reason for refusing: it is sent to the person who asked"
        raise InvalidInput(message, field_errors={"reason": [message]})
    locked.status, locked.decided_by, locked.decided_at = RequestStatus.REFUSED, actor, timezone.now()
    locked.refusal_reason = reason.strip()
    locked.version += 1
    locked.save()
    audit_record(
        actor=actor,
        action="report_request.refuse",
        target=locked,
        partnership=locked.publication.review.partnership,
        summary=f"Refused request {locked.pk} for the report of {locked.publication.review.reference}",
    )
    from casereviews.publication.tasks import report_request_answer_email

    transaction.on_commit(lambda: report_request_answer_email.enqueue(locked.pk))
    return locked


def link_max_age() -> datetime.timedelta:
    return datetime.timedelta(days=getattr(settings, "PUBLICATION_REQUEST_LINK_DAYS", REQUEST_LINK_DAYS))


def request_download_token(request: ReportRequest) -> str:
    return signing.dumps({"request": request.pk}, salt=REQUEST_TOKEN_SALT)


@transaction.atomic
def request_download(*, token: str) -> ReportRequest:
    """The granted request a download link stands for, with the download counted and audited; refused when the
    link is altered, expired or was never granted."""
    try:
        payload = signing.loads(token, salt=REQUEST_TOKEN_SALT, max_age=link_max_age())
    except signing.SignatureExpired as error:
        raise NotAllowed("This link has expired. Ask for the report again from its page.") from error
    except signing.BadSignature as error:
        raise NotAllowed("This link is not valid.") from error
    request = (
        ReportRequest.objects.select_for_update()
        .select_related("publication__review__partnership")
        .filter(pk=payload.get("request"), status=RequestStatus.GRANTED)
        .first()
    )
    if request is None:
        raise NotAllowed("This link is not valid.")
    request.download_count += 1
    request.save(update_fields=["download_count"])
    audit_record(
        actor=_anonymous(),
        action="report_request.download",
        target=request,
        partnership=request.publication.review.partnership,
        summary=f"Downloaded the report of {request.publication.review.reference} with the link from request "
        f"{request.pk} (download {request.download_count})",
    )
    return request
