"""Sign-in events go into the audit log: who signed in, who failed to, and from where."""

from __future__ import annotations

from typing import Any

from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authentication_failed as second_factor_failed
from allauth.mfa.signals import authenticator_added, authenticator_removed, authenticator_reset
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from casereviews.core.audit import audit_record
from casereviews.core.auth import record_sign_in


@receiver(user_logged_in)
def audit_sign_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_record(actor=user, action="auth.sign_in", summary=f"{user.get_username()} signed in", target=user)


@receiver(user_logged_in)
def stamp_sign_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    # The session's lifetime and "signed in recently" are measured from here (ADR 0012).
    if request is not None and hasattr(request, "session"):
        record_sign_in(request)


@receiver(user_logged_out)
def audit_sign_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_record(actor=user, action="auth.sign_out", summary=f"{user.get_username()} signed out", target=user)


@receiver(user_login_failed)
def audit_failed_sign_in(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    # Record what was typed as the account name, never the password.
    attempted = str(credentials.get("username") or credentials.get("email") or credentials.get("login") or "")[:150]
    # The name is in `changes` as well as the summary, so the security watch counts failures per account from
    # a field rather than from the summary's wording.
    audit_record(
        actor=None,
        action="auth.sign_in_failed",
        summary=f"Failed sign-in for {attempted!r}",
        changes={"attempted": attempted},
    )


@receiver(second_factor_failed)
def audit_failed_second_factor(sender: Any, user: Any, reauthentication: bool = False, **kwargs: Any) -> None:
    # allauth sends this for a wrong authenticator or recovery code, at the sign-in's second step and when confirming
    # it is you before a sensitive action (not for attempts refused by its rate limit, which never check the code).
    # The password was right (or the person is signed in), so the account is known; the code typed is not recorded.
    stage = "confirming it was them" if reauthentication else "signing in"
    audit_record(
        actor=user,
        action="auth.second_factor_failed",
        summary=f"{user.get_username()} typed a wrong authenticator code when {stage}",
        target=user,
    )


# -- second factors set up and removed (security keys: casereviews/core/security_keys.py) ---------------------------

SECOND_FACTOR_NAMES = {
    Authenticator.Type.TOTP: "an authenticator app",
    Authenticator.Type.RECOVERY_CODES: "recovery codes",
}


def _audit_second_factor(actor: Any, authenticator: Authenticator, action: str, summary: str) -> None:
    # `actor` is whoever made the change (allauth lets people change only their own); the owner is the target.
    audit_record(
        actor=actor,
        action=action,
        summary=summary,
        target=authenticator.user,
        changes={"authenticator_id": authenticator.pk, "type": authenticator.type},
    )


@receiver(authenticator_added)
def audit_second_factor_added(
    sender: Any, request: Any, user: Any, authenticator: Authenticator, **kwargs: Any
) -> None:
    if name := SECOND_FACTOR_NAMES.get(authenticator.type):
        _audit_second_factor(user, authenticator, "auth.second_factor_added", f"{user.get_username()} set up {name}")


@receiver(authenticator_removed)
def audit_second_factor_removed(
    sender: Any, request: Any, user: Any, authenticator: Authenticator, **kwargs: Any
) -> None:
    if name := SECOND_FACTOR_NAMES.get(authenticator.type):
        owner = authenticator.user.get_username()
        _audit_second_factor(
            user, authenticator, "auth.second_factor_removed", f"{owner}'s {name.removeprefix('an ')} removed"
        )


@receiver(authenticator_reset)
def audit_recovery_codes_replaced(
    sender: Any, request: Any, user: Any, authenticator: Authenticator, **kwargs: Any
) -> None:
    _audit_second_factor(
        user,
        authenticator,
        "auth.recovery_codes_replaced",
        f"{user.get_username()} made new recovery codes; the old ones no longer work",
    )
