"""Signing in: a second factor for staff, throttling, no self sign-up, and every sign-in in the audit log."""

from __future__ import annotations

import time

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.core.cache import cache
from django.urls import reverse

from casereviews.core.models import AuditEvent
from tests.factories import PASSWORD

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
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
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
