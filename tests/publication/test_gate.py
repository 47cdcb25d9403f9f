"""The redaction gate: the scan with the case key, people's decisions, re-scans, and the refusals of publishing."""

from __future__ import annotations

import io

import pypdfium2
import pytest
from django_tasks_db.models import DBTaskResult

from casereviews.core.errors import EditConflict, InvalidInput, NotAllowed
from casereviews.core.files import read_blob
from casereviews.core.models import AuditEvent
from casereviews.publication.models import (
    FindingDecision,
    FindingSource,
    Publication,
    RedactionFinding,
    ScanStatus,
)
from casereviews.publication.services import (
    case_key_save,
    finding_decide,
    manual_redaction_add,
    publication_to_library,
    redaction_scan_request,
    redaction_scan_run,
    review_publish,
)
from casereviews.reviews.models import ReviewStatus
from tests.factories import make_draft
from tests.publication.conftest import (
    ALLOW,
    DENY,
    KEPT_TEXT,
    PAGES,
    SUMMARY,
    keyed_and_scanned,
    make_signed_off_review,
    publish_review,
    redact_everything,
    scan,
)

pytestmark = pytest.mark.django_db


def findings(review, draft=None):
    rows = RedactionFinding.objects.filter(review=review)
    return rows.filter(draft=draft) if draft is not None else rows


def pdf_text(data: bytes) -> str:
    document = pypdfium2.PdfDocument(io.BytesIO(data))
    return "\n".join(page.get_textpage().get_text_range() for page in document)


def new_final_draft(review, people, pages):
    review.drafts.update(is_final=False)
    return make_draft(review, by=people.reviewer, pages=pages, is_final=True)


# -- the scan -----------------------------------------------------------------------------------------------------


def test_the_scan_reports_every_case_key_entry_with_its_page_offsets_type_and_score(review, people):
    keyed_and_scanned(review, people.manager)
    rows = list(findings(review))
    for row in rows:
        assert PAGES[row.page - 1][row.start : row.end] == row.text
    known = {(row.page, row.text) for row in rows if row.type == "KNOWN_NAME"}
    assert {(1, term) for term in DENY} <= known
    assert (2, "Jayden") in known  # a part of a full name on the deny list, on its own
    assert all(row.decision == FindingDecision.PENDING and row.score > 0 for row in rows)
    assert not any(row.text in {"Child T", "HV1", "Mother"} for row in rows)


def test_a_scan_runs_in_the_task_worker_and_shows_its_progress(review, people, django_capture_on_commit_callbacks):
    case_key_save(actor=people.manager, review=review, deny_list=DENY, allow_list=ALLOW)
    with django_capture_on_commit_callbacks(execute=True):
        queued = redaction_scan_request(actor=people.chair, review=review)
    assert queued.status == ScanStatus.QUEUED and queued.progress == 0
    assert DBTaskResult.objects.filter(task_path="casereviews.publication.tasks.run_redaction_scan").count() == 1
    assert redaction_scan_request(actor=people.chair, review=review) == queued  # no second scan while one waits
    finished = redaction_scan_run(queued.pk)
    assert finished.status == ScanStatus.DONE and finished.progress == 100 and finished.finding_count > 0
    assert redaction_scan_run(queued.pk).finding_count == finished.finding_count  # a second run changes nothing


def test_a_scan_needs_a_case_key_and_a_final_draft(review, people):
    with pytest.raises(InvalidInput, match="case key"):
        redaction_scan_request(actor=people.manager, review=review, queue=False)
    case_key_save(actor=people.manager, review=review, deny_list=DENY, allow_list=ALLOW)
    review.drafts.update(is_final=False)
    with pytest.raises(InvalidInput, match="final draft"):
        redaction_scan_request(actor=people.manager, review=review, queue=False)


# -- decisions ----------------------------------------------------------------------------------------------------


def test_a_finding_kept_needs_a_reason_and_the_decision_names_the_person(review, people):
    keyed_and_scanned(review, people.manager)
    finding = findings(review).get(type="DATE")
    with pytest.raises(InvalidInput, match="Say why"):
        finding_decide(actor=people.chair, finding=finding, decision=FindingDecision.KEEP)
    kept = finding_decide(
        actor=people.chair, finding=finding, decision=FindingDecision.KEEP, reason="A month and year identifies nobody"
    )
    assert (kept.decision, kept.decided_by, kept.reason) == ("keep", people.chair, "A month and year identifies nobody")
    with pytest.raises(EditConflict):
        finding_decide(
            actor=people.manager, finding=kept, decision=FindingDecision.REDACT, expected_version=finding.version
        )


def test_a_manual_redaction_covers_every_occurrence_of_the_exact_text(review, people):
    keyed_and_scanned(review, people.manager)
    added = manual_redaction_add(actor=people.manager, review=review, text="new partner", replacement="[adult]")
    assert [(row.page, row.source, row.decision, row.replacement) for row in added] == [
        (2, FindingSource.MANUAL, FindingDecision.REDACT, "[adult]")
    ]
    with pytest.raises(InvalidInput, match="not on page 3"):
        manual_redaction_add(actor=people.manager, review=review, text="Jayden", page=3)


def test_only_the_business_manager_and_the_chair_keep_the_case_key_and_decide(review, people):
    keyed_and_scanned(review, people.manager)
    finding = findings(review).first()
    for persona in ["subgroup", "reviewer", "agency_lead", "referrer", "analyst", "other_manager", "outsider"]:
        person = getattr(people, persona)
        with pytest.raises(NotAllowed):
            case_key_save(actor=person, review=review, deny_list=DENY, allow_list=ALLOW)
        with pytest.raises(NotAllowed):
            redaction_scan_request(actor=person, review=review, queue=False)
        with pytest.raises(NotAllowed):
            finding_decide(actor=person, finding=finding, decision=FindingDecision.REDACT)
        with pytest.raises(NotAllowed):
            manual_redaction_add(actor=person, review=review, text="Jayden")


def test_the_audit_log_counts_case_key_entries_but_never_records_them(review, people):
    case_key_save(actor=people.manager, review=review, deny_list=DENY, allow_list=ALLOW)
    entry = AuditEvent.objects.filter(action="case_key.save").get()
    assert entry.changes == {"deny_entries": [0, 5], "allow_entries": [0, 3]}
    logged = " ".join(f"{e.summary} {e.changes}" for e in AuditEvent.objects.all())
    assert not any(term.lower() in logged.lower() for term in DENY)


# -- re-scans -----------------------------------------------------------------------------------------------------


def test_a_new_final_draft_keeps_decisions_for_identical_findings_only(review, people):
    keyed_and_scanned(review, people.manager)
    redact_everything(review, people.chair)
    manual_redaction_add(actor=people.manager, review=review, text="new partner")
    changed_page_two = PAGES[1].replace("May 2022", "June 2022")
    second = new_final_draft(review, people, [PAGES[0], changed_page_two, PAGES[2]])
    scan(review, people.manager)
    page_one = findings(review, second).filter(page=1)
    assert page_one.count() == 7
    assert all(row.decision == FindingDecision.REDACT and row.decided_by == people.chair for row in page_one)
    assert all(row.carried_from is not None for row in page_one)
    # Page 2 changed: nothing on it is carried, not even the redaction typed by hand.
    assert set(findings(review, second).filter(page=2).values_list("decision", flat=True)) == {"pending"}
    assert not findings(review, second).filter(source=FindingSource.MANUAL).exists()


def test_a_rescan_never_overwrites_a_decision_even_when_the_scanner_no_longer_finds_it(review, people):
    keyed_and_scanned(review, people.manager)
    postcode = findings(review).get(type="POSTCODE")
    finding_decide(actor=people.manager, finding=postcode, decision=FindingDecision.KEEP, reason="Checked")
    county = findings(review).get(type="ORGANISATION")
    finding_decide(actor=people.manager, finding=county, decision=FindingDecision.REDACT, replacement="[town]")
    keyed_and_scanned(review, people.manager, allow=[*ALLOW, "Northtown"])
    county.refresh_from_db()
    postcode.refresh_from_db()
    assert (county.decision, county.replacement, county.machine_present) == ("redact", "[town]", False)
    assert (postcode.decision, postcode.reason, postcode.machine_present) == ("keep", "Checked", True)


# -- publishing is refused ... ------------------------------------------------------------------------------------


def test_publishing_is_refused_while_any_finding_is_undecided(review, people):
    keyed_and_scanned(review, people.manager)
    with pytest.raises(InvalidInput, match="still need a decision"):
        review_publish(actor=people.manager, review=review, summary=SUMMARY)
    review.refresh_from_db()
    assert review.status == ReviewStatus.SIGNED_OFF and not Publication.objects.exists()


def test_publishing_is_refused_before_any_scan_and_when_the_final_draft_changed_since(review, people):
    case_key_save(actor=people.manager, review=review, deny_list=DENY, allow_list=ALLOW)
    with pytest.raises(InvalidInput, match="not been scanned"):
        review_publish(actor=people.manager, review=review, summary=SUMMARY)
    scan(review, people.manager)
    redact_everything(review, people.manager)
    new_final_draft(review, people, [*PAGES, "4. Appendix\n"])
    with pytest.raises(InvalidInput, match="changed since the last scan"):
        review_publish(actor=people.manager, review=review, summary=SUMMARY)


def test_publishing_is_refused_when_the_case_key_changed_since_the_scan(review, people):
    keyed_and_scanned(review, people.manager)
    redact_everything(review, people.manager)
    case_key_save(actor=people.manager, review=review, deny_list=[*DENY, "Northtown"], allow_list=ALLOW)
    with pytest.raises(InvalidInput, match="case key has changed"):
        review_publish(actor=people.manager, review=review, summary=SUMMARY)


def test_publishing_is_refused_while_a_redacted_name_still_appears_unredacted_elsewhere(people, northshire):
    pages = [*PAGES[:2], PAGES[2] + "The report was shared with jayden's school.\n"]
    review = make_signed_off_review(people, northshire, pages=pages)
    keyed_and_scanned(review, people.manager)
    redact_everything(review, people.manager)
    findings(review).filter(page=3).delete()  # as if the scanner had missed the lower-case mention
    with pytest.raises(InvalidInput, match="“jayden” is redacted elsewhere but not on page 3"):
        review_publish(actor=people.manager, review=review, summary=SUMMARY)


def test_publishing_is_refused_while_the_reviews_app_holds_it_back(people, northshire):
    recent = make_signed_off_review(people, northshire, sent_days_ago=0)
    keyed_and_scanned(recent, people.manager)
    redact_everything(recent, people.manager)
    with pytest.raises(InvalidInput, match="notice before publication"):
        review_publish(actor=people.manager, review=recent, summary=SUMMARY)
    assert Publication.objects.count() == 0


def test_publishing_is_refused_when_the_summary_names_someone_from_the_case_key(review, people):
    keyed_and_scanned(review, people.manager)
    redact_everything(review, people.manager)
    with pytest.raises(InvalidInput, match="summary contains a name"):
        review_publish(actor=people.manager, review=review, summary="Jayden was harmed at home.")


def test_only_the_business_manager_publishes(review, people):
    keyed_and_scanned(review, people.manager)
    redact_everything(review, people.manager)
    for persona in ["chair", "subgroup", "reviewer", "agency_lead", "referrer", "analyst", "other_manager", "outsider"]:
        with pytest.raises(NotAllowed):
            review_publish(actor=getattr(people, persona), review=review, summary=SUMMARY)


# -- ... and once it is allowed -----------------------------------------------------------------------------------


def test_the_published_pdf_has_no_redacted_text_in_any_case_and_keeps_the_rest(review, people):
    keyed_and_scanned(review, people.manager)
    kept = findings(review).get(type="DATE")
    finding_decide(actor=people.manager, finding=kept, decision=FindingDecision.KEEP, reason="Month only")
    redact_everything(review, people.manager)
    publication = review_publish(actor=people.manager, review=review, summary=SUMMARY)
    text = pdf_text(read_blob(publication.file_sha256)).lower()
    redacted = findings(review).filter(decision=FindingDecision.REDACT).values_list("text", flat=True)
    for secret in [*redacted, *DENY, "Marsh", "Larch", "Oakfield", "NT3"]:
        assert secret.lower() not in text
    assert KEPT_TEXT.lower() in text and "may 2022" in text and "child t" in text
    assert "[redacted]" in text
    assert publication.redaction_count == len(redacted)


def test_publishing_goes_through_the_one_door_and_opens_the_framework_window(review, people):
    publication = publish_review(people, review)
    review.refresh_from_db()
    assert review.status == ReviewStatus.PUBLISHED
    assert publication.window_ends_on == publication.published_on.replace(year=publication.published_on.year + 1)
    assert AuditEvent.objects.filter(action="review.status_changed", object_id=str(review.pk)).exists()
    assert AuditEvent.objects.filter(action="publication.publish").count() == 1
    with pytest.raises(InvalidInput):
        review_publish(actor=people.manager, review=review, summary=SUMMARY)


def test_a_2015_review_stays_online_for_twelve_months(people, northshire):
    review = make_signed_off_review(people, northshire, framework_code="england_2015", review_type="scr")
    publication = publish_review(people, review)
    published = publication.published_on
    months = (
        (publication.window_ends_on.year - published.year) * 12 + publication.window_ends_on.month - published.month
    )
    assert months == 12


def test_the_published_report_enters_the_library_by_normal_ingestion_with_a_link_back(
    review, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        publication = publish_review(people, review)
    assert (
        DBTaskResult.objects.filter(task_path="casereviews.publication.tasks.send_publication_to_library").count() == 1
    )
    with django_capture_on_commit_callbacks(execute=True):
        linked = publication_to_library(publication.pk)
    report = linked.library_report
    assert report is not None and report.source == "publication" and report.sha256 == publication.file_sha256
    assert report.publication == publication
    assert "jayden" not in report.text.lower() and KEPT_TEXT in " ".join(report.text.split())
    assert DBTaskResult.objects.filter(task_path="casereviews.library.tasks.process_report").count() == 1
    assert publication_to_library(publication.pk).library_report == report  # a second run changes nothing


def test_nothing_is_published_when_a_redaction_changes_while_the_pdf_is_being_made(review, people, monkeypatch):
    from casereviews.publication import services

    keyed_and_scanned(review, people.manager)
    redact_everything(review, people.manager)
    make_pdf = services.published_pdf

    def someone_redacts_meanwhile(*args, **kwargs):
        made = make_pdf(*args, **kwargs)
        manual_redaction_add(actor=people.chair, review=review, text="new partner")
        return made

    monkeypatch.setattr(services, "published_pdf", someone_redacts_meanwhile)
    with pytest.raises(EditConflict, match="redactions changed"):
        review_publish(actor=people.manager, review=review, summary=SUMMARY)
    assert not Publication.objects.exists()


def test_a_scan_left_behind_by_a_stopped_worker_can_be_started_again(review, people):
    from casereviews.publication.models import RedactionScan
    from casereviews.publication.selectors import SCAN_ABANDONED_AFTER, gate_of

    case_key_save(actor=people.manager, review=review, deny_list=DENY, allow_list=ALLOW)
    stuck = redaction_scan_request(actor=people.manager, review=review, queue=False)
    assert "still running" in gate_of(review).stale
    RedactionScan.objects.filter(pk=stuck.pk).update(
        status=ScanStatus.RUNNING, requested_at=stuck.requested_at - SCAN_ABANDONED_AFTER * 2
    )
    assert "did not finish" in gate_of(review).stale
    again = redaction_scan_request(actor=people.manager, review=review, queue=False)
    assert again != stuck and redaction_scan_run(again.pk).status == ScanStatus.DONE
    assert gate_of(review).stale == ""
