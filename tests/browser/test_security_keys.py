"""A security key as the second factor, in headless Chromium with the DevTools protocol's virtual authenticator
(ASVS 2.3.2, docs/adr/0015-security-keys.md): added, named, and used after the password to reach a staff page.

allauth's WebAuthn scripts run under the service's Content Security Policy (any blocked script fails the
accessibility check), and each new page is checked with axe-core. The live server is on http://localhost, a secure
context for the browser, so WebAuthn works without https.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from casereviews.core.models import AuditEvent
from tests.browser.test_referral_journey import assert_accessible, watch_for_policy_violations
from tests.browser.test_referral_journey import browser as browser  # the shared fixture
from tests.browser.test_review_journey import forget_recent_sign_in
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A USB key with a PIN (user verification), as Chromium's DevTools protocol simulates one: it touches itself.
VIRTUAL_KEY = {
    "protocol": "ctap2",
    "transport": "usb",
    "hasResidentKey": True,
    "hasUserVerification": True,
    "isUserVerified": True,
}


def with_a_security_key(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context()
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    authenticator = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": VIRTUAL_KEY})
    watch_for_policy_violations(page)
    return page, cdp, authenticator["authenticatorId"]


def type_password(page, live_server, user) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username or email address").fill(user.username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_business_manager_adds_a_security_key_signs_in_with_password_and_key_and_later_removes_it(
    browser, live_server, people
):
    page, cdp, authenticator_id = with_a_security_key(browser)

    # Signed in with the password alone, a new member of staff is sent to set up a second factor, and chooses a key.
    type_password(page, live_server, people.manager)
    page.wait_for_url("**/2fa/totp/activate/")
    assert_accessible(page)
    page.get_by_role("link", name="use a security key or passkey instead").click()
    page.wait_for_url("**/2fa/webauthn/add/")
    assert_accessible(page)
    page.get_by_label("Name of the key").fill("Blue USB key")
    page.get_by_role("button", name="Add security key").click()

    # allauth makes recovery codes with the first key, for when it is lost.
    page.wait_for_url("**/2fa/recovery-codes/")
    assert_accessible(page)
    assert len(cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})["credentials"]) == 1

    page.goto(f"{live_server.url}/accounts/2fa/")
    expect(page.get_by_text("You have added 1 security key.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Manage your security keys").click()
    page.wait_for_url("**/2fa/webauthn/")
    expect(page.get_by_role("rowheader", name="Blue USB key")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Rename Blue USB key").click()
    page.wait_for_url("**/edit/")
    assert_accessible(page)
    page.get_by_label("Name of the key").fill("Blue key on my keyring")
    page.get_by_role("button", name="Save name").click()
    page.wait_for_url("**/2fa/webauthn/")
    page.get_by_role("link", name="Remove Blue key on my keyring").click()
    page.wait_for_url("**/remove/")
    expect(page.get_by_text("This is your only second factor")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Cancel").click()
    page.wait_for_url("**/2fa/webauthn/")

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{live_server.url}/**")

    # The password, then the key: the second step offers the key first.
    type_password(page, live_server, people.manager)
    page.wait_for_url("**/2fa/authenticate/")
    expect(page.get_by_role("heading", name="Use your security key")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Use your security key").click()
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/referrals/dashboard/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Case dashboard")
    assert_accessible(page)

    # Later, removing the key: it is a change to how they sign in, so they confirm it is them, with the key.
    forget_recent_sign_in(page)
    page.goto(f"{live_server.url}/accounts/2fa/webauthn/")
    page.get_by_role("link", name="Remove Blue key on my keyring").click()
    page.wait_for_url("**/2fa/webauthn/reauthenticate/**")
    expect(page.get_by_role("heading", name="Confirm it is you")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Use your security key").click()
    page.wait_for_url("**/remove/")
    page.get_by_role("button", name="Remove security key").click()
    page.wait_for_url(f"{live_server.url}/accounts/2fa/webauthn/")
    expect(page.get_by_text("You have not added a security key.")).to_be_visible()

    actions = list(AuditEvent.objects.filter(actor=people.manager).values_list("action", flat=True))
    for action in (
        "auth.security_key_added",
        "auth.security_key_renamed",
        "auth.security_key_used",
        "auth.security_key_removed",
    ):
        assert action in actions
