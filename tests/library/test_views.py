"""The library pages: who may see them, uploading, the review screen, the page viewer and downloads."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from casereviews.core.files import blob_path
from casereviews.core.models import AuditEvent
from casereviews.library.models import ExtractedValue, Report, ReportStatus, ValueStatus
from casereviews.library.services import report_process, report_upload, value_decide

pytestmark = pytest.mark.django_db

PROCESS_TASK = "casereviews.library.tasks.process_report"

# Three pages, separated by form feeds as a text export of a PDF would be.
REPORT_TEXT = (
    "Eastvale Safeguarding Children Partnership\n"
    "Local Child Safeguarding Practice Review: Child T\n"
    "Published: June 2023\n\n"
    "1. Introduction\n"
    "This review concerns Child T, a 2-year-old girl who was seriously harmed in January 2022. She was taken to\n"
    "hospital with an unexplained head injury. The family lived at 14 Larch Close, Eastvale EV3 9QT.\n"
    "\f"
    "2. Background\n"
    "There was a history of domestic abuse between the adults in the household. Mother's mental health had\n"
    "been a concern to the GP. There was no evidence of drug misuse.\n\n"
    "3. Findings\n"
    "Finding 1: Professionals did not share information about the new partner in the household.\n"
    "\f"
    "4. Recommendations\n"
    "1. The partnership should check that agencies share information about new adults in a household.\n"
    "2. Health visiting should ask about domestic abuse at every contact.\n"
)

WRONG_PERSONAS = ["referrer", "subgroup", "chair", "reviewer", "agency_lead", "outsider"]
LIBRARY_STAFF = ["analyst", "manager"]


def add_report(people, text: str = REPORT_TEXT, name: str = "child-t.txt", *, process: bool = True) -> Report:
    report = report_upload(uploaded_by=people.analyst, filename=name, data=text.encode(), queue=False).report
    if process:
        report_process(report.pk)
        report.refresh_from_db()
    return report


@pytest.fixture
def report(people):
    return add_report(people)


def value(report, field, key=""):
    return ExtractedValue.objects.get(report=report, field=field, key=key)


def decide_url(row: ExtractedValue) -> str:
    return reverse("library:decide", args=[row.pk])


def txt(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/plain")


# -- who may see what -------------------------------------------------------------------------------------------


def report_pages(report) -> list[str]:
    return [
        reverse("library:detail", args=[report.pk]),
        reverse("library:status", args=[report.pk]),
        reverse("library:page", args=[report.pk, 1]),
        reverse("library:download", args=[report.pk]),
    ]


@pytest.mark.parametrize("persona", WRONG_PERSONAS)
def test_people_who_are_not_library_staff_can_neither_see_nor_change_the_library(as_, report, persona):
    client = as_(persona)
    sex = value(report, "child.sex")
    assert client.get(reverse("library:list")).status_code == 403
    assert client.get(reverse("library:upload")).status_code == 403
    assert client.post(reverse("library:upload"), {"reports": txt("new.txt", b"A new report.")}).status_code == 403
    for url in report_pages(report):
        assert client.get(url).status_code == 404, url
    assert client.post(decide_url(sex), {"decision": "accept", "version": sex.version}).status_code == 404
    assert (
        client.post(reverse("library:add_code", args=[report.pk]), {"code": "practice_themes:escalation"}).status_code
        == 404
    )
    assert client.post(reverse("library:reprocess", args=[report.pk])).status_code == 404
    sex.refresh_from_db()
    report.refresh_from_db()
    assert sex.status == ValueStatus.PROPOSED
    assert report.status == ReportStatus.READY
    assert Report.objects.count() == 1
    assert not ExtractedValue.objects.filter(report=report, key="escalation").exists()
    assert not AuditEvent.objects.filter(action__in=["report.view", "report.download"]).exists()


def test_an_anonymous_visitor_is_sent_to_sign_in_from_every_library_page(as_, report):
    client = as_(None)
    sex = value(report, "child.sex")
    urls = [reverse("library:list"), reverse("library:upload"), *report_pages(report)]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and reverse("account_login") in response["Location"], url
    response = client.post(decide_url(sex), {"decision": "accept"})
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    assert value(report, "child.sex").status == ValueStatus.PROPOSED


@pytest.mark.parametrize("persona", LIBRARY_STAFF)
def test_analysts_and_business_managers_can_use_every_library_page(as_, report, persona):
    client = as_(persona)
    assert client.get(reverse("library:list")).status_code == 200
    assert client.get(reverse("library:upload")).status_code == 200
    for url in report_pages(report):
        assert client.get(url).status_code == 200, url


def test_the_library_link_appears_in_the_navigation_only_for_library_staff(as_, report):
    library_link = f'href="{reverse("library:list")}"'
    assert library_link in as_("analyst").get(reverse("home")).content.decode()
    assert library_link in as_("manager").get(reverse("home")).content.decode()
    assert library_link not in as_("referrer").get(reverse("home")).content.decode()


# -- the list ---------------------------------------------------------------------------------------------------


def test_the_list_shows_each_report_with_pages_status_and_proposals_awaiting_review(as_, people, report):
    waiting = add_report(people, "Child W was 3.\fPage two.", name="child-w.txt", process=False)
    Report.objects.filter(pk=waiting.pk).update(status=ReportStatus.PROCESSING, progress=40)
    page = as_("analyst").get(reverse("library:list")).content.decode()
    assert report.title in page and "child-w.txt" in page
    assert "Ready for review" in page and "Being analysed" in page and "40% done" in page
    awaiting = ExtractedValue.objects.filter(report=report, status=ValueStatus.PROPOSED).count()
    row = re.search(rf"{reverse('library:detail', args=[report.pk])}.*?</tr>", page, re.S)
    assert row and f">{awaiting}</td>" in row.group(0)
    assert reverse("library:upload") in page


def test_the_list_filters_by_status(as_, people, report):
    add_report(people, "Child W was 3.", name="child-w.txt", process=False)
    page = as_("analyst").get(reverse("library:list"), {"status": "queued"}).content.decode()
    assert "child-w.txt" in page
    assert reverse("library:detail", args=[report.pk]) not in page


# -- uploading --------------------------------------------------------------------------------------------------


def test_uploading_a_text_report_stores_it_queues_its_analysis_and_returns_to_the_list(
    as_, django_capture_on_commit_callbacks
):
    client = as_("analyst")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("library:upload"), {"reports": txt("child-t.txt", REPORT_TEXT.encode())})
    assert response.status_code == 302 and response["Location"] == reverse("library:list")
    report = Report.objects.get()
    assert report.status == ReportStatus.QUEUED and report.page_count == 3 and report.source == "upload"
    assert DBTaskResult.objects.filter(task_path=PROCESS_TASK, args_kwargs__args=[report.pk]).exists()
    assert "1 report added to the library" in client.get(response["Location"]).content.decode()
    report_process(report.pk)  # what the worker does with the queued task
    report.refresh_from_db()
    assert report.status == ReportStatus.READY
    assert ExtractedValue.objects.filter(report=report, field="recommendations").count() == 2


def test_uploading_a_file_already_in_the_library_adds_nothing_and_links_to_it(as_, report):
    response = as_("manager").post(reverse("library:upload"), {"reports": txt("copy.txt", REPORT_TEXT.encode())})
    page = response.content.decode()
    assert response.status_code == 200
    assert "copy.txt is already in the library" in page
    assert f'href="{reverse("library:detail", args=[report.pk])}"' in page
    assert Report.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("report.pdf", b"this is not a pdf at all, just words", "report.pdf: "),
        ("latin1.txt", "Caf\u00e9 r\u00e9sum\u00e9 of the review".encode("latin-1"), "UTF-8"),
    ],
)
def test_an_unreadable_upload_shows_its_reason_in_the_error_summary_and_stores_nothing(as_, name, data, reason):
    client = as_("analyst")
    audit_before = AuditEvent.objects.count()
    response = client.post(reverse("library:upload"), {"reports": SimpleUploadedFile(name, data)})
    page = response.content.decode()
    assert response.status_code == 200
    summary = re.search(r'<div class="govuk-error-summary".*?</ul>', page, re.S)
    assert summary and reason in summary.group(0)
    assert "<title>Error: " in page
    assert Report.objects.count() == 0
    assert AuditEvent.objects.count() == audit_before
    assert not blob_path(hashlib.sha256(data).hexdigest()).exists()


def test_a_batch_keeps_the_readable_files_and_names_the_unreadable_one(as_):
    files = [txt("good.txt", REPORT_TEXT.encode()), txt("bad.txt", "na\u00efve".encode("latin-1"))]
    response = as_("analyst").post(reverse("library:upload"), {"reports": files})
    page = response.content.decode()
    assert "bad.txt: " in page and "UTF-8" in page
    assert "1 report added to the library" in page
    assert list(Report.objects.values_list("filename", flat=True)) == ["good.txt"]


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(as_, settings):
    settings.LIBRARY_MAX_BYTES = 100
    response = as_("analyst").post(reverse("library:upload"), {"reports": txt("long.txt", REPORT_TEXT.encode())})
    assert "the limit is" in response.content.decode()
    assert Report.objects.count() == 0


def test_uploading_with_no_file_asks_for_one(as_):
    response = as_("analyst").post(reverse("library:upload"), {})
    assert "Choose at least one file to upload" in response.content.decode()


# -- the review screen -------------------------------------------------------------------------------------------


def test_the_review_screen_shows_each_proposal_beside_its_evidence_with_named_buttons(as_, report):
    page = as_("analyst").get(reverse("library:detail", args=[report.pk])).content.decode()
    age = value(report, "child.age_years")
    assert age.evidence, "the extractor should quote the age"
    evidence = age.evidence[0]
    assert f"“{evidence['quote']}”" in page
    page_link = reverse("library:page", args=[report.pk, evidence["page"]])
    assert f"{page_link}?start={evidence['start']}&amp;end={evidence['end']}#evidence" in page
    assert '<span class="govuk-visually-hidden"> value of Child&#x27;s age in years</span>' in page
    assert '<span class="govuk-visually-hidden"> value of Domestic abuse</span>' in page
    for heading in ["The child", "Risk factors", "Recommendations"]:
        assert f">{heading}</h2>" in page


def test_coded_values_are_shown_in_words_and_corrected_from_a_list(as_, report):
    framework = value(report, "framework")
    assert framework.proposed_value == "england_2023"
    page = as_("analyst").get(reverse("library:detail", args=[report.pk])).content.decode()
    card = re.search(rf'id="value-{framework.pk}".*?</select>', page, re.S)
    assert card and "England – Working Together 2018 and 2023" in card.group(0)
    assert '<option value="england_2023" selected>' in card.group(0)
    assert '<option value="wales">Wales – Child Practice Reviews</option>' in card.group(0)


def test_viewing_a_report_is_recorded_in_the_audit_log(as_, people, report):
    as_("analyst").get(reverse("library:detail", args=[report.pk]))
    event = AuditEvent.objects.get(action="report.view")
    assert event.actor == people.analyst
    assert event.object_id == str(report.pk)


def test_personal_data_found_in_the_report_is_counted_and_listed_by_type_and_page(as_, report):
    assert any(finding["type"] == "POSTCODE" for finding in report.pii_findings)
    page = as_("analyst").get(reverse("library:detail", args=[report.pk])).content.decode()
    count = len(report.pii_findings)
    assert f"{count} possible piece{'s' if count != 1 else ''} of personal data" in page
    table = re.search(r'<table class="govuk-table" id="pii-findings">.*?</table>', page, re.S)
    assert table and "Postcode" in table.group(0) and "Page 1" in table.group(0)
    assert "EV3 9QT" not in table.group(0)


def test_a_report_still_being_analysed_shows_its_progress_and_a_refresh_link(as_, people):
    report = add_report(people, process=False)
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.PROCESSING, progress=25)
    client = as_("analyst")
    page = client.get(reverse("library:detail", args=[report.pk])).content.decode()
    assert "Being analysed" in page and ">25</span>% done" in page
    assert "Refresh this page" in page
    assert reverse("library:status", args=[report.pk]) in page
    assert "js/library.js" in page
    status = client.get(reverse("library:status", args=[report.pk])).json()
    assert status == {
        "status": "processing",
        "label": "Being analysed",
        "progress": 25,
        "failure_reason": "",
        "finished": False,
    }


def test_a_report_whose_analysis_failed_shows_the_reason(as_, people):
    report = add_report(people, process=False)
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.FAILED, failure_reason="MemoryError: too big")
    page = as_("analyst").get(reverse("library:detail", args=[report.pk])).content.decode()
    assert "The analysis failed: MemoryError: too big" in page
    assert "js/library.js" not in page


def test_accepting_a_proposal_on_the_page_confirms_it_and_is_audited(as_, people, report):
    sex = value(report, "child.sex")
    response = as_("analyst").post(decide_url(sex), {"decision": "accept", "version": sex.version})
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('library:detail', args=[report.pk])}#value-{sex.pk}"
    sex.refresh_from_db()
    assert sex.status == ValueStatus.ACCEPTED and sex.decided_by == people.analyst
    assert AuditEvent.objects.filter(action="value.accept", object_id=str(sex.pk), actor=people.analyst).exists()
    page = as_("analyst").get(response["Location"]).content.decode()
    card = re.search(rf'id="value-{sex.pk}".*?</dl>', page, re.S)
    assert card and "Accepted" in card.group(0) and "Nadia" in card.group(0)


def test_correcting_a_proposal_on_the_page_records_the_correction_and_is_audited(as_, people, report):
    title = value(report, "title")
    response = as_("manager").post(
        decide_url(title), {"decision": "correct", "value": "Child T: a practice review", "version": title.version}
    )
    assert response.status_code == 302
    title.refresh_from_db()
    report.refresh_from_db()
    assert title.status == ValueStatus.CORRECTED and title.current == "Child T: a practice review"
    assert report.title == "Child T: a practice review"
    assert AuditEvent.objects.filter(action="value.correct", object_id=str(title.pk), actor=people.manager).exists()


def test_rejecting_a_proposal_on_the_page_rejects_it_and_is_audited(as_, people, report):
    abuse = value(report, "risk_factors", "domestic_abuse")
    as_("analyst").post(decide_url(abuse), {"decision": "reject", "version": abuse.version})
    abuse.refresh_from_db()
    assert abuse.status == ValueStatus.REJECTED
    assert AuditEvent.objects.filter(action="value.reject", object_id=str(abuse.pk)).exists()


def test_a_correction_of_the_wrong_type_is_shown_on_its_field_and_nothing_changes(as_, report):
    year = value(report, "year_published")
    response = as_("analyst").post(
        decide_url(year), {"decision": "correct", "value": "last year", "version": year.version}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert f'<a href="#value-{year.pk}-value">Enter a year such as 2021</a>' in page
    assert f'id="value-{year.pk}-value-error"' in page
    assert 'value="last year"' in page
    year.refresh_from_db()
    assert year.status == ValueStatus.PROPOSED and year.version == 1


def test_a_decision_on_a_value_someone_else_changed_meanwhile_gets_a_clear_message(as_, people, report):
    sex = value(report, "child.sex")
    stale_version = sex.version
    value_decide(actor=people.manager, value=sex, decision="reject", expected_version=stale_version)
    response = as_("analyst").post(decide_url(sex), {"decision": "accept", "version": stale_version})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Bella changed this value while you were looking at it; nothing was saved" in page
    assert 'class="govuk-error-summary"' in page
    sex.refresh_from_db()
    assert sex.status == ValueStatus.REJECTED and sex.decided_by == people.manager


def test_adding_a_code_the_machine_missed_records_it_as_a_persons_correction(as_, people, report):
    client = as_("analyst")
    response = client.post(
        reverse("library:add_code", args=[report.pk]),
        {"code": "practice_themes:professional_curiosity", "note": "Page 2: nobody asked who the partner was"},
    )
    assert response.status_code == 302
    added = value(report, "practice_themes", "professional_curiosity")
    assert added.status == ValueStatus.CORRECTED and added.current is True and added.decided_by == people.analyst
    assert AuditEvent.objects.filter(action="value.add", object_id=str(added.pk)).exists()
    page = client.get(response["Location"]).content.decode()
    assert "Added “Professional curiosity” to this report." in page


def test_the_add_code_form_offers_only_codes_the_report_does_not_carry(as_, report):
    page = as_("analyst").get(reverse("library:detail", args=[report.pk])).content.decode()
    assert 'value="risk_factors:poverty"' in page
    assert 'value="risk_factors:domestic_abuse"' not in page
    response = as_("analyst").post(reverse("library:add_code", args=[report.pk]), {"code": "risk_factors:nonsense"})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()


def test_running_extraction_again_queues_the_report_and_keeps_decisions(
    as_, people, report, django_capture_on_commit_callbacks
):
    sex = value(report, "child.sex")
    value_decide(actor=people.analyst, value=sex, decision="reject")
    with django_capture_on_commit_callbacks(execute=True):
        response = as_("analyst").post(reverse("library:reprocess", args=[report.pk]))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.QUEUED
    assert DBTaskResult.objects.filter(task_path=PROCESS_TASK, args_kwargs__args=[report.pk]).exists()
    report_process(report.pk)
    assert value(report, "child.sex").status == ValueStatus.REJECTED


# -- the page viewer and the original file -----------------------------------------------------------------------


def test_the_page_viewer_highlights_the_evidence_span(as_, report):
    age = value(report, "child.age_years").evidence[0]
    url = reverse("library:page", args=[report.pk, age["page"]])
    page = as_("analyst").get(url, {"start": age["start"], "end": age["end"]}).content.decode()
    assert f'<mark class="app-evidence" id="evidence">{age["quote"]}</mark>' in page
    assert "Page 1 of 3" in page
    assert 'rel="next"' in page and 'rel="prev"' not in page


def test_the_page_viewer_shows_only_its_own_page_and_ignores_a_span_on_another_page(as_, report):
    second = report.pages.get(number=2)
    url = reverse("library:page", args=[report.pk, 2])
    page = as_("analyst").get(url, {"start": 0, "end": 20}).content.decode()
    assert "2. Background" in page and "1. Introduction" not in page and "4. Recommendations" not in page
    assert "<mark" not in page
    assert 'rel="prev"' in page and 'rel="next"' in page
    page = as_("analyst").get(url, {"start": "x", "end": second.end}).content.decode()
    assert "<mark" not in page


def test_the_page_viewer_escapes_html_in_the_report_text(as_, people):
    text = "Child S was 9.\nThe school's website said <script>alert(1)</script> & <b>more</b>.\n"
    report = add_report(people, text, name="markup.txt", process=False)
    start = text.index("<script>")
    page = (
        as_("analyst")
        .get(reverse("library:page", args=[report.pk, 1]), {"start": start, "end": start + len("<script>alert(1)")})
        .content.decode()
    )
    assert "<script>alert(1)" not in page and "<b>more</b>" not in page
    highlighted = '<mark class="app-evidence" id="evidence">&lt;script&gt;alert(1)</mark>&lt;/script&gt; &amp;'
    assert highlighted in page


def test_a_page_the_report_does_not_have_is_not_found(as_, report):
    assert as_("analyst").get(reverse("library:page", args=[report.pk, 4])).status_code == 404


def test_viewing_a_page_is_recorded_in_the_audit_log(as_, people, report):
    as_("manager").get(reverse("library:page", args=[report.pk, 2]))
    event = AuditEvent.objects.get(action="report.view")
    assert event.actor == people.manager and "page 2" in event.summary


def test_the_original_file_downloads_as_an_attachment_and_is_audited(as_, people, report):
    response = as_("analyst").get(reverse("library:download", args=[report.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment") and "child-t.txt" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == REPORT_TEXT.encode()
    assert AuditEvent.objects.filter(action="report.download", actor=people.analyst).exists()
