"""Security keys and passkeys (WebAuthn) as a second factor (ASVS 2.3.2, docs/adr/0015-security-keys.md).

Every key here is a software key (tests/software_key.py) that answers the server's challenges as a real one does,
so the server's checks (challenge, origin, signature) run for real. The client is on http://localhost, which
browsers and the server accept for WebAuthn. The browser test (tests/browser/test_security_keys.py) does the same
with Chromium's virtual authenticator.
"""

from __future__ import annotations

import json
import re
import time

import pytest
from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from bs4 import BeautifulSoup
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import NoReverseMatch, reverse
from fido2.utils import websafe_decode

from casereviews.core.auth import SIGNED_IN_AT_SESSION_KEY
from casereviews.core.models import AuditEvent
from casereviews.core.security_keys import REFUSED_KEY_MESSAGE
from casereviews.partnerships.management.commands.authenticator_reset import authenticator_reset
from tests.factories import PASSWORD, current_code
from tests.software_key import SoftwareSecurityKey

pytestmark = pytest.mark.django_db

DASHBOARD = "/referrals/dashboard/"


def browser() -> Client:
    return Client(HTTP_HOST="localhost")


def sign_in_with_password(client: Client, user) -> None:  # type: ignore[no-untyped-def]
    response = client.post(reverse("account_login"), {"login": user.username, "password": PASSWORD})
    assert response.status_code == 302


def add_key(client: Client, key: SoftwareSecurityKey, name: str = "Blue key") -> Client:
    page = client.get(reverse("mfa_add_webauthn"))
    assert page.status_code == 200
    response = client.post(
        reverse("mfa_add_webauthn"),
        {"name": name, "credential": key.register(page.context["js_data"]["creation_options"])},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return client


def staff_with_key(user, name: str = "Blue key") -> tuple[Client, SoftwareSecurityKey]:  # type: ignore[no-untyped-def]
    """A staff member who signed in with their password and added a key as their only second factor."""
    client = browser()
    sign_in_with_password(client, user)
    key = SoftwareSecurityKey()
    add_key(client, key, name)
    return client, key


def sign_in_with_key(client: Client, user, key: SoftwareSecurityKey):  # type: ignore[no-untyped-def]
    sign_in_with_password(client, user)
    step = client.get(reverse("mfa_authenticate"))
    assert step.status_code == 200
    return client.post(
        reverse("mfa_authenticate"), {"credential": key.sign(step.context["js_data"]["request_options"])}
    )


def long_ago(client: Client, seconds: float = 10 * 60) -> None:
    """Move the sign-in and every authentication allauth recorded in the session back past the five minutes within
    which it counts as recent (but within the 30-minute idle time-out)."""
    session = client.session
    session[SIGNED_IN_AT_SESSION_KEY] = time.time() - seconds
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {**record, "at": record["at"] - seconds} for record in session.get(AUTHENTICATION_METHODS_SESSION_KEY, [])
    ]
    session.save()


def actions(user) -> list[str]:  # type: ignore[no-untyped-def]
    return list(AuditEvent.objects.filter(actor=user).order_by("sequence").values_list("action", flat=True))


def keys_of(user) -> list[str]:  # type: ignore[no-untyped-def]
    return [a.data["name"] for a in Authenticator.objects.filter(user=user, type=Authenticator.Type.WEBAUTHN)]


# -- adding a key ------------------------------------------------------------------------------------------------------


def test_a_new_staff_member_sets_up_a_security_key_instead_of_an_authenticator_app_and_can_then_work(people):
    client = browser()
    sign_in_with_password(client, people.manager)
    assert client.get(DASHBOARD)["Location"] == reverse("mfa_activate_totp")
    assert reverse("mfa_add_webauthn") in client.get(reverse("mfa_activate_totp")).content.decode()

    add_key(client, SoftwareSecurityKey(), "Blue key")

    assert keys_of(people.manager) == ["Blue key"]
    assert not Authenticator.objects.filter(user=people.manager, type=Authenticator.Type.TOTP).exists()
    assert client.get(DASHBOARD).status_code == 200
    # Recovery codes are made with the first key, for when the key is lost.
    assert Authenticator.objects.filter(user=people.manager, type=Authenticator.Type.RECOVERY_CODES).exists()


def test_adding_a_key_is_audited_with_its_name_and_the_account_holder_is_e_mailed(people):
    staff_with_key(people.manager, "Blue key")

    event = AuditEvent.objects.get(action="auth.security_key_added")
    assert event.actor == people.manager
    assert event.changes["name"] == "Blue key"
    assert "credential" not in json.dumps(event.changes)
    assert event.summary == "bella added a security key ‘Blue key’"
    assert any(
        "security key has been added" in message.body for message in mail.outbox if message.to == ["bella@example.org"]
    )


def test_a_person_may_add_more_than_one_key_each_named(people):
    client, _ = staff_with_key(people.manager, "Blue key")

    add_key(client, SoftwareSecurityKey(), "Spare key in the safe")

    assert sorted(keys_of(people.manager)) == ["Blue key", "Spare key in the safe"]
    listing = client.get(reverse("mfa_list_webauthn")).content.decode()
    assert "Blue key" in listing and "Spare key in the safe" in listing


def test_adding_a_key_long_after_signing_in_asks_to_confirm_it_is_you_first(people):
    client = browser()
    secret = generate_totp_secret()
    TOTP.activate(people.manager, secret)
    recovery_code = RecoveryCodes.activate(people.manager).get_unused_codes()[0]
    sign_in_with_password(client, people.manager)
    client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})
    long_ago(client)

    response = client.get(reverse("mfa_add_webauthn"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_reauthenticate"))
    assert "auth.security_key_added" not in actions(people.manager)
    # (A recovery code: the app's code was used to sign in a moment ago, and a code is good once.)
    confirmed = client.post(response["Location"], {"code": recovery_code})
    assert confirmed["Location"] == reverse("mfa_add_webauthn")
    assert client.get(reverse("mfa_add_webauthn")).status_code == 200


def test_a_key_answering_another_sites_challenge_is_not_added(people):
    client = browser()
    sign_in_with_password(client, people.manager)
    page = client.get(reverse("mfa_add_webauthn"))

    phished = SoftwareSecurityKey(origin="https://casereviews.example.net")
    client.post(
        reverse("mfa_add_webauthn"),
        {"name": "Blue key", "credential": phished.register(page.context["js_data"]["creation_options"])},
    )

    assert keys_of(people.manager) == []
    assert "auth.security_key_added" not in actions(people.manager)


# -- signing in with a key ---------------------------------------------------------------------------------------------


def test_staff_sign_in_with_their_password_and_then_their_key_and_reach_a_staff_page(people):
    client, key = staff_with_key(people.manager)
    client.post(reverse("account_logout"))

    response = sign_in_with_key(client, people.manager, key)

    assert response.status_code == 302
    assert actions(people.manager)[-2:] == ["auth.security_key_used", "auth.sign_in"]
    used = AuditEvent.objects.filter(action="auth.security_key_used").latest("sequence")
    assert used.changes["name"] == "Blue key" and used.changes["reauthentication"] is False
    assert client.get(DASHBOARD).status_code == 200


def test_the_second_step_offers_the_key_only_to_those_who_have_one(people):
    client, _ = staff_with_key(people.manager)
    client.post(reverse("account_logout"))
    sign_in_with_password(client, people.manager)
    with_key = client.get(reverse("mfa_authenticate")).content.decode()
    assert "Use your security key" in with_key
    assert 'id="security-key-error"' in with_key and "hidden" in with_key.split('id="security-key-error"')[1][:40]

    other = browser()
    TOTP.activate(people.chair, generate_totp_secret())
    sign_in_with_password(other, people.chair)
    assert "security key" not in other.get(reverse("mfa_authenticate")).content.decode()


def test_someone_whose_only_second_factor_is_a_key_is_offered_a_recovery_code_not_an_app_code(people):
    client, _ = staff_with_key(people.manager)
    client.post(reverse("account_logout"))
    sign_in_with_password(client, people.manager)
    key_only = client.get(reverse("mfa_authenticate")).content.decode()
    assert "Or enter a recovery code" in key_only and re.search(r">\s*Recovery code\s*<", key_only)
    assert "authenticator app" not in key_only

    TOTP.activate(people.manager, generate_totp_secret())
    both = client.get(reverse("mfa_authenticate")).content.decode()
    assert "Or enter a code" in both and "Code from your authenticator app" in both


def test_a_key_that_is_not_the_persons_is_refused_at_sign_in_and_audited(people):
    client, _ = staff_with_key(people.manager)
    client.post(reverse("account_logout"))

    response = sign_in_with_key(client, people.manager, SoftwareSecurityKey())

    assert response.status_code == 200
    assert "Your security key was not used" in response.content.decode()
    assert client.get(DASHBOARD).status_code == 302
    refused = AuditEvent.objects.filter(action="auth.second_factor_failed").latest("sequence")
    assert refused.actor == people.manager and refused.changes == {"method": "security_key"}


def test_a_signature_replayed_from_an_earlier_sign_in_is_refused(people):
    client, key = staff_with_key(people.manager)
    client.post(reverse("account_logout"))
    sign_in_with_password(client, people.manager)
    step = client.get(reverse("mfa_authenticate"))
    answer = key.sign(step.context["js_data"]["request_options"])
    client.post(reverse("mfa_authenticate"), {"credential": answer})
    client.post(reverse("account_logout"))

    sign_in_with_password(client, people.manager)
    client.get(reverse("mfa_authenticate"))
    response = client.post(reverse("mfa_authenticate"), {"credential": answer})

    assert response.status_code == 200
    assert client.get(DASHBOARD).status_code == 302


def test_every_ceremony_gets_a_fresh_random_challenge_of_256_bits(people):
    client, _ = staff_with_key(people.manager)
    challenges = [
        client.get(reverse("mfa_add_webauthn")).context["js_data"]["creation_options"]["publicKey"]["challenge"],
        client.get(reverse("mfa_add_webauthn")).context["js_data"]["creation_options"]["publicKey"]["challenge"],
        client.get(reverse("mfa_reauthenticate_webauthn")).context["js_data"]["request_options"]["publicKey"][
            "challenge"
        ],
    ]

    assert all(len(websafe_decode(challenge)) == 32 for challenge in challenges)
    assert len(set(challenges)) == 3


def test_a_key_is_never_a_way_in_on_its_own(people):
    with pytest.raises(NoReverseMatch):
        reverse("mfa_login_webauthn")
    with pytest.raises(NoReverseMatch):
        reverse("mfa_signup_webauthn")
    assert "passkey" not in browser().get(reverse("account_login")).content.decode().lower()


# -- confirming it is you, renaming and removing -----------------------------------------------------------------------


def test_removing_a_key_long_after_signing_in_asks_for_the_key_first_then_removes_it_and_audits(people):
    client, key = staff_with_key(people.manager)
    add_key(client, SoftwareSecurityKey(), "Spare key")
    blue = Authenticator.objects.get(user=people.manager, data__name="Blue key")
    long_ago(client)

    asked = client.post(reverse("mfa_remove_webauthn", args=[blue.pk]))

    # Someone with a key is asked for it (the code page is offered as another way), and nothing is removed yet.
    assert asked.status_code == 302 and asked["Location"].startswith(reverse("mfa_reauthenticate_webauthn") + "?next=")
    assert sorted(keys_of(people.manager)) == ["Blue key", "Spare key"]
    confirm = client.get(asked["Location"])
    assert confirm.status_code == 200
    done = client.post(asked["Location"], {"credential": key.sign(confirm.context["js_data"]["request_options"])})

    # allauth carries out the removal that was asked for, then goes back to the list of keys.
    assert done.status_code == 302 and done["Location"] == reverse("mfa_list_webauthn")
    assert keys_of(people.manager) == ["Spare key"]
    removed = AuditEvent.objects.get(action="auth.security_key_removed")
    assert removed.actor == people.manager and removed.changes["name"] == "Blue key"
    confirmed = AuditEvent.objects.filter(action="auth.security_key_used").latest("sequence")
    assert confirmed.changes["reauthentication"] is True
    assert any("security key has been removed" in message.body for message in mail.outbox)


def test_a_key_refused_when_confirming_it_is_you_is_said_so_on_the_same_page_and_audited(people):
    client, _ = staff_with_key(people.manager)
    long_ago(client)
    confirm = client.get(reverse("mfa_reauthenticate_webauthn"))

    response = client.post(
        reverse("mfa_reauthenticate_webauthn"),
        {"credential": SoftwareSecurityKey().sign(confirm.context["js_data"]["request_options"])},
    )

    assert response.status_code == 200
    assert REFUSED_KEY_MESSAGE in response.content.decode()
    refused = AuditEvent.objects.filter(action="auth.second_factor_failed").latest("sequence")
    assert "confirming it was them" in refused.summary


def test_renaming_a_key_is_audited_with_the_old_and_new_name(people):
    client, _ = staff_with_key(people.manager)
    blue = Authenticator.objects.get(user=people.manager, type=Authenticator.Type.WEBAUTHN)

    response = client.post(reverse("mfa_edit_webauthn", args=[blue.pk]), {"name": "Keyring key"})

    assert response.status_code == 302
    assert keys_of(people.manager) == ["Keyring key"]
    renamed = AuditEvent.objects.get(action="auth.security_key_renamed")
    assert renamed.changes["name"] == ["Blue key", "Keyring key"]


def test_nobody_else_can_rename_or_remove_a_persons_key(people):
    staff_with_key(people.manager)
    blue = Authenticator.objects.get(user=people.manager, type=Authenticator.Type.WEBAUTHN)
    chair = browser()
    TOTP.activate(people.chair, generate_totp_secret())
    chair.force_login(people.chair)

    assert chair.post(reverse("mfa_remove_webauthn", args=[blue.pk])).status_code == 404
    assert chair.post(reverse("mfa_edit_webauthn", args=[blue.pk]), {"name": "Mine now"}).status_code == 404
    anonymous = browser().post(reverse("mfa_remove_webauthn", args=[blue.pk]))
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("account_login"))
    assert keys_of(people.manager) == ["Blue key"]
    assert not AuditEvent.objects.filter(action__in=["auth.security_key_removed", "auth.security_key_renamed"]).exists()


def test_removing_the_only_key_warns_first_and_afterwards_staff_must_set_up_a_second_factor_again(people):
    client, _ = staff_with_key(people.manager)
    blue = Authenticator.objects.get(user=people.manager, type=Authenticator.Type.WEBAUTHN)
    assert (
        "This is your only second factor" in client.get(reverse("mfa_remove_webauthn", args=[blue.pk])).content.decode()
    )

    client.post(reverse("mfa_remove_webauthn", args=[blue.pk]))

    assert not Authenticator.objects.filter(user=people.manager).exists()  # recovery codes go with the last factor
    assert client.get(DASHBOARD)["Location"] == reverse("mfa_activate_totp")


# -- the pages ---------------------------------------------------------------------------------------------------------


def test_the_key_pages_run_only_our_own_script_files_and_hand_them_data_never_code(people):
    client, _ = staff_with_key(people.manager)
    client.post(reverse("account_logout"))
    sign_in_with_password(client, people.manager)
    second_step = client.get(reverse("mfa_authenticate"))
    client, _ = staff_with_key(people.chair)
    pages = [second_step, client.get(reverse("mfa_add_webauthn")), client.get(reverse("mfa_reauthenticate_webauthn"))]

    for response in pages:
        assert "script-src 'self'" in response["Content-Security-Policy"]
        soup = BeautifulSoup(response.content.decode(), "html.parser")
        for script in soup.find_all("script"):
            if script.get("src"):
                assert script["src"].startswith(settings.STATIC_URL) and not script.get_text(strip=True)
            else:  # allauth's data for its script: JSON, which the browser never runs
                assert script["type"] == "application/json"
                json.loads(script.get_text())
        assert soup.select_one(f"script[src='{settings.STATIC_URL}js/security-keys.js']") is not None
        assert not [tag for tag in soup.find_all(True) if any(name.startswith("on") for name in tag.attrs)]


def test_your_second_factor_page_counts_the_keys_and_offers_to_add_and_manage_them(people):
    client, _ = staff_with_key(people.manager)

    soup = BeautifulSoup(client.get(reverse("mfa_index")).content.decode(), "html.parser")

    [card] = [c for c in soup.select(".govuk-summary-card") if "Security keys" in c.get_text()]
    assert "You have added 1 security key." in card.get_text(" ", strip=True)
    links = {a.get_text(" ", strip=True): a["href"] for a in card.select("a")}
    assert links == {
        "Manage your security keys": reverse("mfa_list_webauthn"),
        "Add a security key": reverse("mfa_add_webauthn"),
    }


def test_a_lost_key_goes_with_the_app_and_recovery_codes_in_the_authenticator_reset(people):
    staff_with_key(people.manager)

    reset = authenticator_reset(user=people.manager, reason="Key lost on a train", confirmed_by="Charlotte")

    assert "webauthn" in reset.removed
    assert not Authenticator.objects.filter(user=people.manager).exists()
