"""The password strength meter in headless Chromium (ASVS 2.1.8): zxcvbn-ts judges the new password in the browser
as it is typed, says so in words in a polite live region, sends nothing while typing, agrees with the server's rule,
and the page passes axe's WCAG 2.2 AA checks under the Content Security Policy."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from playwright.sync_api import expect

from casereviews.core.passwords import StrengthValidator
from tests.browser.test_referral_journey import assert_accessible, sign_in, with_second_factor
from tests.browser.test_referral_journey import browser as browser  # the shared fixture
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WEAK, STRONG = "Liverpool1990", "a tortoise under the willow"


def test_the_meter_says_a_weak_password_is_too_easy_to_guess_and_a_strong_one_is_strong_enough(
    browser, live_server, people
):
    page = sign_in(browser, live_server, people.referrer, None)  # a referrer: a password alone, no second factor
    page.goto(f"{live_server.url}/accounts/password/change/")
    new_password = page.get_by_label("New Password", exact=True)
    meter = page.locator("#id_password1_strength")
    expect(meter).to_be_visible()  # shown by the script, so it ran under the CSP
    expect(meter).to_have_attribute("aria-live", "polite")
    expect(meter).to_have_text("Use at least 12 characters that are hard to guess.")
    assert "id_password1_strength" in (new_password.get_attribute("aria-describedby") or "").split()
    assert_accessible(page)

    sent = []
    page.on("request", lambda request: sent.append(request))
    new_password.press_sequentially("Liver")
    expect(meter).to_have_text("Too short: add at least 7 more characters.")
    new_password.fill(WEAK)
    expect(meter).to_contain_text("Too easy to guess.")
    expect(meter).to_contain_text("This is similar to a commonly used password.")
    expect(meter.locator("strong")).to_have_text("Too easy to guess.")  # the verdict first, in bold
    assert_accessible(page)

    new_password.fill(STRONG)
    expect(meter).to_have_text("Strong enough.")
    assert_accessible(page)
    # Typing sent nothing anywhere: no request at all, let alone one carrying the password.
    assert [request.url for request in sent] == []

    page.get_by_label("Current Password", exact=True).fill(PASSWORD)
    page.get_by_label("New Password (again)", exact=True).fill(STRONG)
    page.get_by_role("button", name="Change Password").click()
    page.wait_for_load_state("load")
    people.referrer.refresh_from_db()
    assert people.referrer.check_password(STRONG)


def server_accepts(password: str) -> bool:
    try:
        StrengthValidator().validate(password)
    except ValidationError:
        return False
    return True


def test_the_meter_and_the_server_agree_on_which_passwords_are_strong_enough(browser, live_server, people):
    page = sign_in(browser, live_server, people.referrer, None)
    page.goto(f"{live_server.url}/accounts/password/change/")
    new_password = page.get_by_label("New Password", exact=True)
    meter = page.locator("#id_password1_strength")
    samples = [
        "qwertyqwerty",
        "password1234",
        "iloveyou2024",
        "P@ssw0rd2024",
        "trustno1trustno1",
        "Summer2024!!",
        "kT8#vq2LmZ9w",
        "blue sky over river",
    ]
    verdicts = {}
    for sample in samples:
        new_password.fill("")
        expect(meter).to_have_text("Use at least 12 characters that are hard to guess.")  # a fresh verdict each time
        new_password.fill(sample)
        expect(meter).not_to_have_text("Use at least 12 characters that are hard to guess.")
        verdicts[sample] = meter.text_content() == "Strong enough."
    assert verdicts == {sample: server_accepts(sample) for sample in samples}
    assert set(verdicts.values()) == {True, False}  # the samples test both sides of the line


def test_the_meter_works_in_the_admin_where_a_business_unit_sets_someones_password(browser, live_server, people):
    people.manager.is_staff = people.manager.is_superuser = True
    people.manager.save()
    page = sign_in(browser, live_server, people.manager, with_second_factor(people.manager))
    page.goto(f"{live_server.url}/admin/partnerships/user/{people.referrer.pk}/password/")
    meter = page.locator("#id_password1_strength")
    expect(meter).to_have_text("Use at least 12 characters that are hard to guess.")
    page.locator("#id_password1").fill(WEAK)
    expect(meter).to_contain_text("Too easy to guess.")
    page.locator("#id_password1").fill(STRONG)
    expect(meter).to_have_text("Strong enough.")
    # Django's admin is not held to the GOV.UK pages' axe check, but it runs under the same policy: nothing blocked.
    assert page.evaluate("() => window.__policyViolations") == []
