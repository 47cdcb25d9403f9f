"""Getting reports into the library, and people's decisions on what the machine proposes."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from casereviews.core.errors import EditConflict, InvalidInput, NotAllowed
from casereviews.core.files import blob_path
from casereviews.core.models import AuditEvent
from casereviews.library.models import ExtractedValue, Report, ReportPage, ReportStatus, ValueStatus
from casereviews.library.selectors import confirmed_record
from casereviews.library.services import (
    code_add,
    report_process,
    report_upload,
    reports_requeue_stale,
    value_decide,
)
from extraction.corpus import generate_report
from tests.extraction import fixtures_builders as build

pytestmark = pytest.mark.django_db

REPORT_TEXT = """Northshire Safeguarding Children Partnership
Local Child Safeguarding Practice Review: Child M
Published: March 2024

1. Introduction
This review concerns Child M, a 4-month-old boy of White British heritage who died in March 2023. He was
found unresponsive in the parental bed after his parents had been drinking.

2. Background
There was a history of domestic abuse between the parents. Mother's mental health had been a concern.
There was no evidence of drug misuse.

3. Findings
Finding 1: Information was not shared between the health visitor and children's social care.

4. Recommendations
1. The partnership should make sure that safer sleep advice is given at every contact.
2. Health visiting should share information about domestic abuse with children's social care.
"""


def upload(text: str = REPORT_TEXT, name: str = "child-m.txt", by=None):
    return report_upload(uploaded_by=by, filename=name, data=text.encode(), queue=False)


def value(report, field, key=""):
    return ExtractedValue.objects.get(report=report, field=field, key=key)


def test_an_uploaded_report_is_read_at_once_and_analysed_into_proposals_with_evidence(people):
    report = upload(by=people.analyst).report
    assert report.status == ReportStatus.QUEUED and report.page_count == 1
    assert ReportPage.objects.filter(report=report).count() == 1
    assert blob_path(report.sha256).read_bytes() == REPORT_TEXT.encode()
    report_process(report.pk)
    report.refresh_from_db()
    assert report.status == ReportStatus.READY and report.progress == 100
    age = value(report, "child.age_years")
    assert age.status == ValueStatus.PROPOSED
    assert age.proposed_value == pytest.approx(4 / 12, abs=0.01)
    for evidence in age.evidence:
        assert report.text[evidence["start"] : evidence["end"]] == evidence["quote"]
    assert value(report, "risk_factors", "domestic_abuse").proposed_value is True
    assert not ExtractedValue.objects.filter(report=report, field="risk_factors", key="parental_drug_misuse").exists()
    assert ExtractedValue.objects.filter(report=report, field="recommendations").count() == 2


def test_the_same_file_twice_adds_nothing(people):
    first = upload(by=people.analyst)
    second = upload(by=people.manager)
    assert first.created and not second.created
    assert second.report.pk == first.report.pk
    assert Report.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.pdf", b"", "empty"),
        ("corrupt.pdf", b"%PDF-1.7\n this is not really a pdf", "damaged"),
        ("report.docx", b"%PDF-1.4\n", "is a PDF"),
        ("latin1.txt", "Caf\u00e9 r\u00e9sum\u00e9".encode("latin-1"), "UTF-8"),
        ("notes.exe", b"MZ\x90\x00", "not supported"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_with_its_reason_and_leaves_nothing(people, name, data, reason):
    audit_before = AuditEvent.objects.count()
    with pytest.raises(InvalidInput) as refused:
        report_upload(uploaded_by=people.analyst, filename=name, data=data, queue=False)
    assert reason.lower() in refused.value.message.lower()
    assert Report.objects.count() == 0 and ReportPage.objects.count() == 0
    assert AuditEvent.objects.count() == audit_before


def test_encrypted_image_only_and_bomb_files_are_refused_with_their_reasons(people):
    cases = [
        ("locked.pdf", build.encrypted_pdf("Child A was 2."), "password"),
        ("scan.pdf", build.image_only_pdf(), "OCR"),
        ("bomb.docx", build.docx_bomb(300 * 1024 * 1024), "expand"),
    ]
    for name, data, reason in cases:
        with pytest.raises(InvalidInput) as refused:
            report_upload(uploaded_by=people.analyst, filename=name, data=data, queue=False)
        assert reason.lower() in refused.value.message.lower(), refused.value.message
    assert Report.objects.count() == 0


def test_a_file_over_the_size_or_page_limit_is_refused(people, settings):
    settings.LIBRARY_MAX_BYTES = 100
    with pytest.raises(InvalidInput, match="limit"):
        upload(by=people.analyst)
    settings.LIBRARY_MAX_BYTES = 50 * 1024 * 1024
    settings.LIBRARY_MAX_PAGES = 2
    with pytest.raises(InvalidInput, match="pages"):
        upload("\f".join(["page"] * 3), name="three-pages.txt", by=people.analyst)
    assert Report.objects.count() == 0


@pytest.mark.parametrize("persona", ["referrer", "subgroup", "chair", "reviewer", "agency_lead", "outsider"])
def test_only_analysts_and_business_managers_add_reports_or_decide_on_proposals(people, persona):
    with pytest.raises(NotAllowed):
        upload(by=getattr(people, persona))
    report = upload(by=people.analyst).report
    report_process(report.pk)
    with pytest.raises(NotAllowed):
        value_decide(actor=getattr(people, persona), value=value(report, "child.sex"), decision="accept")


def test_a_human_decision_survives_a_re_run_of_extraction(people):
    report = upload(by=people.analyst).report
    report_process(report.pk)
    value_decide(
        actor=people.analyst,
        value=value(report, "child.ethnicity"),
        decision="correct",
        corrected="Mixed: White and Black Caribbean",
    )
    value_decide(actor=people.analyst, value=value(report, "risk_factors", "domestic_abuse"), decision="reject")
    value_decide(actor=people.manager, value=value(report, "outcome"), decision="accept")
    report_process(report.pk)
    assert value(report, "child.ethnicity").current == "Mixed: White and Black Caribbean"
    assert value(report, "child.ethnicity").status == ValueStatus.CORRECTED
    assert value(report, "risk_factors", "domestic_abuse").status == ValueStatus.REJECTED
    assert value(report, "outcome").decided_by == people.manager
    assert ExtractedValue.objects.filter(report=report, field="child.ethnicity").count() == 1


def test_only_confirmed_values_enter_the_confirmed_record(people):
    report = upload(by=people.analyst).report
    report_process(report.pk)
    assert confirmed_record(report)["outcome"] is None
    value_decide(actor=people.analyst, value=value(report, "outcome"), decision="accept")
    code_add(actor=people.analyst, report=report, field="practice_themes", code="professional_curiosity")
    record = confirmed_record(report)
    assert record["outcome"] == "died"
    assert record["practice_themes"] == ["professional_curiosity"]
    assert record["risk_factors"] == []


def test_a_correction_of_the_wrong_type_is_refused_and_nothing_changes(people):
    report = upload(by=people.analyst).report
    report_process(report.pk)
    age = value(report, "child.age_years")
    with pytest.raises(InvalidInput):
        value_decide(actor=people.analyst, value=age, decision="correct", corrected="four months")
    with pytest.raises(InvalidInput):
        value_decide(actor=people.analyst, value=value(report, "outcome"), decision="correct", corrected="murdered")
    age.refresh_from_db()
    assert age.status == ValueStatus.PROPOSED and age.version == 1


def test_two_people_deciding_the_same_value_one_gets_a_clear_conflict(people):
    report = upload(by=people.analyst).report
    report_process(report.pk)
    sex = value(report, "child.sex")
    value_decide(actor=people.analyst, value=sex, decision="accept", expected_version=sex.version)
    with pytest.raises(EditConflict, match="changed this value"):
        value_decide(actor=people.manager, value=sex, decision="reject", expected_version=sex.version)
    assert value(report, "child.sex").status == ValueStatus.ACCEPTED


def test_a_report_a_crashed_worker_left_half_analysed_is_queued_again_and_finishes(people):
    report = upload(by=people.analyst).report
    # What a worker killed mid-analysis leaves behind: a report marked as being analysed, no proposals.
    long_ago = timezone.now() - datetime.timedelta(hours=1)
    Report.objects.filter(pk=report.pk).update(
        status=ReportStatus.PROCESSING, processing_started_at=long_ago, uploaded_at=long_ago
    )
    assert reports_requeue_stale() == [report.pk]
    from django_tasks_db.models import DBTaskResult

    assert DBTaskResult.objects.filter(args_kwargs__args=[report.pk]).exists()
    report_process(report.pk)
    report_process(report.pk)  # a duplicate run of the re-queued task changes nothing
    report.refresh_from_db()
    assert report.status == ReportStatus.READY and report.attempts == 2
    assert ExtractedValue.objects.filter(report=report, field="child.sex").count() == 1


def test_a_generated_pdf_report_goes_through_the_whole_pipeline(people):
    generated = generate_report(7, 0, min_pages=10, max_pages=12, formats=("pdf",))
    report = report_upload(
        uploaded_by=people.analyst, filename=generated.filename, data=generated.render(), queue=False
    ).report
    report_process(report.pk)
    report.refresh_from_db()
    assert report.status == ReportStatus.READY
    assert report.page_count >= 10
    assert ExtractedValue.objects.filter(report=report, field="recommendations").exists()
