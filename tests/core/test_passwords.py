"""Passwords at rest carry a pepper held apart from the database (ASVS 2.4.5), and a new password must be as hard
to guess as the strength meter asks (ASVS 2.1.8).

The test settings hash with MD5 for speed, so these tests name the peppered hasher themselves: a subclass with few
iterations, except where the production list of hashers is the point.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from bs4 import BeautifulSoup, Tag
from django.conf import settings
from django.contrib.auth.hashers import (
    PBKDF2PasswordHasher,
    check_password,
    get_hasher,
    identify_hasher,
    make_password,
)
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils.crypto import constant_time_compare as django_constant_time_compare

from casereviews.core import passwords
from casereviews.core.passwords import PepperedPBKDF2PasswordHasher, StrengthValidator, password_rules, pepper_id
from tests.conftest import signed_in
from tests.core.test_password_input import reset_password_page, signed_in_with_a_password_alone
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

PEPPER = "a-pepper-for-these-tests-only-0123456789abcdef"
OTHER_PEPPER = "another-pepper-for-these-tests-0123456789abcdef"


class FastPepperedHasher(PepperedPBKDF2PasswordHasher):
    iterations = 1_000


class FastPBKDF2Hasher(PBKDF2PasswordHasher):
    iterations = 1_000


FAST_HASHERS = [f"{__name__}.FastPepperedHasher", f"{__name__}.FastPBKDF2Hasher"]


@pytest.fixture
def peppered(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    settings.PASSWORD_PEPPERS = [PEPPER]
    return settings


# -- the pepper (ASVS 2.4.5) ------------------------------------------------------------------------------------------


def test_production_hashes_with_the_peppered_hasher_first_and_keeps_djangos_after_it():
    import casereviews.settings as production

    assert production.PASSWORD_HASHERS[0] == "casereviews.core.passwords.PepperedPBKDF2PasswordHasher"
    assert production.PASSWORD_HASHERS[1] == "django.contrib.auth.hashers.PBKDF2PasswordHasher"
    # The KDF inside is Django's own PBKDF2-SHA256, at Django's iteration count.
    assert PepperedPBKDF2PasswordHasher.iterations == PBKDF2PasswordHasher.iterations >= 600_000


def test_a_peppered_hash_names_its_pepper_by_id_and_verifies_with_it(peppered):
    encoded = make_password(PASSWORD)
    algorithm, identifier, iterations, _salt, _digest = encoded.split("$")
    assert (algorithm, identifier, iterations) == ("pbkdf2_sha256_peppered", pepper_id(PEPPER), "1000")
    assert PEPPER not in encoded and identifier not in PEPPER
    assert check_password(PASSWORD, encoded)
    assert not check_password("not the password", encoded)


def test_a_hash_made_with_the_pepper_does_not_verify_with_another_pepper(peppered):
    encoded = make_password(PASSWORD)
    peppered.PASSWORD_PEPPERS = [OTHER_PEPPER]
    assert not check_password(PASSWORD, encoded)
    # Nor when the hash's pepper id is made to name the other pepper: the digest was made with the first one.
    forged = encoded.replace(pepper_id(PEPPER), pepper_id(OTHER_PEPPER))
    assert not check_password(PASSWORD, forged)


def test_the_stored_hash_alone_is_not_enough_to_check_a_guess(peppered):
    # Someone with a copy of the database (or a backup) but not the environment tries the right password with
    # Django's stock PBKDF2 on the stored salt and iterations: it does not match, so guessing needs the pepper.
    encoded = make_password(PASSWORD)
    _, _, iterations, salt, digest = encoded.split("$")
    as_stock = f"pbkdf2_sha256${iterations}${salt}${digest}"
    assert not PBKDF2PasswordHasher().verify(PASSWORD, as_stock)
    assert PBKDF2PasswordHasher().encode(PASSWORD, salt, int(iterations)).split("$")[-1] != digest


def test_an_old_unpeppered_hash_still_verifies_and_is_re_hashed_with_the_pepper_at_sign_in(settings, people):
    # The production list of hashers: the pepper first, Django's PBKDF2 (every existing hash) after it.
    import casereviews.settings as production

    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS
    settings.PASSWORD_PEPPERS = [PEPPER]
    cache.clear()
    referrer = people.referrer
    referrer.password = PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt())
    referrer.save(update_fields=["password"])

    response = Client().post(reverse("account_login"), {"login": "rory", "password": PASSWORD})

    assert response.status_code == 302 and response["Location"] == reverse("home")
    referrer.refresh_from_db()
    assert referrer.password.startswith(f"pbkdf2_sha256_peppered${pepper_id(PEPPER)}$")
    assert identify_hasher(referrer.password).algorithm == "pbkdf2_sha256_peppered"
    assert referrer.check_password(PASSWORD)


def test_rotating_the_pepper_keeps_old_hashes_valid_and_re_hashes_them_with_the_new_one(peppered, people):
    referrer = people.referrer
    referrer.set_password(PASSWORD)
    referrer.save()
    old_hash = referrer.password

    peppered.PASSWORD_PEPPERS = [OTHER_PEPPER, PEPPER]  # the new pepper first, the old one still there
    assert get_hasher().must_update(old_hash)
    assert referrer.check_password(PASSWORD)  # checked with the old pepper, then re-hashed with the new
    referrer.refresh_from_db()
    assert referrer.password.split("$")[1] == pepper_id(OTHER_PEPPER)

    peppered.PASSWORD_PEPPERS = [OTHER_PEPPER]  # the old pepper removed once everyone is re-hashed
    assert referrer.check_password(PASSWORD)
    assert not check_password(PASSWORD, old_hash)  # a hash nobody re-hashed now needs a reset


def test_a_hash_whose_pepper_was_removed_is_refused_after_the_same_work_and_says_why(peppered, caplog):
    encoded = make_password(PASSWORD)
    peppered.PASSWORD_PEPPERS = [OTHER_PEPPER]
    calls = []
    real_pbkdf2 = passwords.pbkdf2

    def counting_pbkdf2(*args, **kwargs):
        calls.append(args[2])  # the iterations
        return real_pbkdf2(*args, **kwargs)

    passwords.pbkdf2 = counting_pbkdf2
    try:
        assert not get_hasher().verify(PASSWORD, encoded)
    finally:
        passwords.pbkdf2 = real_pbkdf2
    assert calls == [1_000]  # as long as checking a wrong password
    assert f"uses pepper {pepper_id(PEPPER)}, which PASSWORD_PEPPER no longer holds" in caplog.text


def test_the_hash_is_compared_in_constant_time(peppered, monkeypatch):
    encoded = make_password(PASSWORD)
    compared = []
    real_compare = passwords.constant_time_compare

    def recording_compare(first, second):
        compared.append((first, second))
        return real_compare(first, second)

    monkeypatch.setattr(passwords, "constant_time_compare", recording_compare)
    hasher = get_hasher()
    assert hasher.verify(PASSWORD, encoded) and not hasher.verify("not the password", encoded)
    # Both answers came from Django's constant_time_compare (hmac.compare_digest) over the whole encoded hash.
    assert [first for first, _ in compared] == [encoded, encoded]
    assert real_compare is django_constant_time_compare


def test_the_hashs_summary_shows_which_pepper_but_masks_the_salt_and_digest(peppered):
    encoded = make_password(PASSWORD)
    summary = get_hasher().safe_summary(encoded)
    assert summary["pepper"] == pepper_id(PEPPER)
    assert summary["salt"] != encoded.split("$")[3] and summary["hash"] != encoded.split("$")[4]


def production_settings(**env: str) -> subprocess.CompletedProcess:
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "MFA_", "PASSWORD_"))
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="casereviews.settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="a-secret-for-this-test-only",
        CASEREVIEWS_VAR_DIR=tempfile.mkdtemp(prefix="casereviews-settings-"),
        **env,
    )
    return subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.PASSWORD_PEPPERS)"],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_pepper_or_with_the_development_one_or_a_short_one():
    missing = production_settings()
    assert missing.returncode != 0 and "PASSWORD_PEPPER must be set when DJANGO_DEBUG is false" in missing.stderr
    development = production_settings(PASSWORD_PEPPER="development-only-password-pepper-never-used-in-production")
    assert development.returncode != 0 and "PASSWORD_PEPPER must be set" in development.stderr
    short = production_settings(PASSWORD_PEPPER="too-short")
    assert short.returncode != 0 and "at least 32 characters" in short.stderr
    rotating = production_settings(PASSWORD_PEPPER=f"{PEPPER},{OTHER_PEPPER}")
    assert rotating.returncode == 0, rotating.stderr
    assert rotating.stdout.strip() == str([PEPPER, OTHER_PEPPER])


# -- strength (ASVS 2.1.8) --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("weak", ["qwertyqwerty", "password1234", "Liverpool1990", "P@ssw0rd2024", "december2025"])
def test_a_password_easy_to_guess_is_refused_with_a_reason_however_long(weak):
    with pytest.raises(ValidationError) as refused:
        validate_password(weak)
    messages = refused.value.messages
    assert any(message.startswith("This password is too easy to guess.") for message in messages), messages
    assert any(len(message) > len("This password is too easy to guess.") for message in messages)  # and why


@pytest.mark.parametrize("strong", ["a tortoise under the willow", "kT8#vq2LmZ9w", "blue sky over river"])
def test_a_password_hard_to_guess_is_accepted(strong):
    validate_password(strong)


def test_a_password_built_from_the_persons_own_details_is_too_easy_to_guess(people):
    StrengthValidator().validate("Rory@example.org1")  # strong enough from a stranger...
    with pytest.raises(ValidationError, match="too easy to guess"):
        StrengthValidator().validate("Rory@example.org1", user=people.referrer)  # ...not from Rory


def test_a_password_too_long_to_estimate_is_judged_by_its_first_128_characters_not_by_an_error():
    StrengthValidator().validate("kT8#vq2LmZ9w" * 200)  # the maximum-length rule refuses it, this one does not fail


def test_changing_a_password_to_one_easy_to_guess_is_refused_and_the_hint_says_what_is_needed(people):
    client = signed_in(people.referrer)
    page = client.get(reverse("account_change_password")).content.decode()
    assert "Your password must be hard to guess:" in page
    weak = "Liverpool1990"
    form = {"oldpassword": PASSWORD, "password1": weak, "password2": weak}
    response = client.post(reverse("account_change_password"), form)
    assert response.status_code == 200 and "This password is too easy to guess." in response.content.decode()
    people.referrer.refresh_from_db()
    assert people.referrer.check_password(PASSWORD)


def test_the_meter_is_given_the_rules_the_server_applies():
    assert password_rules() == {"min_length": 12, "max_length": 128, "min_score": 3}


def strength_meters(html: str) -> dict[str, Tag]:
    """Each strength meter on the page, by the name of the field it judges."""
    soup = BeautifulSoup(html, "html.parser")
    return {
        soup.find(id=meter["data-password-strength"])["name"]: meter
        for meter in soup.select("[data-password-strength]")
    }


def assert_only_the_new_password_has_a_meter_that_waits_for_javascript(html: str) -> None:
    meters = strength_meters(html)
    assert list(meters) == ["password1"]  # the new password; not its confirmation, not the current one
    meter = meters["password1"]
    assert meter["aria-live"] == "polite" and "govuk-hint" in meter["class"]
    assert meter.has_attr("hidden") and meter.get_text(strip=True) == ""  # without JavaScript: nothing shown
    assert (meter["data-min-length"], meter["data-max-length"], meter["data-min-score"]) == ("12", "128", "3")
    assert '<script type="module" src="/static/js/password-strength.js"></script>' in html
    assert "Your password must be hard to guess:" in html  # the hint says what the server requires


def test_changing_setting_and_resetting_a_password_each_show_the_meter_under_the_new_password(people):
    client = signed_in_with_a_password_alone(people.referrer)
    assert_only_the_new_password_has_a_meter_that_waits_for_javascript(
        client.get(reverse("account_change_password")).content.decode()
    )
    people.referrer.set_unusable_password()
    people.referrer.save()
    assert_only_the_new_password_has_a_meter_that_waits_for_javascript(
        signed_in_with_a_password_alone(people.referrer).get(reverse("account_set_password")).content.decode()
    )
    anonymous = Client()
    assert_only_the_new_password_has_a_meter_that_waits_for_javascript(
        anonymous.get(reset_password_page(anonymous)).content.decode()
    )
    assert strength_meters(anonymous.get(reverse("account_login")).content.decode()) == {}


def test_the_admin_pages_where_a_business_unit_sets_a_password_show_the_meter_and_apply_the_rule(people):
    people.manager.is_staff = people.manager.is_superuser = True
    people.manager.save()
    TOTP.activate(people.manager, generate_totp_secret())
    admin = Client()
    admin.force_login(people.manager)

    for url in [
        reverse("admin:partnerships_user_add"),
        reverse("admin:auth_user_password_change", args=[people.referrer.pk]),
    ]:
        page = admin.get(url)
        assert page.status_code == 200, url
        html = page.content.decode()
        meters = strength_meters(html)
        assert list(meters) == ["password1"] and meters["password1"].has_attr("hidden"), url
        assert meters["password1"]["aria-live"] == "polite"
        assert '<script type="module" src="/static/js/password-strength.js"></script>' in html

    weak = "Liverpool1990"
    refused = admin.post(
        reverse("admin:auth_user_password_change", args=[people.referrer.pk]), {"password1": weak, "password2": weak}
    )
    assert refused.status_code == 200 and "This password is too easy to guess." in refused.content.decode()
    people.referrer.refresh_from_db()
    assert people.referrer.check_password(PASSWORD)
