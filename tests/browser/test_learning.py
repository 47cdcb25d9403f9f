"""Briefings and the analysis in headless Chromium, each page checked with axe-core for WCAG 2.2 AA.

A business manager drafts a briefing on domestic abuse, edits a statement, approves and publishes it, and
downloads it as PDF, Word and the 7-minute briefing; a visitor who is not signed in opens the analysis, one of
its tables and its chart. Skipped, like the other journeys, where Chromium is not installed.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from casereviews.learning.models import Briefing, BriefingStatus
from tests.browser.test_referral_journey import assert_accessible, sign_in, with_second_factor
from tests.browser.test_referral_journey import browser as browser  # the shared fixture
from tests.learning.test_briefings import library as library  # the hand-built library with known answers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_builds_edits_approves_publishes_and_downloads_a_briefing(browser, live_server, people, library):
    page = sign_in(browser, live_server, people.manager, with_second_factor(people.manager))
    page.get_by_role("link", name="Briefings", exact=True).click()
    assert_accessible(page)
    page.get_by_role("link", name="Draft a briefing").click()
    assert_accessible(page)
    page.get_by_role("button", name="Draft the briefing").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose a theme or sector")
    assert_accessible(page)

    page.get_by_label("Theme or sector").select_option(label="Domestic abuse")
    page.get_by_role("button", name="Draft the briefing").click()
    page.wait_for_url(f"{live_server.url}/briefings/drafts/*/")
    assert_accessible(page)
    first_learning = page.get_by_label("Learning for improved practice: statement 1")
    assert "share information" in first_learning.input_value()
    first_learning.fill("Share what you know about new adults in the household.")
    page.get_by_role("button", name="Save changes").click()
    assert "Briefing saved" in page.content()
    page.get_by_role("button", name="Approve").click()
    assert "Briefing approved" in page.content()
    assert_accessible(page)
    page.get_by_role("button", name="Publish").click()
    page.wait_for_url(f"{live_server.url}/briefings/domestic-abuse-learning-from-case-reviews/")
    assert "Share what you know about new adults in the household." in page.content()
    assert_accessible(page)
    briefing = Briefing.objects.get()
    assert briefing.status == BriefingStatus.PUBLISHED and briefing.approved_by == people.manager

    for name, magic in (("PDF", b"%PDF"), ("Word", b"PK"), ("the one-page 7-minute briefing (PDF)", b"%PDF")):
        with page.expect_download() as download:
            page.get_by_role("link", name=name, exact=True).click()
        with open(download.value.path(), "rb") as file:
            assert file.read(4).startswith(magic)


def test_a_visitor_opens_the_analysis_and_a_table_with_its_chart(browser, live_server, library):
    page = browser.new_context().new_page()
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Analysis", exact=True).click()
    assert_accessible(page)
    expect(page.locator("#selection-summary")).to_contain_text("4 reviews")
    # Chromium reads the visually hidden part of the link's name as a separate box, with a space before it.
    page.get_by_role("link", name=re.compile(r"on its own page\s*: Prevalence of risk factors")).click()
    assert_accessible(page)
    chart = page.get_by_role("img", name="Prevalence of risk factors")
    expect(chart).to_be_visible()
    described = chart.locator("desc").text_content() or ""
    assert "Domestic abuse: c;" in described and "Online harm: 0.0%" in described  # 3 of 4 is a small number
    expect(page.locator("table[data-table=risk_factors]")).to_be_visible()
