"""Showing the password on the sign-in page in headless Chromium (ASVS 2.1.12): GOV.UK Frontend's Password input,
started by the service's own script under the Content Security Policy, and accessible either way."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_referral_journey import assert_accessible, watch_for_policy_violations
from tests.browser.test_referral_journey import browser as browser  # the shared fixture
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_visitor_shows_and_hides_the_password_they_typed_on_the_sign_in_page(browser, live_server):
    page = browser.new_context().new_page()
    watch_for_policy_violations(page)
    page.goto(f"{live_server.url}/accounts/login/")
    password = page.get_by_label("Password", exact=True)
    show = page.get_by_role("button", name="Show password")
    expect(show).to_be_visible()  # revealed by GOV.UK Frontend's JavaScript, so it ran under the CSP
    assert_accessible(page)

    password.fill(PASSWORD)
    show.click()
    expect(password).to_have_attribute("type", "text")
    hide = page.get_by_role("button", name="Hide password")
    expect(hide).to_have_text("Hide")
    expect(hide).to_have_attribute("aria-controls", "id_password")
    expect(password).to_have_value(PASSWORD)
    assert_accessible(page)

    hide.click()
    expect(password).to_have_attribute("type", "password")
    expect(page.get_by_role("button", name="Show password")).to_have_text("Show")
    assert_accessible(page)


def test_after_a_refused_sign_in_the_password_can_still_be_shown_beside_its_error(browser, live_server):
    page = browser.new_context().new_page()
    watch_for_policy_violations(page)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username or email address").fill("nobody")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_be_visible()  # the error summary: the password is required
    password = page.get_by_label("Password", exact=True)
    expect(password).to_have_class(re.compile(r"\bgovuk-input--error\b"))
    password.fill("not the password")
    page.get_by_role("button", name="Show password").click()
    expect(password).to_have_attribute("type", "text")
    expect(page.get_by_role("button", name="Hide password")).to_have_text("Hide")
    assert_accessible(page)
