"""The referral journey end to end in headless Chromium, each page checked with axe-core for WCAG 2.2 AA.

Runs where Debian's chromium is installed (CI installs it); elsewhere it is skipped with that reason,
unless REQUIRE_BROWSER is set, when a missing browser fails the run instead.
"""

from __future__ import annotations

import datetime
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from casereviews.referrals.models import Decision, Referral
from tests.factories import PASSWORD, current_code

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]

if not CHROMIUM and not os.environ.get("REQUIRE_BROWSER"):
    pytest.skip("Chromium is not installed (apt-get install chromium): browser test not run", allow_module_level=True)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls in the test body are safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    assert CHROMIUM, "REQUIRE_BROWSER is set but Chromium is not installed"
    assert AXE.exists(), "axe-core is missing: run npm ci"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


def assert_accessible(page) -> None:  # type: ignore[no-untyped-def]
    # A click that follows a link returns once the navigation has started: the checks below must run on the page
    # it leads to, not on one being replaced (CI failed when axe found the document gone mid-navigation).
    for attempt in range(3):
        page.wait_for_load_state("load")
        try:
            result = _run_axe(page)
            break
        except PlaywrightError:
            if attempt == 2:
                raise
    problems = [
        f"{violation['id']}: {violation['help']} ({len(violation['nodes'])}×, e.g. {violation['nodes'][0]['target']})"
        for violation in result["violations"]
    ]
    assert not problems, f"{page.url} has accessibility violations:\n" + "\n".join(problems)


def _run_axe(page) -> dict:  # type: ignore[no-untyped-def,type-arg]
    # Evaluated through the DevTools protocol, not added as a <script>: the page's CSP forbids inline script.
    blocked = page.evaluate("() => window.__policyViolations || []")
    assert not blocked, f"{page.url}: the Content Security Policy blocked {blocked}"
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    return page.evaluate(  # type: ignore[no-any-return]
        "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_22_AA
    )


def watch_for_policy_violations(page) -> None:  # type: ignore[no-untyped-def]
    """Record what the Content Security Policy blocks on every page; `assert_accessible` fails on any of it,
    because the service must work without inline script or style."""
    page.add_init_script(
        "window.__policyViolations = [];"
        "document.addEventListener('securitypolicyviolation',"
        " (e) => window.__policyViolations.push(e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline')));"
    )


def sign_in(browser, live_server, user, secret: str | None):  # type: ignore[no-untyped-def]
    context = browser.new_context()
    page = context.new_page()
    watch_for_policy_violations(page)
    page.goto(f"{live_server.url}/accounts/login/")
    assert_accessible(page)
    page.get_by_label("Username or email address").fill(user.username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    if secret is not None:
        page.wait_for_url("**/2fa/authenticate/**")
        assert_accessible(page)
        page.get_by_label("Code from your authenticator app").fill(current_code(secret))
        page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")
    return page


def with_second_factor(user) -> str:  # type: ignore[no-untyped-def]
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def fill_date(page, legend: str, day: datetime.date) -> None:  # type: ignore[no-untyped-def]
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def test_a_referral_goes_from_submission_to_the_chairs_decision_in_the_browser(browser, live_server, people):
    aware = datetime.date.today() - datetime.timedelta(days=2)

    # The referrer (no second factor) refers a case.
    page = sign_in(browser, live_server, people.referrer, None)
    page.get_by_role("link", name="Make a referral").first.click()
    assert_accessible(page)
    page.get_by_role("button", name="Submit referral").click()
    expect(page.get_by_role("alert")).to_be_visible()  # the error summary for an empty form
    assert_accessible(page)
    page.get_by_label("Child's reference").fill("NS-BROWSER-1")
    page.get_by_label("Child's age in years").fill("3")
    page.get_by_role("group", name="Child's sex").get_by_label("Female", exact=True).check()
    page.get_by_role("group", name="Does the child have a disability?").get_by_label("No", exact=True).check()
    page.get_by_role("group", name="Was the child looked after?").get_by_label("No", exact=True).check()
    page.get_by_role("group", name="Was the child on a child protection plan?").get_by_label("Not known").check()
    fill_date(page, "Date of the incident", aware - datetime.timedelta(days=1))
    fill_date(page, "Date the partnership became aware", aware)
    outcome = page.get_by_role("group", name="What happened to the child?")
    outcome.get_by_label("The child was seriously harmed").check()
    abuse = page.get_by_role("group", name="Is abuse or neglect known or suspected?")
    abuse.get_by_label("Suspected", exact=True).check()
    page.get_by_label("What happened", exact=True).fill("Admitted with a fractured skull; the account did not fit.")
    page.get_by_role("button", name="Submit referral").click()
    page.wait_for_url("**/referrals/NOR-*/")
    expect(page.locator("#referral-status")).to_have_text("Referral received")
    assert_accessible(page)
    reference = Referral.objects.get().reference

    # The business manager sees it on the dashboard, starts the rapid review and records the notification.
    page = sign_in(browser, live_server, people.manager, with_second_factor(people.manager))
    page.get_by_role("link", name="Dashboard", exact=True).click()
    expect(page.get_by_role("link", name=reference)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name=reference).click()
    page.get_by_role("link", name="Start the rapid review").click()
    assert_accessible(page)
    page.get_by_role("button", name="Confirm").click()
    page.get_by_role("link", name="Record a notification").click()
    page.get_by_label("The Child Safeguarding Practice Review Panel").check()
    fill_date(page, "Date they were notified", aware)
    assert_accessible(page)
    page.get_by_role("button", name="Save notification").click()
    assert "Notification recorded" in page.content()
    page.get_by_role("link", name="Notification summary").click()
    assert_accessible(page)

    # The sub-group assesses against the criteria and recommends.
    page = sign_in(browser, live_server, people.subgroup, with_second_factor(people.subgroup))
    page.goto(f"{live_server.url}/referrals/{reference}/")
    page.get_by_role("link", name="Record the criteria assessment").click()
    assert_accessible(page)
    answers = {
        "Is abuse or neglect of the child known or suspected?": "Yes",
        "Has the child died?": "No",
        "Has the child been seriously harmed?": "Yes",
        "Are there concerns about how two or more organisations or agencies worked together?": "Yes",
    }
    for question, answer in answers.items():
        page.get_by_role("group", name=question).get_by_label(answer, exact=True).check()
    for group in page.get_by_role("group").all():
        if not group.locator("input:checked").count() and group.get_by_label("Not known yet").count():
            group.get_by_label("Not known yet").check()
    page.get_by_role("button", name="Save assessment").click()
    expect(page.locator("#criteria-result")).to_contain_text("Criteria met")
    page.get_by_role("link", name="Record the rapid review's recommendation").click()
    assert_accessible(page)
    page.get_by_label("Local child safeguarding practice review (LCSPR)").check()
    page.get_by_label("Rationale for the recommendation").fill("Two agencies did not share what they knew.")
    page.get_by_role("button", name="Save recommendation").click()

    # The chair decides; a decision that differs from the recommendation must say why.
    page = sign_in(browser, live_server, people.chair, with_second_factor(people.chair))
    page.goto(f"{live_server.url}/referrals/{reference}/")
    page.get_by_role("link", name="Record the safeguarding partners' decision").click()
    page.get_by_label("No review").check()
    page.get_by_label("Rationale for the decision").fill("Single-agency learning.")
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_role("alert")).to_contain_text("differs from the recommendation")
    assert_accessible(page)
    page.get_by_label("Local child safeguarding practice review (LCSPR)").check()
    page.get_by_role("button", name="Record decision").click()
    expect(page.locator("#referral-status")).to_have_text("Decision made")
    assert_accessible(page)
    assert Decision.objects.get().option == "lcspr"
