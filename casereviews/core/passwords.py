"""Passwords at rest and at the moment they are chosen (ASVS 2.4.5 and 2.1.8; ADR 0016).

- `PepperedPBKDF2PasswordHasher`: Django's PBKDF2-SHA256 over an HMAC-SHA256 of the password keyed with a secret
  "pepper" (PASSWORD_PEPPER) that lives in the environment, never in the database or its backups. A stolen copy of
  the database alone then gives nothing to guess against: every guess needs the pepper too.
- `StrengthValidator`: the zxcvbn estimate the strength meter shows on every page where a password is set
  (casereviews/static/js/password-strength.js, zxcvbn-ts in the browser), enforced on the server with the same
  minimum score, so the rule the meter shows is the rule that is applied.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import logging
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AdminPasswordChangeForm, AdminUserCreationForm
from django.contrib.auth.hashers import PBKDF2PasswordHasher, mask_hash
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.forms.renderers import BaseRenderer
from django.template.loader import render_to_string
from django.utils.crypto import constant_time_compare, pbkdf2
from django.utils.safestring import SafeString, mark_safe
from zxcvbn import zxcvbn

logger = logging.getLogger("casereviews.security")

# -- the pepper (ASVS 2.4.5) ------------------------------------------------------------------------------------------

# What the pepper's id is derived from: a keyed digest, so the id names a pepper without disclosing anything of it.
_PEPPER_ID_LABEL = b"casereviews password pepper id"
PEPPER_ID_LENGTH = 8  # hex characters; enough to tell a handful of peppers apart
MINIMUM_PEPPER_LENGTH = 32  # characters; `secrets.token_urlsafe(32)` gives 43


def pepper_id(pepper: str) -> str:
    return hmac.new(pepper.encode(), _PEPPER_ID_LABEL, hashlib.sha256).hexdigest()[:PEPPER_ID_LENGTH]


@functools.lru_cache(maxsize=4)
def _peppers_by_id(peppers: tuple[str, ...]) -> dict[str, bytes]:
    if not peppers:
        raise ImproperlyConfigured("PASSWORD_PEPPER is empty: passwords can be neither hashed nor checked")
    by_id: dict[str, bytes] = {}
    for pepper in peppers:
        identifier = pepper_id(pepper)
        if identifier in by_id:
            raise ImproperlyConfigured("PASSWORD_PEPPER names the same pepper twice")
        by_id[identifier] = pepper.encode()
    return by_id  # in the order given: the first is the one new hashes use


def configured_peppers() -> dict[str, bytes]:
    """PASSWORD_PEPPERS by id, the current one (which peppers new hashes) first."""
    return _peppers_by_id(tuple(settings.PASSWORD_PEPPERS))


def current_pepper_id() -> str:
    return next(iter(configured_peppers()))


def _peppered(password: str, pepper: bytes) -> str:
    # HMAC-SHA256 with the pepper as key, before the salted KDF. Base64 of the 32-byte digest: a fixed-length text
    # input for PBKDF2, whatever the password's length or alphabet.
    digest = hmac.new(pepper, password.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


class PepperedPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    """PBKDF2-SHA256 (Django's iterations and salt) of HMAC-SHA256(pepper, password).

    Stored as `pbkdf2_sha256_peppered$<pepper id>$<iterations>$<salt>$<hash>`. Its own algorithm name means that
    Django, with this hasher first in PASSWORD_HASHERS, re-hashes a plain `pbkdf2_sha256` password the next time
    its owner signs in with it. The pepper id lets PASSWORD_PEPPER hold several peppers while one is rotated out:
    each hash is checked with the pepper it was made with, and re-hashed with the current one at its next sign-in.
    """

    algorithm = "pbkdf2_sha256_peppered"

    def encode(self, password: str, salt: str, iterations: int | None = None, pepper: str | None = None) -> str:
        # What Django's own hashers check (BasePasswordHasher._check_encode_args, private): "$" separates the fields.
        if password is None:
            raise TypeError("password must be provided.")
        if not salt or "$" in salt:
            raise ValueError("salt must be provided and cannot contain $.")
        peppers = configured_peppers()
        identifier = pepper or current_pepper_id()
        iterations = iterations or self.iterations
        derived = pbkdf2(_peppered(password, peppers[identifier]), salt, iterations, digest=self.digest)
        hash_ = base64.b64encode(derived).decode("ascii").strip()
        return f"{self.algorithm}${identifier}${iterations}${salt}${hash_}"

    def decode(self, encoded: str) -> dict[str, Any]:
        algorithm, identifier, iterations, salt, hash_ = encoded.split("$", 4)
        if algorithm != self.algorithm:
            raise ValueError(f"not a {self.algorithm} hash")
        return {
            "algorithm": algorithm,
            "pepper": identifier,
            "iterations": int(iterations),
            "salt": salt,
            "hash": hash_,
        }

    def verify(self, password: str, encoded: str) -> bool:
        decoded = self.decode(encoded)
        if decoded["pepper"] not in configured_peppers():
            # The pepper this hash was made with has been removed from PASSWORD_PEPPER. Spend the same work as a
            # real check, so the answer takes as long as for a wrong password, and say why sign-ins are failing.
            self.encode(password, decoded["salt"], decoded["iterations"])
            logger.error(
                "A password hash uses pepper %s, which PASSWORD_PEPPER no longer holds: its owner cannot sign in "
                "until the pepper is put back (after the current one) or the password is reset",
                decoded["pepper"],
            )
            return False
        recomputed = self.encode(password, decoded["salt"], decoded["iterations"], pepper=decoded["pepper"])
        return constant_time_compare(encoded, recomputed)

    def safe_summary(self, encoded: str) -> dict[Any, Any]:
        decoded = self.decode(encoded)
        return {
            "algorithm": decoded["algorithm"],
            "pepper": decoded["pepper"],
            "iterations": decoded["iterations"],
            "salt": mask_hash(decoded["salt"]),
            "hash": mask_hash(decoded["hash"]),
        }

    def must_update(self, encoded: str) -> bool:
        # Besides Django's reasons (fewer iterations than today's, a short salt): made with a pepper that is no
        # longer the current one, so that rotating the pepper re-hashes each password at its owner's next sign-in.
        return super().must_update(encoded) or self.decode(encoded)["pepper"] != current_pepper_id()


# -- strength (ASVS 2.1.8) --------------------------------------------------------------------------------------------

# zxcvbn's scores: 0 too guessable, 1 very guessable, 2 somewhat guessable, 3 safely unguessable (about 10^8 guesses
# or more), 4 very unguessable. The meter and this validator both require 3.
MINIMUM_STRENGTH_SCORE = 3
# zxcvbn's work grows with the length; nothing longer than the longest password allowed (MaximumLengthValidator,
# 128) is worth estimating, and zxcvbn-ts in the browser is given the same limit.
STRENGTH_MAX_LENGTH = 128

# Says what is required whether or not the meter runs (without JavaScript there is no meter, only this).
STRENGTH_HINT = (
    "Your password must be hard to guess: not made of common words, names, dates, keyboard patterns or repeats. "
    "A phrase of several unrelated words is strong and easy to remember."
)


class StrengthValidator:
    """Refuses a password that zxcvbn scores below `min_score` (3 by default): one made of common words, names,
    dates, keyboard patterns, repeats or sequences that a guesser would try early, however long."""

    def __init__(self, min_score: int = MINIMUM_STRENGTH_SCORE) -> None:
        self.min_score = min_score

    def validate(self, password: str, user: Any = None) -> None:
        inputs = [
            str(value)
            for value in (getattr(user, field, "") for field in ("username", "email", "first_name", "last_name"))
            if value
        ]
        result = zxcvbn(password[:STRENGTH_MAX_LENGTH], user_inputs=inputs, max_length=STRENGTH_MAX_LENGTH)
        if result["score"] < self.min_score:
            advice = " ".join(
                part for part in [result["feedback"]["warning"], *result["feedback"]["suggestions"]] if part
            )
            message = "This password is too easy to guess."
            raise ValidationError(
                f"{message} {advice}" if advice else message,
                code="password_too_weak",
                params={"min_score": self.min_score},
            )

    def get_help_text(self) -> str:
        return STRENGTH_HINT


def password_rules() -> dict[str, int]:
    """The rules a new password must meet, read from AUTH_PASSWORD_VALIDATORS, for the strength meter to show and
    check as the person types: the same numbers the server applies."""
    rules = {"min_length": 8, "max_length": STRENGTH_MAX_LENGTH, "min_score": 0}
    names = {
        "django.contrib.auth.password_validation.MinimumLengthValidator": "min_length",
        "casereviews.core.auth.MaximumLengthValidator": "max_length",
        "casereviews.core.passwords.StrengthValidator": "min_score",
    }
    defaults = {"min_length": 8, "max_length": 128, "min_score": MINIMUM_STRENGTH_SCORE}
    validators: list[dict[str, Any]] = list(getattr(settings, "AUTH_PASSWORD_VALIDATORS", []))
    for validator in validators:
        rule = names.get(validator["NAME"])
        if rule is not None:
            rules[rule] = int(validator.get("OPTIONS", {}).get(rule, defaults[rule]))
    return rules


class StrengthMeterPasswordInput(forms.PasswordInput):
    """A password input followed by the strength meter, for the Django admin's pages where a business unit sets
    someone's password (adding a user, changing a password). allauth's pages draw the meter in their own template."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: BaseRenderer | None = None
    ) -> SafeString:
        html = super().render(name, value, attrs, renderer)
        field_id = (attrs or {}).get("id") or self.attrs.get("id") or f"id_{name}"
        meter = render_to_string("includes/password_strength.html", {"field_id": field_id, "admin": True})
        return mark_safe(html + meter)  # noqa: S308 - Django's own rendering and our template's, both escaped


def _with_meter_on_the_new_password(form: forms.BaseForm) -> None:
    field = form.fields["password1"]
    field.widget = StrengthMeterPasswordInput(attrs=field.widget.attrs)


class UserCreationFormWithMeter(AdminUserCreationForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _with_meter_on_the_new_password(self)


class PasswordChangeFormWithMeter(AdminPasswordChangeForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _with_meter_on_the_new_password(self)
