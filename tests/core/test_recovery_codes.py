"""Recovery codes are lookup secrets (ASVS 2.6.2): long enough to have 112 bits each, stored only as an encrypted
seed, good once, and a wrong one is refused and audited."""

from __future__ import annotations

import json

import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import reverse

from casereviews.core.auth import mfa_decrypt
from casereviews.core.models import AuditEvent
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    # Throttle counters live in the cache; start each test without them.
    cache.clear()


@pytest.fixture
def codes(people) -> list[str]:
    TOTP.activate(people.manager, generate_totp_secret())
    return RecoveryCodes.activate(people.manager).get_unused_codes()


def signs_in_with(username: str, code: str) -> bool:
    client = Client()
    response = client.post(reverse("account_login"), {"login": username, "password": PASSWORD})
    client.post(response["Location"], {"code": code})
    return client.get(reverse("referrals:dashboard")).status_code == 200


def stored_recovery_data(user) -> str:
    """The column as the database holds it, read past the ORM."""
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    with connection.cursor() as cursor:
        cursor.execute("SELECT data FROM mfa_authenticator WHERE id = %s", [authenticator.pk])
        (raw,) = cursor.fetchone()
    return raw if isinstance(raw, str) else json.dumps(raw)


def test_each_recovery_code_has_the_configured_34_digits_which_is_at_least_112_bits(codes):
    assert mfa_settings.RECOVERY_CODE_DIGITS == 34 and 10**34 > 2**112
    assert len(codes) == mfa_settings.RECOVERY_CODE_COUNT == 10
    assert all(len(code) == 34 and code.isdigit() for code in codes)
    assert len(set(codes)) == len(codes)


def test_the_database_holds_only_the_encrypted_seed_never_a_code_or_the_seed_in_clear(people, codes):
    raw = stored_recovery_data(people.manager)
    data = json.loads(raw)
    assert set(data) == {"seed", "used_mask"}
    assert data["seed"].startswith("gAAAAA")  # a Fernet token
    seed = mfa_decrypt(data["seed"])
    assert seed not in raw and seed.lower() not in raw.lower()
    assert not any(code in raw for code in codes)


def test_a_recovery_code_signs_in_even_typed_in_groups(people, codes):
    grouped = " ".join(codes[0][i : i + 5] for i in range(0, 34, 5))
    assert signs_in_with("bella", grouped)


def test_a_used_recovery_code_is_refused_the_second_time(people, codes):
    assert signs_in_with("bella", codes[0])
    assert not signs_in_with("bella", codes[0])
    unused = RecoveryCodes(Authenticator.objects.get(user=people.manager, type="recovery_codes")).get_unused_codes()
    assert codes[0] not in unused and unused == codes[1:]


def test_a_wrong_recovery_code_is_refused_and_audited_without_the_code(people, codes):
    wrong = str((int(codes[0]) + 1) % 10**34).zfill(34)
    assert wrong not in codes
    assert not signs_in_with("bella", wrong)
    (event,) = AuditEvent.objects.filter(action="auth.second_factor_failed")
    assert event.actor == people.manager and wrong not in event.summary and wrong not in json.dumps(event.changes)
