"""The home page in headless Chromium: a visitor sees the newest public reviews and searches from the home page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_referral_journey import assert_accessible, watch_for_policy_violations
from tests.browser.test_referral_journey import browser as browser  # the shared fixture
from tests.browser.test_search import public_library as public_library  # the shared fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_visitor_sees_the_newest_reviews_and_searches_from_the_home_page(browser, live_server, public_library):
    page = browser.new_context().new_page()
    watch_for_policy_violations(page)
    page.goto(f"{live_server.url}/")
    assert_accessible(page)
    newest = page.get_by_role("heading", name=re.compile("newest", re.IGNORECASE))
    expect(newest).to_be_visible()

    page.get_by_label("Search published reviews").fill("neglect")
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_url(re.compile(r".*/search/\?q=neglect"))
    expect(page.locator("#result-count")).to_be_visible()
    assert_accessible(page)
