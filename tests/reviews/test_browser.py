"""The review pages in headless Chromium, each checked with axe-core for WCAG 2.2 AA (skipped without Chromium)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from casereviews.partnerships.models import Agency
from casereviews.reviews import services
from tests.browser.test_referral_journey import assert_accessible, browser, sign_in, with_second_factor
from tests.reviews.steps import commission, to_qa

__all__ = ["browser"]  # the module-scoped Chromium fixture, shared with the referral journey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_review_pages_are_accessible_and_errors_are_announced(browser, live_server, people, northshire):
    review = commission(northshire, people.manager)
    services.contribution_request(
        actor=people.manager,
        review=review,
        agency=Agency.objects.get(partnership=northshire, name="Children's social care"),
        due_on=timezone.localdate() + datetime.timedelta(days=10),
        what_is_asked="Chronology and report.",
    )
    draft = to_qa(review, people)
    services.qa_return(actor=people.subgroup, review=review, reasons="More on the father.")
    services.draft_upload(actor=people.reviewer, review=review, filename="v2.txt", data=b"Page one.\fPage two, new.")
    services.hold_start(
        actor=people.manager, review=review, kind="inquest", reason="Inquest opened", starts_on=timezone.localdate()
    )
    services.marker_record(actor=people.subgroup, review=review, marker=12, answer="not_met", evidence="Not asked.")

    page = sign_in(browser, live_server, people.manager, with_second_factor(people.manager))
    page.get_by_role("link", name="Reviews", exact=True).click()
    expect(page.get_by_text("On hold: inquest").first).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name=review.reference).click()
    expect(page.get_by_text("The publication clock is paused")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Put the review on hold").click()
    page.get_by_role("button", name="Put on hold").click()
    expect(page.get_by_role("alert").first).to_be_visible()
    assert page.title().startswith("Error: ")
    assert_accessible(page)
    page.goto(f"{live_server.url}/reviews/{review.reference}/drafts/compare/?from={draft.number}&to=2")
    expect(page.get_by_text("Page two, new.")).to_be_visible()
    assert_accessible(page)
    page.goto(f"{live_server.url}/reviews/{review.reference}/quality/")
    expect(page.get_by_role("heading", name="What is unmet")).to_be_visible()
    assert_accessible(page)
    page.goto(f"{live_server.url}/reviews/{review.reference}/quality/12/")
    assert_accessible(page)
    page.goto(f"{live_server.url}/reviews/{review.reference}/drafts/2/")
    assert_accessible(page)
    page.goto(f"{live_server.url}/reviews/new/")
    page.get_by_role("button", name="Set up the review").click()
    expect(page.get_by_role("alert").first).to_be_visible()
    assert_accessible(page)

    lead = sign_in(browser, live_server, people.agency_lead, with_second_factor(people.agency_lead))
    lead.get_by_role("link", name="Contribution requests").click()
    lead.get_by_role("link", name=review.reference).click()
    expect(lead.get_by_text("Chronology and report.")).to_be_visible()
    assert_accessible(lead)
    lead.get_by_role("button", name="Submit the contribution").click()
    expect(lead.get_by_role("alert").first).to_be_visible()
    assert_accessible(lead)
