"""Uploaded files are never served inline (issue 7): an uploaded page must not run in our origin.

Every view that hands back a stored file (referral attachments, action evidence, library originals, drafts,
agency contributions, the written response, the published report and briefings) must answer with
`Content-Disposition: attachment` and `X-Content-Type-Options: nosniff`, and never with an HTML or SVG content
type, whatever the file is called or holds. Uploads that must be PDF, Word, text or an image refuse an .html or
.svg file outright; the library and drafts read HTML reports, so an HTML original is uploaded there and must
still come back as a download.
"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from casereviews.actions.services import progress_update_post
from casereviews.core.errors import InvalidInput
from casereviews.core.files import check_attachment
from casereviews.library.services import report_upload
from casereviews.referrals.services import referral_submit
from casereviews.reviews import services as review_services
from tests.factories import make_review, referral_input

pytestmark = pytest.mark.django_db

HOSTILE_PAGE = b"<!DOCTYPE html><html><body><script>alert('stored')</script><p>Child A</p></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><circle r="5"/></svg>'
INLINE_TYPES = ("text/html", "image/svg+xml", "application/xhtml+xml", "text/xml", "application/xml")


def assert_served_as_a_download(response) -> None:
    assert response.status_code == 200, response.status_code
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment"), disposition
    assert response["X-Content-Type-Options"] == "nosniff"
    content_type = response["Content-Type"].split(";")[0].strip().lower()
    assert content_type not in INLINE_TYPES, content_type
    assert "html" not in content_type and "svg" not in content_type


@pytest.mark.parametrize(
    ("filename", "data"),
    [("page.html", HOSTILE_PAGE), ("page.htm", HOSTILE_PAGE), ("logo.svg", SVG), ("page.txt.html", HOSTILE_PAGE),
     ("image.png", SVG), ("scan.pdf", HOSTILE_PAGE)],
)  # fmt: skip
def test_an_attachment_that_is_html_or_svg_by_name_or_content_is_refused(filename, data):
    with pytest.raises(InvalidInput):
        check_attachment(filename, data)


def test_a_referral_attachment_of_markup_saved_as_text_is_a_download(as_, northshire, people):
    referral = referral_submit(
        submitted_by=people.referrer,
        partnership=northshire,
        data=referral_input(),
        attachments=[check_attachment("notes.txt", HOSTILE_PAGE)],
    )
    attachment = referral.attachments.get()
    for persona in ("manager", "referrer"):
        response = as_(persona).get(reverse("referrals:attachment", args=[referral.reference, attachment.pk]))
        assert_served_as_a_download(response)
        assert b"".join(response.streaming_content) == HOSTILE_PAGE


def test_action_evidence_of_markup_saved_as_text_is_a_download(as_, northshire, people):
    from casereviews.actions.services import action_create, finding_create, recommendation_create
    from tests.actions.conftest import action_input

    review = make_review(northshire, created_by=people.manager, reviewers=(people.reviewer,), status="in_progress")
    finding = finding_create(actor=people.manager, review=review, number=1, text="Not shared.")
    recommendation = recommendation_create(
        actor=people.manager, review=review, number=1, text="Share.", finding=finding, agency=None
    )
    action = action_create(actor=people.manager, recommendation=recommendation, data=action_input(northshire))
    update = progress_update_post(
        actor=people.agency_lead,
        action=action,
        narrative="Audit done.",
        declared_state="progressing",
        files=[check_attachment("audit.txt", HOSTILE_PAGE)],
    )
    evidence = update.files.get()
    assert_served_as_a_download(as_("manager").get(reverse("actions:evidence", args=[action.pk, evidence.pk])))


def test_a_library_original_uploaded_as_html_is_a_download_never_a_page(as_, people):
    result = report_upload(uploaded_by=people.manager, filename="review.html", data=HOSTILE_PAGE, queue=False)
    response = as_("manager").get(reverse("library:download", args=[result.report.pk]))
    assert_served_as_a_download(response)
    assert b"".join(response.streaming_content) == HOSTILE_PAGE


def test_a_draft_uploaded_as_html_is_a_download_never_a_page(as_, northshire, people):
    review = make_review(northshire, created_by=people.manager, reviewers=(people.reviewer,), status="in_progress")
    draft = review_services.draft_upload(actor=people.reviewer, review=review, filename="draft.html", data=HOSTILE_PAGE)
    response = as_("manager").get(reverse("reviews:draft_download", args=[review.reference, draft.number]))
    assert_served_as_a_download(response)


def test_an_agency_contribution_and_the_written_response_are_downloads(as_, northshire, people):
    from casereviews.partnerships.models import Agency

    review = make_review(northshire, created_by=people.manager, reviewers=(people.reviewer,), status="in_progress")
    agency = Agency.objects.get(partnership=northshire, name="Children's social care")
    contribution = review_services.contribution_request(
        actor=people.manager,
        review=review,
        agency=agency,
        due_on=timezone.localdate() + datetime.timedelta(days=14),
        what_is_asked="A chronology.",
    )
    stored = review_services.contribution_file_add(
        actor=people.agency_lead,
        request=contribution,
        kind="chronology",
        checked=check_attachment("chronology.txt", HOSTILE_PAGE),
    )
    assert_served_as_a_download(
        as_("manager").get(reverse("reviews:contribution_file", args=[contribution.pk, stored.pk]))
    )
    signed_off = make_review(northshire, created_by=people.manager, status="signed_off", pseudonym="Child W")
    review_services.written_response_record(
        actor=people.chair,
        review=signed_off,
        text="Accepted.",
        agreed_on=timezone.localdate(),
        file=check_attachment("response.txt", HOSTILE_PAGE),
    )
    assert_served_as_a_download(as_("manager").get(reverse("reviews:response_download", args=[signed_off.reference])))


def test_the_published_report_its_preview_a_granted_request_and_briefings_are_downloads(as_, people, northshire):
    from casereviews.learning.services import briefing_approve, briefing_draft, briefing_publish
    from casereviews.publication import services as publication_services
    from casereviews.publication.schedules import close_publication_windows
    from tests.learning.builders import make_report
    from tests.publication.conftest import make_signed_off_review, publish_review

    publication = publish_review(people, make_signed_off_review(people, northshire))
    public = as_(None)
    assert_served_as_a_download(public.get(reverse("publication:public_download", args=[publication.slug])))
    close_publication_windows(publication.window_ends_on + datetime.timedelta(days=1))
    publication.refresh_from_db()
    request = publication_services.report_request_submit(
        publication=publication,
        data=publication_services.RequestInput(name="Pat", email="pat@example.org", organisation="", reason="Study"),
        ip_address="192.0.2.1",
    )
    request = publication_services.report_request_grant(actor=people.manager, request=request)
    token = publication_services.request_download_token(request)
    assert_served_as_a_download(public.get(reverse("publication:request_download", args=[token])))

    draft_review = make_signed_off_review(people, northshire, pseudonym="Child V")
    from tests.publication.conftest import keyed_and_scanned, redact_everything

    keyed_and_scanned(draft_review, people.manager)
    redact_everything(draft_review, people.manager)
    assert_served_as_a_download(as_("manager").get(reverse("publication:preview", args=[draft_review.reference])))

    make_report(risk_factors=["domestic_abuse"], findings=["Agencies did not share information."], title="Child R")
    briefing = briefing_draft(actor=people.manager, theme_kind="risk_factor", theme_code="domestic_abuse")
    briefing = briefing_approve(actor=people.manager, briefing=briefing)
    briefing = briefing_publish(actor=people.manager, briefing=briefing)
    for name in ("briefings:pdf", "briefings:docx", "briefings:seven"):
        assert_served_as_a_download(public.get(reverse(name, args=[briefing.slug])))
