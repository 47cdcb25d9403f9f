"""Signing in (ASVS V2): a second factor for every staff role, throttling per account and per address, no self
sign-up, no way to tell whether an account exists, the common-password list wherever a password is set, and every
sign-in in the audit log."""

from __future__ import annotations

import re
from importlib import import_module
from io import StringIO

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from cryptography.fernet import Fernet
from django.apps import apps
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from casereviews.core.audit import audit_verify
from casereviews.core.auth import MFASecretUnreadable, check_mfa_encryption_key, mfa_decrypt
from casereviews.core.models import AuditEvent
from tests.conftest import signed_in
from tests.factories import PASSWORD, current_code

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    # Throttle counters and used TOTP codes live in the database cache; start each test without them.
    cache.clear()


def sign_in(client, username: str, password: str = PASSWORD):
    return client.post(reverse("account_login"), {"login": username, "password": password})


def test_a_referrer_signs_in_with_a_password_alone(client, people):
    response = sign_in(client, "rory")
    assert response.status_code == 302
    assert client.get(reverse("referrals:list")).status_code == 200


def test_staff_with_a_second_factor_must_give_the_code_before_they_are_signed_in(client, people):
    secret = generate_totp_secret()
    TOTP.activate(people.manager, secret)
    response = sign_in(client, "bella")
    assert response.status_code == 302
    assert "/2fa/authenticate/" in response["Location"]
    assert client.get(reverse("referrals:dashboard")).status_code == 302  # not signed in yet
    code = current_code(secret)
    client.post(response["Location"], {"code": code})
    assert client.get(reverse("referrals:dashboard")).status_code == 200


def test_a_wrong_second_factor_code_does_not_sign_in(client, people):
    TOTP.activate(people.manager, generate_totp_secret())
    response = sign_in(client, "bella")
    client.post(response["Location"], {"code": "000000"})
    assert client.get(reverse("referrals:dashboard")).status_code == 302


def test_repeated_failed_sign_ins_are_throttled_even_with_the_right_password_afterwards(client, people):
    for _ in range(5):
        assert sign_in(client, "rory", "wrong password").status_code == 200
    response = sign_in(client, "rory")
    assert response.status_code in {200, 429}
    assert "Too many failed" in response.content.decode()
    assert client.get(reverse("referrals:list")).status_code == 302


def test_there_is_no_self_sign_up(client, people):
    from casereviews.partnerships.models import User

    before = User.objects.count()
    client.post(
        reverse("account_signup"),
        {
            "username": "mallory",
            "email": "mallory@example.org",
            "password1": "a long enough password 1",
            "password2": "a long enough password 1",
        },
    )
    assert User.objects.count() == before
    assert "closed" in client.get(reverse("account_signup")).content.decode().lower()


def test_sign_ins_and_failures_are_audited(client, people):
    sign_in(client, "rory", "wrong password")
    sign_in(client, "rory")
    actions = list(AuditEvent.objects.order_by("sequence").values_list("action", flat=True))
    assert actions[-2:] == ["auth.sign_in_failed", "auth.sign_in"]
    failed = AuditEvent.objects.get(action="auth.sign_in_failed")
    assert "wrong password" not in failed.summary


def test_changes_made_in_the_admin_are_audited(client, people, northshire):
    people.manager.is_staff = people.manager.is_superuser = True
    people.manager.save()
    TOTP.activate(people.manager, generate_totp_secret())
    client.force_login(people.manager)
    url = reverse("admin:partnerships_agency_add")
    response = client.post(url, {"partnership": northshire.pk, "name": "Northshire Youth Justice", "sector": "justice"})
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="admin.add")
    assert event.partnership == northshire
    assert "Northshire Youth Justice" in event.summary


def test_the_admin_lists_second_factors_but_cannot_add_change_or_remove_them(client, people):
    people.manager.is_staff = people.manager.is_superuser = True
    people.manager.save()
    TOTP.activate(people.manager, generate_totp_secret())
    authenticator = people.chair.authenticator_set.create(type="totp", data={"secret": "never shown"})
    client.force_login(people.manager)
    listed = client.get(reverse("admin:mfa_authenticator_changelist"))
    assert listed.status_code == 200
    assert str(people.chair) in listed.content.decode()
    shown = client.get(reverse("admin:mfa_authenticator_change", args=[authenticator.pk]))
    assert shown.status_code == 200
    assert "never shown" not in shown.content.decode()  # the secret is not on the page
    assert client.get(reverse("admin:mfa_authenticator_add")).status_code == 403
    assert client.get(reverse("admin:mfa_authenticator_delete", args=[authenticator.pk])).status_code == 403
    deleting = client.post(
        reverse("admin:mfa_authenticator_changelist"),
        {"action": "delete_selected", "_selected_action": [authenticator.pk], "post": "yes"},
    )
    assert deleting.status_code in {200, 302}
    assert people.chair.authenticator_set.filter(pk=authenticator.pk).exists()


# -- no user enumeration (ASVS 2.2, 3.x): an unknown account and a wrong password look the same --------------------


def normalised(response, *typed: str) -> str:
    """The page without what legitimately differs between two requests: the CSRF token and what was typed."""
    body = re.sub(
        r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken" value=""', response.content.decode()
    )
    for text in typed:
        body = body.replace(f'value="{text}"', 'value=""')
    return body


@pytest.mark.parametrize(("known", "unknown"), [("rory", "roberta"), ("rory@example.org", "roberta@example.org")])
def test_signing_in_says_the_same_for_an_unknown_account_as_for_a_wrong_password(people, known, unknown):
    wrong_password = sign_in(Client(), known, "not the password")
    no_account = sign_in(Client(), unknown, "not the password")
    assert wrong_password.status_code == no_account.status_code == 200
    assert "and/or password you specified are not correct." in wrong_password.content.decode()
    assert normalised(wrong_password, known) == normalised(no_account, unknown)


def test_a_password_reset_says_the_same_whether_or_not_the_address_has_an_account(people):
    url = reverse("account_reset_password")
    known = Client().post(url, {"email": "rory@example.org"})
    unknown = Client().post(url, {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == reverse("account_reset_password_done")
    assert normalised(Client().get(known["Location"])) == normalised(Client().get(unknown["Location"]))
    # Only the account's own mailbox learns anything: it gets the reset link, the other address a note.
    [to_rory] = [message for message in mail.outbox if message.to == ["rory@example.org"]]
    assert "/accounts/password/reset/key/" in to_rory.body
    assert all("/accounts/password/reset/key/" not in message.body for message in mail.outbox if message != to_rory)


# -- passwords (ASVS 2.1): the common-password list and the minimum length apply wherever a password is set ----------

COMMON_BUT_LONG = "qwertyqwerty"  # 12 characters, in Django's list of 20,000 common passwords


def test_changing_a_password_refuses_a_common_one(people):
    client = signed_in(people.referrer)
    form = {"oldpassword": PASSWORD, "password1": COMMON_BUT_LONG, "password2": COMMON_BUT_LONG}
    response = client.post(reverse("account_change_password"), form)
    assert response.status_code == 200 and "This password is too common." in response.content.decode()
    short = client.post(reverse("account_change_password"), {**form, "password1": "sh0rt", "password2": "sh0rt"})
    assert "at least 12 characters" in short.content.decode()
    people.referrer.refresh_from_db()
    assert people.referrer.check_password(PASSWORD)
    good = "a tortoise under the willow"
    assert (
        client.post(reverse("account_change_password"), {**form, "password1": good, "password2": good}).status_code
        == 302
    )
    people.referrer.refresh_from_db()
    assert people.referrer.check_password(good)


def test_resetting_a_password_refuses_a_common_one(people):
    client = Client()
    client.post(reverse("account_reset_password"), {"email": "rory@example.org"})
    link = re.search(r"http://\S+/accounts/password/reset/key/\S+/", mail.outbox[-1].body).group(0)
    form_page = client.get(link.split("testserver", 1)[-1])
    assert form_page.status_code == 302  # allauth moves the key out of the address before showing the form
    set_password = form_page["Location"]
    response = client.post(set_password, {"password1": COMMON_BUT_LONG, "password2": COMMON_BUT_LONG})
    assert response.status_code == 200 and "This password is too common." in response.content.decode()
    people.referrer.refresh_from_db()
    assert people.referrer.check_password(PASSWORD)


# -- throttling (ASVS 2.2.1) with the real database cache ------------------------------------------------------------


def test_failed_sign_ins_are_counted_per_account_whichever_name_is_typed(people):
    # Five failures spread over the username and the email address, each from a different address, so only the
    # per-account limit can be what stops the sixth.
    for attempt, login in enumerate(["rory", "RORY", "rory@example.org", "Rory@Example.org", "rory"]):
        response = sign_in(Client(REMOTE_ADDR=f"198.51.100.{attempt + 1}"), login, "wrong password")
        assert response.status_code == 200 and "Too many failed" not in response.content.decode()
    client = Client(REMOTE_ADDR="198.51.100.99")
    response = sign_in(client, "rory@example.org")
    assert "Too many failed" in response.content.decode()
    assert client.get(reverse("referrals:list")).status_code == 302
    # Someone else's account is not affected.
    assert sign_in(Client(REMOTE_ADDR="198.51.100.99"), "ruth").status_code == 302


def test_failed_sign_ins_are_counted_per_address_across_accounts(people):
    attacker = Client(REMOTE_ADDR="203.0.113.7")
    for attempt in range(10):
        sign_in(attacker, f"guess{attempt}", "wrong password")
    response = sign_in(attacker, "rory")
    assert "Too many failed" in response.content.decode()
    assert attacker.get(reverse("referrals:list")).status_code == 302
    # From another address the same account signs in: one address's failures lock nobody out.
    elsewhere = Client(REMOTE_ADDR="203.0.113.8")
    assert sign_in(elsewhere, "rory").status_code == 302
    assert elsewhere.get(reverse("referrals:list")).status_code == 200


# -- a second factor for every staff role (ASVS 2.7 / 2.8) ----------------------------------------------------------

STAFF = ["manager", "subgroup", "chair", "reviewer", "agency_lead", "analyst", "other_manager", "superuser"]
CONFIDENTIAL = [
    "referrals:list",
    "referrals:dashboard",
    "reviews:dashboard",
    "actions:dashboard",
    "actions:agency_actions",
    "library:list",
    "publication:home",
    "partnerships:home",
    "core:audit_log",
    "admin:index",
]


def staff_member(people, persona):
    if persona == "superuser":
        user = people.outsider
        user.is_staff = user.is_superuser = True
        user.save()
        return user
    return getattr(people, persona)


@pytest.mark.parametrize("persona", STAFF)
def test_staff_without_a_second_factor_are_sent_to_set_one_up_and_reach_nothing_confidential(people, persona):
    user = staff_member(people, persona)
    client = Client()
    assert sign_in(client, user.username).status_code == 302
    for name in CONFIDENTIAL:
        response = client.get(reverse(name))
        assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp"), name
    api = client.get("/api/referrals/")
    assert api.status_code == 403 and "authenticator" in api.json()["detail"]
    # Having just signed in, they set it up at once, without being asked for their password again.
    assert client.get(reverse("mfa_activate_totp")).status_code == 200
    secret = client.session["mfa.totp.secret"]
    code = current_code(secret)
    client.post(reverse("mfa_activate_totp"), {"code": code})
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert client.get(reverse("referrals:list")).status_code == 200


# -- authenticator secrets encrypted at rest (ASVS 2.8.2) --------------------------------------------------------------


def code_for(secret: str) -> str:
    return current_code(secret)


def signs_in_with_code(user, code: str) -> bool:
    client = Client()
    response = sign_in(client, user.username)
    client.post(response["Location"], {"code": code})
    return client.get(reverse("referrals:dashboard")).status_code == 200


def test_an_authenticator_apps_secret_is_stored_encrypted_and_its_codes_still_sign_in(people):
    secret = generate_totp_secret()
    TOTP.activate(people.manager, secret)
    stored = Authenticator.objects.get(user=people.manager).data["secret"]
    assert stored != secret and secret not in stored and secret.lower() not in stored.lower()
    assert mfa_decrypt(stored) == secret
    assert signs_in_with_code(people.manager, code_for(secret))


def test_recovery_code_seeds_are_stored_encrypted_and_the_codes_still_sign_in(people):
    TOTP.activate(people.manager, generate_totp_secret())
    codes = RecoveryCodes.activate(people.manager)
    seed = Authenticator.objects.get(user=people.manager, type=Authenticator.Type.RECOVERY_CODES).data["seed"]
    assert seed.startswith("gAAAAA") and len(mfa_decrypt(seed)) == 80
    assert signs_in_with_code(people.manager, codes.get_unused_codes()[0])


def test_the_key_comes_from_mfa_encryption_key_and_no_other_key_reads_the_secrets(people, settings):
    key, other = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.MFA_ENCRYPTION_KEYS = [key]
    secret = generate_totp_secret()
    TOTP.activate(people.manager, secret)
    stored = Authenticator.objects.get(user=people.manager).data["secret"]
    assert Fernet(key.encode()).decrypt(stored.encode()).decode() == secret
    settings.MFA_ENCRYPTION_KEYS = [other]
    with pytest.raises(MFASecretUnreadable):
        mfa_decrypt(stored)


def test_rotating_the_key_re_encrypts_every_secret_so_the_old_key_can_go(people, settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.MFA_ENCRYPTION_KEYS = [old]
    secret = generate_totp_secret()
    TOTP.activate(people.manager, secret)
    RecoveryCodes.activate(people.manager)
    settings.MFA_ENCRYPTION_KEYS = [new, old]
    call_command("rotate_mfa_secrets", stdout=StringIO())
    settings.MFA_ENCRYPTION_KEYS = [new]
    assert mfa_decrypt(Authenticator.objects.get(user=people.manager, type=Authenticator.Type.TOTP).data["secret"])
    assert signs_in_with_code(people.manager, code_for(secret))
    assert AuditEvent.objects.filter(action="mfa.secrets_rotated").exists()


def test_secrets_stored_in_clear_before_encryption_are_encrypted_by_the_migration_and_keep_working(people):
    secret = generate_totp_secret()
    seed = "ab" * 40
    # As allauth stored them before the encrypting adapter: in clear.
    Authenticator.objects.create(user=people.manager, type=Authenticator.Type.TOTP, data={"secret": secret})
    Authenticator.objects.create(
        user=people.manager, type=Authenticator.Type.RECOVERY_CODES, data={"seed": seed, "used_mask": 0}
    )
    migration = import_module("casereviews.core.migrations.0005_encrypt_mfa_secrets")
    migration.encrypt(apps, None)
    stored = {a.type: a.data for a in Authenticator.objects.filter(user=people.manager)}
    assert stored[Authenticator.Type.TOTP]["secret"] != secret
    assert stored[Authenticator.Type.RECOVERY_CODES]["seed"] != seed
    assert stored[Authenticator.Type.RECOVERY_CODES]["used_mask"] == 0
    assert signs_in_with_code(people.manager, code_for(secret))
    migration.decrypt(apps, None)  # and back, should the migration be undone
    assert Authenticator.objects.get(user=people.manager, type=Authenticator.Type.TOTP).data["secret"] == secret


def test_production_without_an_mfa_key_is_warned_by_the_deploy_check(settings):
    settings.MFA_ENCRYPTION_KEYS = []
    assert [message.id for message in check_mfa_encryption_key()] == ["casereviews.W001"]
    settings.MFA_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    assert check_mfa_encryption_key() == []


# -- the account holder is told of changes to how they sign in (ASVS 2.2.3, 2.5.5) ------------------------------------


def mail_to(address: str) -> list[str]:
    return [message.subject for message in mail.outbox if address in message.to]


def test_changing_a_password_emails_the_account_holder(people):
    client = signed_in(people.referrer)
    new = "a tortoise under the willow"
    form = {"oldpassword": PASSWORD, "password1": new, "password2": new}
    assert client.post(reverse("account_change_password"), form).status_code == 302
    assert any("Password Changed" in subject for subject in mail_to("rory@example.org"))


def test_resetting_a_password_emails_the_account_holder(people):
    client = Client()
    client.post(reverse("account_reset_password"), {"email": "rory@example.org"})
    link = re.search(r"http://\S+/accounts/password/reset/key/\S+/", mail.outbox[-1].body).group(0)
    set_password = client.get(link.split("testserver", 1)[-1])["Location"]
    new = "a tortoise under the willow"
    mail.outbox.clear()
    assert client.post(set_password, {"password1": new, "password2": new}).status_code == 302
    assert any("Password Reset" in subject for subject in mail_to("rory@example.org"))


# allauth e-mails once the new authenticator is committed, still within the request: real transactions here.
@pytest.mark.django_db(transaction=True)
def test_adding_and_removing_an_authenticator_app_emails_the_account_holder(people):
    client = Client()
    client.force_login(people.manager)
    client.get(reverse("mfa_activate_totp"))
    secret = client.session["mfa.totp.secret"]
    client.post(reverse("mfa_activate_totp"), {"code": code_for(secret)})
    assert Authenticator.objects.filter(user=people.manager, type=Authenticator.Type.TOTP).exists()
    assert any("Authenticator App Activated" in subject for subject in mail_to("bella@example.org"))
    client.post(reverse("mfa_deactivate_totp"))
    assert not Authenticator.objects.filter(user=people.manager, type=Authenticator.Type.TOTP).exists()
    assert any("Authenticator App Deactivated" in subject for subject in mail_to("bella@example.org"))


@pytest.mark.django_db(transaction=True)  # allauth reports each change once it is committed (on_commit)
def test_setting_up_and_removing_an_authenticator_app_and_new_recovery_codes_are_audited(people):
    client = Client()
    client.force_login(people.manager)
    client.get(reverse("mfa_activate_totp"))
    secret = client.session["mfa.totp.secret"]
    client.post(reverse("mfa_activate_totp"), {"code": code_for(secret)})
    added = list(AuditEvent.objects.filter(action="auth.second_factor_added").values_list("summary", flat=True))
    assert sorted(added) == ["bella set up an authenticator app", "bella set up recovery codes"]
    response = client.post(reverse("mfa_generate_recovery_codes"))
    assert response.status_code == 302
    replaced = AuditEvent.objects.get(action="auth.recovery_codes_replaced")
    assert replaced.actor == people.manager
    client.post(reverse("mfa_deactivate_totp"))
    removed = list(AuditEvent.objects.filter(action="auth.second_factor_removed").values_list("summary", flat=True))
    assert sorted(removed) == ["bella's authenticator app removed", "bella's recovery codes removed"]
    assert secret not in str(list(AuditEvent.objects.values_list("summary", "changes")))
    assert audit_verify()[1] is None


# -- a one-time code used twice (ASVS 2.8.5) ---------------------------------------------------------------------------


def test_a_code_typed_again_after_it_was_used_is_refused_audited_and_the_account_holder_told(people):
    secret = generate_totp_secret()
    TOTP.activate(people.manager, secret)
    code = code_for(secret)
    assert signs_in_with_code(people.manager, code)
    assert not AuditEvent.objects.filter(action="auth.totp_reused").exists()
    replayer = Client(REMOTE_ADDR="203.0.113.50")
    response = sign_in(replayer, "bella")
    replayer.post(response["Location"], {"code": code})
    assert replayer.get(reverse("referrals:dashboard")).status_code == 302  # refused
    event = AuditEvent.objects.get(action="auth.totp_reused")
    assert event.actor == people.manager and event.ip_address == "203.0.113.50" and code not in event.summary
    (told,) = [message for message in mail.outbox if "typed again" in message.subject]
    assert told.to == ["bella@example.org"] and "203.0.113.50" in told.body and code not in told.body


def test_a_wrong_code_is_not_taken_for_a_replay(people):
    TOTP.activate(people.manager, generate_totp_secret())
    client = Client()
    response = sign_in(client, "bella")
    client.post(response["Location"], {"code": "000000"})
    assert not AuditEvent.objects.filter(action="auth.totp_reused").exists()
    assert not [message for message in mail.outbox if "typed again" in message.subject]


# -- the longest password (ASVS 2.1.2) ---------------------------------------------------------------------------------


def test_a_password_of_128_characters_is_accepted_and_one_longer_is_refused(people):
    client = signed_in(people.referrer)
    too_long = "correct horse battery staple " * 4 + "abcdefghijklm"  # 129 characters
    longest = too_long[:128]
    assert len(too_long) == 129 and len(longest) == 128
    refused = client.post(
        reverse("account_change_password"), {"oldpassword": PASSWORD, "password1": too_long, "password2": too_long}
    )
    assert refused.status_code == 200 and "This password is too long" in refused.content.decode()
    people.referrer.refresh_from_db()
    assert people.referrer.check_password(PASSWORD)
    accepted = client.post(
        reverse("account_change_password"), {"oldpassword": PASSWORD, "password1": longest, "password2": longest}
    )
    assert accepted.status_code == 302
    people.referrer.refresh_from_db()
    assert people.referrer.check_password(longest)
