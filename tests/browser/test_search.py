"""Searching the public library in headless Chromium: search, filter by a facet, open a result at its page and
its catalogue entry, each page checked with axe-core for WCAG 2.2 AA and for anything the CSP blocks.

The library is built as in production: reports uploaded and analysed by the library's services, their
proposals confirmed by an analyst, then `search_rebuild`. Skipped where Chromium is not installed.
"""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from casereviews.library.models import ExtractedValue, ValueStatus
from casereviews.library.services import code_add, report_process, report_upload, value_decide
from tests.browser.test_referral_journey import assert_accessible, watch_for_policy_violations
from tests.browser.test_referral_journey import browser as browser  # the shared fixture
from tests.library.test_views import REPORT_TEXT

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SECOND_REPORT = (
    "Westmoor Safeguarding Children Partnership\n"
    "Child Safeguarding Practice Review: Baby R\n"
    "Published: March 2021\n\n"
    "1. Introduction\n"
    "Baby R, aged four months, died suddenly at home in 2020.\n"
    "\f"
    "2. Findings\n"
    "Practitioners did not ask about unsafe sleeping. Information sharing between the GP and the health\n"
    "visitor was poor.\n"
)


def public_report(analyst, name: str, text: str, *, harm: str) -> int:
    """Upload and analyse a report, then confirm everything the machine proposed, as an analyst would."""
    report = report_upload(uploaded_by=analyst, filename=name, data=text.encode(), queue=False).report
    report_process(report.pk)
    for value in ExtractedValue.objects.filter(report=report, status=ValueStatus.PROPOSED):
        value_decide(actor=analyst, value=value, decision="accept")
    code_add(actor=analyst, report=report, field="harm_types", code=harm)
    return report.pk


@pytest.fixture
def public_library(people, settings, tmp_path):
    settings.SEARCH_INDEX_DIR = tmp_path / "search-index"
    child_t = public_report(people.analyst, "child-t.txt", REPORT_TEXT, harm="physical_abuse")
    baby_r = public_report(people.analyst, "baby-r.txt", SECOND_REPORT, harm="neglect")
    call_command("search_rebuild")
    return {"child_t": child_t, "baby_r": baby_r}


def test_a_practitioner_searches_filters_and_reads_a_report_in_the_browser(browser, live_server, public_library):
    page = browser.new_context().new_page()
    watch_for_policy_violations(page)
    page.goto(f"{live_server.url}/search/")
    expect(page.locator("#result-count")).to_have_text("2 reviews")
    assert_accessible(page)

    page.get_by_label("Search the text of published reviews").fill('"information" OR sharing')
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_url(re.compile(r".*/search/\?q=.*"))
    expect(page.locator("#result-count")).to_have_text("2 reviews")
    assert_accessible(page)

    # Filter by a facet: open "Type of harm", tick Neglect, apply.
    page.locator("#facet-harm_types summary").click()
    page.locator("#facet-harm_types").get_by_label(re.compile(r"^Neglect")).check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r".*harm_types=neglect.*"))
    expect(page.locator("#result-count")).to_have_text("1 review")
    expect(page.locator("#active-filters")).to_contain_text("Type of harm: Neglect")
    assert_accessible(page)

    # Open the result at the page its snippet came from, with the matched words marked.
    result = page.locator("#results li").first
    result.get_by_role("link", name=re.compile(r"^Page \d+")).click()
    page.wait_for_url(re.compile(rf".*/search/reports/{public_library['baby_r']}/pages/\d+/\?start=.*"))
    assert "information" in page.locator("#evidence").inner_text().lower()
    assert_accessible(page)

    # From the page to the report's catalogue entry, with its citation.
    page.get_by_role("link", name="About this review").click()
    page.wait_for_url(f"{live_server.url}/search/reports/{public_library['baby_r']}/")
    expect(page.locator(".app-keywords")).to_contain_text("Neglect")
    assert "Case Reviews." in page.get_by_label("Copy this citation").input_value()
    assert_accessible(page)

    # A keyword leads to the theme's browse list, and from there to the browse page.
    page.locator(".app-keywords").get_by_role("link", name="Neglect").click()
    page.wait_for_url(f"{live_server.url}/search/themes/harm_types/neglect/")
    assert page.locator("#result-count").inner_text().startswith("1 published review")
    assert_accessible(page)
    page.get_by_role("link", name="Browse published reviews").click()
    assert_accessible(page)

    # Alerts for a search: the form, and its error summary.
    page.goto(f"{live_server.url}/search/?q=neglect")
    page.get_by_role("link", name="get e-mail alerts").click()
    assert_accessible(page)
    page.get_by_role("button", name="Send the confirmation e-mail").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter your e-mail address")
    assert_accessible(page)
