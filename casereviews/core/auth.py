"""Sign-in policy (see docs/adr/0003-authentication.md and docs/adr/0012-sessions-and-reauthentication.md)."""

from __future__ import annotations

import base64
import functools
import time
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.account.forms import LoginForm
from allauth.account.internal.flows import reauthentication
from allauth.account.utils import filter_users_by_email
from allauth.core import context
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.base.forms import AuthenticateForm, ReauthenticateForm
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, validate_totp_code
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core import checks
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse

from casereviews.core.audit import audit_record

# When the person last completed a sign-in (for staff: password and authenticator code), in seconds since the
# epoch. Set by the user_logged_in receiver; the session lifetime and "recently signed in" are measured from it.
SIGNED_IN_AT_SESSION_KEY = "casereviews_signed_in_at"

# The `app` under which our own sensitive actions ask allauth whether a re-authentication is needed.
SENSITIVE_ACTIONS_APP = "casereviews"


def record_sign_in(request: HttpRequest) -> None:
    request.session[SIGNED_IN_AT_SESSION_KEY] = time.time()


def signed_in_at(request: HttpRequest) -> float | None:
    value = request.session.get(SIGNED_IN_AT_SESSION_KEY)
    return float(value) if isinstance(value, int | float) else None


def signed_in_recently(request: HttpRequest) -> bool:
    at = signed_in_at(request)
    return at is not None and time.time() - at < settings.ACCOUNT_REAUTHENTICATION_TIMEOUT


def recently_authenticated(request: HttpRequest) -> bool:
    """True when the person signed in, or confirmed it was them, within ACCOUNT_REAUTHENTICATION_TIMEOUT."""
    return not reauthentication.is_reauthentication_required(request, app=SENSITIVE_ACTIONS_APP)


def require_recent_authentication(request: HttpRequest) -> None:
    """Before a sensitive action: unless `recently_authenticated`, raise allauth's ReauthenticationRequired.

    allauth's middleware answers it by keeping the request (a POST's data included) in the session and sending the
    person to confirm it is them (staff: an authenticator code); once they have, allauth replays the request. Call
    this after the permission check, so that someone who may not act at all is refused, not asked to confirm.
    """
    reauthentication.raise_if_reauthentication_required(request, app=SENSITIVE_ACTIONS_APP)


def reauthentication_redirect(request: HttpRequest) -> HttpResponseRedirect:
    """What allauth's middleware does with ReauthenticationRequired, for code that runs outside a view."""
    methods = ProvisionedAccountAdapter(request).get_reauthentication_methods(request.user)
    url = methods[0]["url"] if methods else reverse("account_login")
    return reauthentication.suspend_request(request, url)


class ProvisionedAccountAdapter(DefaultAccountAdapter):
    """Accounts are created by a partnership's business unit, never by self sign-up: a role in a
    partnership gives access to confidential case material, so who holds one must be a decision."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def is_reauthentication_required(self, *, app: str, **kwargs: Any) -> bool:
        # allauth counts only an explicit re-authentication as recent. A sign-in completed a moment ago (for staff,
        # with the authenticator code) proves as much, so within the timeout it counts too; past it, allauth's own
        # check of explicit re-authentications decides.
        required = app == SENSITIVE_ACTIONS_APP or super().is_reauthentication_required(app=app, **kwargs)
        request = self.request or context.request
        return required and (request is None or not signed_in_recently(request))

    def get_reauthentication_methods(self, user: AbstractBaseUser | AnonymousUser) -> list[dict[str, Any]]:
        # Someone who signs in with an authenticator confirms with it too: a password alone, perhaps phished,
        # must not unlock what the second factor protects. allauth's password page then sends them to the code.
        methods = super().get_reauthentication_methods(user)
        if any(method["id"].startswith("mfa_reauthenticate") for method in methods):
            methods = [method for method in methods if method["id"] != "reauthenticate"]
        # Someone who has a security key is asked for it first (the code stays offered as another way): it cannot
        # be phished as a typed code can (ADR 0015).
        return sorted(methods, key=lambda method: method["id"] != "mfa_reauthenticate:webauthn")

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        # allauth counts failed sign-ins per typed name, so a username and an email address of the same account
        # would each get the full allowance. Count per account when the name identifies one; an unknown name is
        # counted as typed (the response is the same either way, so this discloses nothing).
        login = str(credentials.get("email") or credentials.get("username") or "").strip().lower()
        if "email" in credentials:
            matches = [user.pk for user in filter_users_by_email(login)]
        else:
            matches = list(get_user_model().objects.filter(username__iexact=login).values_list("pk", flat=True)[:2])
        if len(set(matches)) == 1:
            return f"account:{matches[0]}"
        return f"login:{login}"


# -- passwords (ASVS 2.1.2) --------------------------------------------------------------------------------------------


class MaximumLengthValidator:
    """Refuses passwords longer than `max_length` characters (128 by default, ASVS 2.1.2).

    Long passphrases are welcome, but past any sensible length a password only costs hashing time, which someone
    could spend on purpose; Django's PBKDF2 would otherwise hash a password of any length.
    """

    def __init__(self, max_length: int = 128) -> None:
        self.max_length = max_length

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(
                f"This password is too long. It must be {self.max_length} characters or fewer.",
                code="password_too_long",
                params={"max_length": self.max_length},
            )

    def get_help_text(self) -> str:
        return f"Your password must be {self.max_length} characters or fewer."


# -- authenticator secrets encrypted at rest (ASVS 2.8.2) --------------------------------------------------------------


class MFASecretUnreadable(RuntimeError):
    """A stored authenticator secret cannot be decrypted with any of MFA_ENCRYPTION_KEYS."""


def _derived_mfa_key(secret_key: str) -> bytes:
    # Development only (and the fallback when production sets no key, which `check --deploy` warns about): a key
    # derived from SECRET_KEY, separated from its other uses by the HKDF `info`.
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"casereviews mfa secrets").derive(
        secret_key.encode()
    )
    return base64.urlsafe_b64encode(derived)


@functools.lru_cache(maxsize=4)
def _mfa_fernet(keys: tuple[str, ...], secret_key: str) -> MultiFernet:
    # The derived key comes last, for reading only when a key is set: secrets stored before MFA_ENCRYPTION_KEY was
    # set stay readable until `rotate_mfa_secrets` has encrypted them with it.
    material = [key.encode() for key in keys] + [_derived_mfa_key(secret_key)]
    return MultiFernet([Fernet(key) for key in material])


def mfa_fernet() -> MultiFernet:
    """Encrypts with the first of MFA_ENCRYPTION_KEYS and decrypts with any of them, so a key is rotated by putting
    the new one first, running `manage.py rotate_mfa_secrets`, then removing the old one."""
    return _mfa_fernet(tuple(settings.MFA_ENCRYPTION_KEYS), settings.SECRET_KEY)


def mfa_encrypt(text: str) -> str:
    return mfa_fernet().encrypt(text.encode()).decode("ascii")


def mfa_decrypt(encrypted: str) -> str:
    try:
        return mfa_fernet().decrypt(encrypted.encode()).decode()
    except InvalidToken as error:
        raise MFASecretUnreadable(
            "An authenticator secret cannot be decrypted: MFA_ENCRYPTION_KEY (or, without it, DJANGO_SECRET_KEY) is "
            "not the key it was stored with. Put the old key back, after the new one, in MFA_ENCRYPTION_KEY."
        ) from error


# Every Fernet token starts with its version byte 0x80, "gAAAAA" in base64. allauth's plain secrets are base32 (TOTP),
# hex (recovery seeds) or digits (imported codes), so they never do.
_FERNET_PREFIX = "gAAAAA"


def seal_authenticator_data(data: dict[str, Any]) -> dict[str, Any]:
    """An authenticator's data with every secret in it encrypted under the current key: a plain one (stored before
    encryption) encrypted, an encrypted one re-encrypted (after a key rotation)."""

    def seal(value: str) -> str:
        if not value.startswith(_FERNET_PREFIX):
            return mfa_encrypt(value)
        try:
            return mfa_fernet().rotate(value.encode()).decode("ascii")
        except InvalidToken as error:
            raise MFASecretUnreadable("An authenticator secret cannot be decrypted with any key given") from error

    sealed = dict(data)
    for field in ("secret", "seed"):
        if isinstance(sealed.get(field), str):
            sealed[field] = seal(sealed[field])
    if isinstance(sealed.get("migrated_codes"), list):
        sealed["migrated_codes"] = [seal(code) for code in sealed["migrated_codes"]]
    return sealed


def unseal_authenticator_data(data: dict[str, Any]) -> dict[str, Any]:
    """The inverse of `seal_authenticator_data`, for undoing the migration that encrypted the secrets."""
    plain = dict(data)
    for field in ("secret", "seed"):
        if isinstance(plain.get(field), str) and plain[field].startswith(_FERNET_PREFIX):
            plain[field] = mfa_decrypt(plain[field])
    if isinstance(plain.get("migrated_codes"), list):
        plain["migrated_codes"] = [
            mfa_decrypt(code) if code.startswith(_FERNET_PREFIX) else code for code in plain["migrated_codes"]
        ]
    return plain


class EncryptingMFAAdapter(DefaultMFAAdapter):
    """TOTP secrets and recovery-code seeds are stored encrypted (Fernet: AES-128-CBC with HMAC-SHA256), with a key
    held outside the database, so a copy of the database or a backup does not give anyone the second factor."""

    def encrypt(self, text: str) -> str:
        return mfa_encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return mfa_decrypt(encrypted_text)

    def generate_authenticator_name(self, user: AbstractBaseUser, type: Authenticator.Type) -> str:
        # allauth suggests "Master key", then "Backup key": plainer names, numbered, that the person can change.
        count = Authenticator.objects.filter(user_id=user.pk, type=type).count()
        return f"Security key {count + 1}"


@checks.register(checks.Tags.security, deploy=True)
def check_mfa_encryption_key(**kwargs: Any) -> list[checks.CheckMessage]:
    if settings.MFA_ENCRYPTION_KEYS:
        return []
    return [
        checks.Warning(
            "MFA_ENCRYPTION_KEY is not set, so authenticator secrets are encrypted with a key derived from "
            "DJANGO_SECRET_KEY: changing the secret key would then make every authenticator app unusable, and "
            "whoever has the secret key and a copy of the database has everyone's second factor.",
            hint='Set MFA_ENCRYPTION_KEY to a key from `python -c "from cryptography.fernet import Fernet; '
            'print(Fernet.generate_key().decode())"`, kept apart from the database and its backups '
            "(docs/security.md, 2.8.2).",
            id="casereviews.W001",
        )
    ]


class SignInForm(LoginForm):
    """allauth's sign-in form with labels that say what to type and no placeholders (GOV.UK guidance:
    placeholder text disappears as people type and is not read reliably by assistive technology)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["login"].label = "Username or email address"
        for field in self.fields.values():
            field.widget.attrs.pop("placeholder", None)


# -- a one-time code typed twice (ASVS 2.8.5) -------------------------------------------------------------------------


def _replayed_totp_code(user: Any, code: str) -> bool:
    """True when `code` is the current code of one of the person's authenticator apps but was used already.

    allauth refuses such a code silently (it remembers used codes in the cache for one period); a second use within
    the period means someone else saw or intercepted it, so it is worth recording and telling the person.
    """
    for authenticator in Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP):
        totp = authenticator.wrap()
        assert isinstance(totp, TOTP)
        if validate_totp_code(mfa_decrypt(authenticator.data["secret"]), code):
            return cache.get(totp._get_used_cache_key(code)) is not None
    return False


def _report_replayed_code(user: Any, code: str) -> None:
    audit_record(
        actor=user,
        action="auth.totp_reused",
        summary=f"{user.get_username()}: a code from their authenticator app was typed again after it had been used",
        target=user,
    )
    # One e-mail per code, however often it is replayed (sign-in throttling limits the attempts anyway).
    if cache.add(f"casereviews.totp_reuse_told:{user.pk}:{code}", 1, timeout=2 * mfa_settings.TOTP_PERIOD):
        get_account_adapter(context.request).send_notification_mail("mfa/email/totp_code_reused", user)


class _ReportsReplayedCodes:
    """Mixed into allauth's code forms: a refused code that was the right one, already used, is a replay."""

    user: Any
    cleaned_data: dict[str, Any]

    def clean_code(self) -> str:
        try:
            code: str = super().clean_code()  # type: ignore[misc]
        except ValidationError:
            typed = str(self.cleaned_data.get("code", "")).strip()
            if typed and _replayed_totp_code(self.user, typed):
                _report_replayed_code(self.user, typed)
            raise
        return code


def label_code_field(field: Any, user: Any) -> bool:
    """Label the code box for what the person has in front of them: their authenticator app, or, for someone whose
    second factor is a security key alone, the recovery codes they saved (the box takes those too). True when the
    person has an authenticator app."""
    has_app = Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).exists()
    if has_app:
        field.label = "Code from your authenticator app"
        field.help_text = "The 6-digit code, or one of your recovery codes"
    else:
        field.label = "Recovery code"
        field.help_text = "One of the recovery codes you saved when you set up your security key"
    field.widget.attrs.pop("placeholder", None)
    return has_app


class SecondFactorForm(_ReportsReplayedCodes, AuthenticateForm):
    """The second sign-in step, labelled for what the person has in front of them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.has_authenticator_app = label_code_field(self.fields["code"], self.user)


class ConfirmWithCodeForm(_ReportsReplayedCodes, ReauthenticateForm):
    """Confirming it is you before a sensitive action, labelled like the sign-in step."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.has_authenticator_app = label_code_field(self.fields["code"], self.user)
