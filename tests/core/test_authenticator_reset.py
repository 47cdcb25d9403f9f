"""A lost authenticator (ASVS 2.5.7): once the business manager has confirmed who is asking
(docs/lost-authenticator.md), `manage.py authenticator_reset` removes the person's authenticators, ends their
sessions, audits why and who confirmed it, and e-mails them; at their next sign-in staff are sent to set up a new
authenticator."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from allauth.usersessions.models import UserSession
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from casereviews.core.auth import mfa_decrypt
from casereviews.core.models import AuditEvent
from tests.conftest import signed_in
from tests.factories import PASSWORD, current_code

pytestmark = pytest.mark.django_db

REASON = "Phone lost on 1 December, reported by telephone"
CONFIRMER = "Bella Manager, called back on the number held; checked by Sam"


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


@pytest.fixture
def secrets_held(people) -> list[str]:
    """The manager's authenticator app and recovery codes; returns every secret they hold, in clear."""
    secret = generate_totp_secret()
    TOTP.activate(people.manager, secret)
    codes = RecoveryCodes.activate(people.manager)
    seed = mfa_decrypt(codes.instance.data["seed"])
    return [secret, seed, *codes.get_unused_codes()]


def reset(username: str = "bella", **options: str) -> str:
    out = StringIO()
    call_command(
        "authenticator_reset", username, stdout=out, **({"reason": REASON, "confirmed_by": CONFIRMER} | options)
    )
    return out.getvalue()


def sessions_of(user) -> list[str]:
    return [s.session_key for s in Session.objects.all() if s.get_decoded().get(SESSION_KEY) == str(user.pk)]


def test_the_reset_removes_the_authenticator_app_and_recovery_codes(people, secrets_held):
    output = reset()
    assert not Authenticator.objects.filter(user=people.manager).exists()
    assert "recovery_codes, totp" in output and "bella" in output


def test_the_reset_ends_every_session_of_the_person_so_a_signed_in_device_is_signed_out(people, secrets_held):
    phone = Client()  # signed in through the pages: allauth lists the session
    response = phone.post(reverse("account_login"), {"login": "bella", "password": PASSWORD})
    phone.post(response["Location"], {"code": current_code(secrets_held[0])})
    laptop = signed_in(people.manager)  # a session allauth does not list (as those started before it listed them)
    assert UserSession.objects.filter(user=people.manager).count() == 1
    assert len(sessions_of(people.manager)) == 2
    someone_else = signed_in(people.chair)

    reset()

    assert sessions_of(people.manager) == [] and not UserSession.objects.filter(user=people.manager).exists()
    for client in (laptop, phone):
        response = client.get(reverse("referrals:dashboard"))
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    assert someone_else.get(reverse("referrals:dashboard")).status_code == 200


def test_the_reset_is_audited_with_the_reason_and_who_confirmed_the_identity_and_no_secret(people, secrets_held):
    signed_in(people.manager)
    reset()
    (event,) = AuditEvent.objects.filter(action="auth.authenticator_reset")
    assert event.actor is None and event.object_id == str(people.manager.pk)
    assert event.changes["reason"] == REASON and event.changes["confirmed_by"] == CONFIRMER
    assert event.changes["removed"] == ["recovery_codes", "totp"] and event.changes["sessions_ended"] == 1
    recorded = event.summary + json.dumps(event.changes)
    assert "bella" in event.summary and CONFIRMER in event.summary
    assert not any(secret in recorded for secret in secrets_held)
    call_command("audit_verify", stdout=StringIO())  # the chain still holds


def test_the_person_is_e_mailed_at_the_address_on_their_account_with_no_secret(people, secrets_held):
    output = reset()
    (message,) = mail.outbox
    assert message.to == ["bella@example.org"] and "authenticator" in message.subject
    assert "set up an authenticator app again" in message.body and "did not ask for this" in message.body
    assert not any(secret in message.body for secret in secrets_held)
    assert "E-mailed bella@example.org" in output


def test_at_their_next_sign_in_the_person_is_sent_to_set_up_a_new_authenticator(people, secrets_held):
    reset()
    client = Client()
    response = client.post(reverse("account_login"), {"login": "bella", "password": PASSWORD})
    assert response.status_code == 302  # the password alone now signs in, straight to set-up:
    response = client.get(reverse("referrals:dashboard"))
    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")
    assert client.get(reverse("mfa_activate_totp")).status_code == 200


def test_an_unknown_or_inactive_user_is_refused_and_nothing_is_recorded(people, secrets_held):
    with pytest.raises(CommandError, match="No active user called 'nobody'"):
        reset("nobody")
    people.manager.is_active = False
    people.manager.save()
    with pytest.raises(CommandError, match="No active user"):
        reset()
    assert Authenticator.objects.filter(user=people.manager).count() == 2
    assert not AuditEvent.objects.filter(action="auth.authenticator_reset").exists() and not mail.outbox


def test_a_missing_or_blank_reason_or_confirmer_is_refused_and_nothing_is_removed(people, secrets_held):
    with pytest.raises(CommandError, match="--reason"):
        call_command("authenticator_reset", "bella", confirmed_by=CONFIRMER, stdout=StringIO())
    with pytest.raises(CommandError, match="--confirmed-by"):
        call_command("authenticator_reset", "bella", reason=REASON, stdout=StringIO())
    with pytest.raises(CommandError, match="reason"):
        reset(reason="  ")
    with pytest.raises(CommandError, match="confirmed"):
        reset(confirmed_by="")
    assert Authenticator.objects.filter(user=people.manager).count() == 2
    assert not AuditEvent.objects.filter(action="auth.authenticator_reset").exists() and not mail.outbox
