"""Publishing a review in headless Chromium, each page checked with axe-core for WCAG 2.2 AA and for anything the
Content Security Policy blocks: the business manager records the case key, the worker scans (its job is done in
the test), every finding is decided, the review is published, and a member of the public reads the public page."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import expect

from casereviews.publication.models import Publication, RedactionScan, ReportRequest
from casereviews.publication.schedules import close_publication_windows
from casereviews.publication.services import redaction_scan_run
from tests.browser.test_referral_journey import (
    assert_accessible,
    sign_in,
    watch_for_policy_violations,
    with_second_factor,
)
from tests.browser.test_referral_journey import browser as browser  # the shared fixture
from tests.publication.conftest import SUMMARY, make_signed_off_review

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_business_manager_publishes_a_review_through_the_gate_in_the_browser(
    browser, live_server, people, northshire
):
    review = make_signed_off_review(people, northshire)
    page = sign_in(browser, live_server, people.manager, with_second_factor(people.manager))
    page.get_by_role("link", name="Publication", exact=True).click()
    assert_accessible(page)
    page.get_by_role("link", name=f"{review.reference}: Child T").click()
    assert_accessible(page)

    page.get_by_role("link", name="Record the case key").click()
    page.get_by_role("button", name="Save case key").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter at least one real name")
    assert_accessible(page)
    page.get_by_label("Real names and details to find and redact").fill("Jayden Marsh\nKerry Marsh\n14 Larch Close")
    page.get_by_role("button", name="Save case key").click()

    page.get_by_role("button", name="Scan the final draft").click()
    expect(page.get_by_role("link", name="Refresh this page")).to_be_visible()
    assert_accessible(page)
    redaction_scan_run(RedactionScan.objects.get().pk)  # the task worker's job
    # library.js polls the scan's status and reloads the page when it has finished.
    expect(page.locator("#findings")).to_be_visible(timeout=15_000)
    assert_accessible(page)

    page.get_by_role("link", name="Decide all findings of one type").click()
    assert_accessible(page)
    page.get_by_label("Which findings?").select_option("KNOWN_NAME")
    page.get_by_label("Redact them all").check()
    page.get_by_role("button", name="Save decisions").click()
    while page.get_by_role("link", name="Decide all findings of one type").count():
        page.get_by_role("link", name="Decide all findings of one type").click()
        page.get_by_label("Keep them all").check()
        page.get_by_label("Reason").fill("Checked: identifies nobody")
        page.get_by_role("button", name="Save decisions").click()
    expect(page.locator("#gate-ready")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Publish", exact=True).click()
    assert_accessible(page)
    page.get_by_label("Summary for the public page").fill(SUMMARY)
    page.get_by_role("button", name="Publish", exact=True).click()
    publication = Publication.objects.get()
    page.wait_for_url(f"{live_server.url}/published/{publication.slug}/")
    assert_accessible(page)

    public = browser.new_context().new_page()
    watch_for_policy_violations(public)
    public.goto(f"{live_server.url}/published/")
    assert_accessible(public)
    public.get_by_role("link", name="Child T").click()
    expect(public.get_by_role("heading", name="Child T", level=1)).to_be_visible()
    assert "Jayden" not in public.content()
    assert_accessible(public)

    close_publication_windows(publication.window_ends_on + datetime.timedelta(days=1))
    public.reload()
    public.get_by_role("link", name="Ask for the report").click()
    public.get_by_role("button", name="Send request").click()
    expect(public.get_by_role("alert")).to_contain_text("Enter your name")
    assert_accessible(public)
    public.get_by_label("Your name").fill("Pat Researcher")
    public.get_by_label("Email address").fill("pat@example.org")
    public.get_by_label("Why do you want the report?").fill("Research on information sharing")
    public.get_by_role("button", name="Send request").click()
    expect(public.get_by_role("heading", name="Request sent")).to_be_visible()
    assert_accessible(public)
    assert ReportRequest.objects.get().name == "Pat Researcher"
