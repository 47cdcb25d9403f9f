"""The publication pages: the gate for the business manager and chair, refusals for everyone else, and the public
pages that need no sign-in."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from casereviews.core.models import AuditEvent
from casereviews.publication.models import FindingDecision, Publication, RedactionFinding
from casereviews.publication.schedules import close_publication_windows
from casereviews.reviews.models import ReviewStatus
from tests.publication.conftest import ALLOW, DENY, SUMMARY, keyed_and_scanned, publish_review, redact_everything

pytestmark = pytest.mark.django_db

NOT_GATE_STAFF = ["subgroup", "reviewer", "agency_lead", "referrer", "analyst", "other_manager", "outsider"]


def gate_pages(review, finding):
    reference = review.reference
    return [
        reverse("publication:gate", args=[reference]),
        reverse("publication:case_key", args=[reference]),
        reverse("publication:scan_status", args=[reference]),
        reverse("publication:finding", args=[reference, finding.pk]),
        reverse("publication:manual", args=[reference]),
        reverse("publication:bulk", args=[reference]),
        reverse("publication:preview", args=[reference]),
        reverse("publication:publish", args=[reference]),
    ]


@pytest.fixture
def scanned(review, people):
    keyed_and_scanned(review, people.manager)
    return review


@pytest.mark.parametrize("persona", NOT_GATE_STAFF)
def test_nobody_but_the_business_manager_and_chair_sees_the_gate_or_the_case_key(scanned, people, as_, persona):
    client = as_(persona)
    finding = RedactionFinding.objects.filter(review=scanned).first()
    for url in gate_pages(scanned, finding):
        response = client.get(url)
        assert response.status_code in {403, 404}, url
        assert b"Jayden" not in response.content
    for url in [
        reverse("publication:scan", args=[scanned.reference]),
        reverse("publication:publish", args=[scanned.reference]),
    ]:
        assert client.post(url, {"summary": SUMMARY, "version": scanned.version}).status_code in {403, 404}
    if persona == "other_manager":  # their own partnership's publication pages, without this review
        home = client.get(reverse("publication:home"))
        assert home.status_code == 200 and scanned.reference.encode() not in home.content
    else:
        assert client.get(reverse("publication:home")).status_code == 403
        assert client.get(reverse("publication:requests")).status_code == 403
    scanned.refresh_from_db()
    assert scanned.status == ReviewStatus.SIGNED_OFF


def test_anonymous_visitors_are_sent_to_sign_in_for_every_staff_page(scanned, as_):
    finding = RedactionFinding.objects.filter(review=scanned).first()
    for url in [*gate_pages(scanned, finding), reverse("publication:home"), reverse("publication:requests")]:
        response = as_(None).get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_a_sub_group_member_is_refused_rather_than_told_the_review_does_not_exist(scanned, as_):
    assert as_("subgroup").get(reverse("publication:gate", args=[scanned.reference])).status_code == 403
    assert as_("other_manager").get(reverse("publication:gate", args=[scanned.reference])).status_code == 404


@pytest.mark.parametrize("persona", ["manager", "chair"])
def test_the_business_manager_and_chair_see_the_findings_in_context_and_the_view_is_audited(scanned, as_, persona):
    response = as_(persona).get(reverse("publication:gate", args=[scanned.reference]))
    assert response.status_code == 200
    assert b"<mark>Jayden Marsh</mark>" in response.content
    assert b"still need a decision" in response.content
    assert AuditEvent.objects.filter(action="redaction.view", object_id=str(scanned.pk)).count() == 1


def test_viewing_the_case_key_is_audited_every_time(scanned, as_):
    client = as_("chair")
    for _ in range(2):
        response = client.get(reverse("publication:case_key", args=[scanned.reference]))
        assert response.status_code == 200 and b"Oakfield Primary School" in response.content
    assert AuditEvent.objects.filter(action="case_key.view").count() == 2


def test_saving_the_case_key_through_the_page_takes_one_entry_a_line(review, as_):
    response = as_("manager").post(
        reverse("publication:case_key", args=[review.reference]),
        {"deny_list": "Jayden Marsh\n\n  Kerry Marsh \n", "allow_list": "Child T", "version": ""},
    )
    assert response.status_code == 302
    assert review.case_key.deny_list == ["Jayden Marsh", "Kerry Marsh"]


def test_an_empty_deny_list_is_shown_as_an_error_on_the_field(review, as_):
    response = as_("manager").post(
        reverse("publication:case_key", args=[review.reference]), {"deny_list": "", "allow_list": ""}
    )
    assert response.status_code == 200 and b"govuk-error-summary" in response.content


def test_the_scan_is_started_from_the_page_and_its_progress_can_be_polled(review, people, as_):
    from casereviews.publication.services import case_key_save

    case_key_save(actor=people.manager, review=review, deny_list=DENY, allow_list=ALLOW)
    client = as_("manager")
    assert client.post(reverse("publication:scan", args=[review.reference])).status_code == 302
    status = client.get(reverse("publication:scan_status", args=[review.reference])).json()
    assert status == {"status": "queued", "label": "Waiting to start", "progress": 0, "finished": False}
    page = client.get(reverse("publication:gate", args=[review.reference]))
    assert b"data-status-url" in page.content and b"js/library.js" in page.content


def test_a_finding_is_decided_on_its_page_and_keeping_it_needs_a_reason(scanned, as_):
    finding = RedactionFinding.objects.get(review=scanned, type="DATE")
    url = reverse("publication:finding", args=[scanned.reference, finding.pk])
    client = as_("chair")
    refused = client.post(url, {"decision": "keep", "reason": "", "version": finding.version})
    assert refused.status_code == 200 and b"Say why" in refused.content
    assert client.post(url, {"decision": "keep", "reason": "Month only", "version": finding.version}).status_code == 302
    finding.refresh_from_db()
    assert (finding.decision, finding.decided_by.username) == ("keep", "charlotte")


def test_a_manual_redaction_is_added_from_its_page(scanned, as_):
    response = as_("manager").post(
        reverse("publication:manual", args=[scanned.reference]), {"text": "new partner", "page": "2"}
    )
    assert response.status_code == 302
    assert RedactionFinding.objects.filter(review=scanned, source="manual", decision="redact").count() == 1


def test_the_preview_is_a_pdf_without_the_redacted_text(scanned, people, as_):
    redact_everything(scanned, people.manager)
    response = as_("chair").get(reverse("publication:preview", args=[scanned.reference]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert AuditEvent.objects.filter(action="redaction.preview").count() == 1


def test_the_chair_cannot_publish_but_the_business_manager_can_from_the_page(scanned, people, as_):
    redact_everything(scanned, people.manager)
    url = reverse("publication:publish", args=[scanned.reference])
    assert as_("chair").post(url, {"summary": SUMMARY, "version": scanned.version}).status_code == 403
    response = as_("manager").post(url, {"summary": SUMMARY, "version": scanned.version})
    publication = Publication.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "publication:public_detail", args=[publication.slug]
    )


def test_the_publish_page_lists_what_holds_the_review_back_and_refuses_the_post(scanned, as_):
    url = reverse("publication:publish", args=[scanned.reference])
    page = as_("manager").get(url)
    assert b"still need a decision" in page.content
    refused = as_("manager").post(url, {"summary": SUMMARY, "version": scanned.version})
    assert refused.status_code == 200 and b"govuk-error-summary" in refused.content
    assert not Publication.objects.exists()


# -- public pages -------------------------------------------------------------------------------------------------


@pytest.fixture
def published(review, people):
    return publish_review(people, review)


def test_anyone_sees_the_published_review_with_its_pseudonym_partnership_dates_and_summary(published, as_):
    listing = as_(None).get(reverse("publication:public_list"))
    assert listing.status_code == 200 and b"Child T" in listing.content
    page = as_(None).get(reverse("publication:public_detail", args=[published.slug]))
    content = page.content.decode()
    assert page.status_code == 200
    for shown in ["Child T", "Northshire Safeguarding Children Partnership", SUMMARY, "report.pdf"]:
        assert shown in content
    assert not any(term in content for term in DENY)
    download = as_(None).get(reverse("publication:public_download", args=[published.slug]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF-")


def test_a_review_not_yet_published_has_no_public_page(review, as_):
    assert b"Child T" not in as_(None).get(reverse("publication:public_list")).content


def test_after_the_window_the_page_offers_a_request_instead_of_the_download(published, as_):
    close_publication_windows(published.window_ends_on + datetime.timedelta(days=1))
    page = as_(None).get(reverse("publication:public_detail", args=[published.slug]))
    assert b"available on request" in page.content and b"report.pdf" not in page.content
    assert as_(None).get(reverse("publication:public_download", args=[published.slug])).status_code == 404
    assert as_(None).get(reverse("publication:public_request", args=[published.slug])).status_code == 200


def test_the_request_form_is_not_offered_while_the_report_is_online(published, as_):
    response = as_(None).get(reverse("publication:public_request", args=[published.slug]))
    assert response.status_code == 302


def test_the_publication_home_lists_reviews_awaiting_publication_for_the_gate_staff(review, as_):
    response = as_("chair").get(reverse("publication:home"))
    assert response.status_code == 200 and review.reference.encode() in response.content


def test_decisions_cannot_be_changed_once_published(published, people):
    from casereviews.core.errors import TransitionNotAllowed
    from casereviews.publication.services import finding_decide

    finding = RedactionFinding.objects.filter(review=published.review).first()
    with pytest.raises(TransitionNotAllowed):
        finding_decide(actor=people.manager, finding=finding, decision=FindingDecision.KEEP, reason="Too late")


def test_all_undecided_findings_of_one_type_are_decided_at_once_in_the_persons_name(scanned, people, as_):
    url = reverse("publication:bulk", args=[scanned.reference])
    client = as_("chair")
    assert b"KNOWN_NAME (6 undecided)" in client.get(url).content
    refused = client.post(url, {"finding_type": "DATE", "decision": "keep", "reason": ""})
    assert refused.status_code == 200 and b"Say why" in refused.content
    assert (
        client.post(url, {"finding_type": "KNOWN_NAME", "decision": "redact", "replacement": "[name]"}).status_code
        == 302
    )
    known = RedactionFinding.objects.filter(review=scanned, type="KNOWN_NAME")
    assert {(f.decision, f.replacement, f.decided_by_id) for f in known} == {("redact", "[name]", people.chair.pk)}
    assert RedactionFinding.objects.filter(review=scanned, decision="pending").exclude(type="KNOWN_NAME").exists()
    for persona in NOT_GATE_STAFF:
        assert as_(persona).post(url, {"finding_type": "DATE", "decision": "redact"}).status_code in {403, 404}


def test_the_public_page_links_library_staff_to_the_report_in_the_library(published, as_):
    from casereviews.publication.services import publication_to_library

    report = publication_to_library(published.pk).library_report
    url = reverse("publication:public_detail", args=[published.slug])
    library_link = reverse("library:detail", args=[report.pk]).encode()
    assert library_link in as_("analyst").get(url).content
    assert library_link not in as_(None).get(url).content
    assert library_link not in as_("referrer").get(url).content
