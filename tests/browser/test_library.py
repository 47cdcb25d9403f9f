"""The library review journey in headless Chromium, each page checked with axe-core for WCAG 2.2 AA.

An analyst uploads a report, the worker's job is done in the test, and the analyst reviews what the machine
proposed: accepts one value, corrects another, and reads a piece of evidence in the page viewer. Skipped, like
the referral journey, where Chromium is not installed.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from casereviews.library.models import ExtractedValue, Report, ReportStatus, ValueStatus
from casereviews.library.services import report_process
from tests.browser.test_referral_journey import assert_accessible, sign_in, with_second_factor
from tests.browser.test_referral_journey import browser as browser  # the shared fixture
from tests.library.test_views import REPORT_TEXT

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_analyst_uploads_a_report_and_reviews_its_proposals_in_the_browser(browser, live_server, people):
    page = sign_in(browser, live_server, people.analyst, with_second_factor(people.analyst))
    page.get_by_role("link", name="Library", exact=True).click()
    assert_accessible(page)
    page.get_by_role("link", name="Add reports").click()
    assert_accessible(page)

    # Nothing chosen: the error summary says what to do.
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("Choose at least one file to upload")
    assert_accessible(page)

    page.get_by_label("Files to upload").set_input_files(
        files=[{"name": "child-t.txt", "mimeType": "text/plain", "buffer": REPORT_TEXT.encode()}]
    )
    page.get_by_role("button", name="Upload", exact=True).click()
    page.wait_for_url(f"{live_server.url}/library/")
    assert "1 report added to the library" in page.content()
    report = Report.objects.get()
    assert report.status == ReportStatus.QUEUED

    # The review screen while the report waits for the worker: progress, and a link to refresh.
    page.get_by_role("link", name="child-t.txt").click()
    expect(page.get_by_role("link", name="Refresh this page")).to_be_visible()
    assert_accessible(page)

    report_process(report.pk)  # the task worker's job
    # library.js polls the status and reloads the page when the analysis has finished.
    expect(page.locator("#report-status")).to_have_text("Ready for review", timeout=15_000)
    assert_accessible(page)

    sex = ExtractedValue.objects.get(report=report, field="child.sex")
    page.get_by_role("button", name="Accept value of Child's sex").click()
    page.wait_for_url(re.compile(rf".*#value-{sex.pk}$"))
    expect(page.locator(f"#value-{sex.pk} [data-value-status]")).to_have_text("Accepted")
    sex.refresh_from_db()
    assert sex.status == ValueStatus.ACCEPTED and sex.decided_by == people.analyst

    title = ExtractedValue.objects.get(report=report, field="title")
    card = page.locator(f"#value-{title.pk}")
    card.get_by_text("Correct the value of Title").click()
    card.get_by_label("Correct value of Title").fill("Child T: a practice review")
    card.get_by_role("button", name="Save correction of Title").click()
    page.wait_for_url(re.compile(rf".*#value-{title.pk}$"))
    expect(page.get_by_role("heading", name="Child T: a practice review", level=1)).to_be_visible()
    title.refresh_from_db()
    assert title.status == ValueStatus.CORRECTED
    assert_accessible(page)

    age = ExtractedValue.objects.get(report=report, field="child.age_years")
    evidence = age.evidence[0]
    page.locator(f"#value-{age.pk}").get_by_role("link", name=re.compile(r"^Page \d+")).first.click()
    page.wait_for_load_state("load")  # inner_text is the rendered text: the style sheet (pre-wrap) must apply
    highlighted = page.locator("mark#evidence")
    assert highlighted.text_content() == evidence["quote"]
    expect(highlighted).to_have_text(evidence["quote"])
    expect(page.get_by_role("heading", name=f"Page {evidence['page']} of 3")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("^Next page")).click()
    expect(page.get_by_role("heading", name=f"Page {evidence['page'] + 1} of 3")).to_be_visible()
    assert_accessible(page)
