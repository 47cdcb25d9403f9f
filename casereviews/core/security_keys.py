"""Security keys and passkeys (WebAuthn) as a second factor (ASVS 2.3.2, docs/adr/0015-security-keys.md).

allauth does the WebAuthn ceremonies and keeps each key as an `Authenticator` of type "webauthn" (its public key and
credential id: nothing secret). What is ours: the forms' wording, and the audit log, which records every key added,
renamed, removed, used and refused, the way sign-ins and refused authenticator codes are recorded.
"""

from __future__ import annotations

from typing import Any

from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_added, authenticator_removed, authenticator_used
from allauth.mfa.webauthn.forms import (
    AddWebAuthnForm,
    AuthenticateWebAuthnForm,
    EditWebAuthnForm,
    ReauthenticateWebAuthnForm,
)
from allauth.mfa.webauthn.views import ReauthenticateWebAuthnView
from django.core.exceptions import ValidationError
from django.dispatch import receiver
from django.http import HttpResponse

from casereviews.core.audit import audit_record

NAME_HELP = "So that you can tell your keys apart, for example ‘Blue USB key’ or ‘Work laptop’"


def key_name(authenticator: Authenticator) -> str:
    return str(authenticator.data.get("name", ""))


def is_security_key(authenticator: Authenticator) -> bool:
    return bool(authenticator.type == Authenticator.Type.WEBAUTHN)


def has_security_key(user: Any) -> bool:
    return bool(Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.WEBAUTHN).exists())


# -- forms -------------------------------------------------------------------------------------------------------------


def label_key_name(field: Any) -> None:
    """The key's name field, labelled for what it is for, on adding and renaming alike."""
    field.label = "Name of the key"
    field.help_text = NAME_HELP
    field.max_length = 100
    field.widget.attrs.update({"autocomplete": "off", "maxlength": "100"})


class AddSecurityKeyForm(AddWebAuthnForm):
    """Adding a key: the name first (the browser then asks for the key), labelled for what it is for."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        label_key_name(self.fields["name"])


class RenameSecurityKeyForm(EditWebAuthnForm):
    """Renaming a key, recorded in the audit log with the old and the new name."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        label_key_name(self.fields["name"])
        self.fields["name"].error_messages["required"] = "Enter a name for the key"

    def save(self) -> Authenticator:
        before = key_name(self.instance)
        authenticator: Authenticator = super().save()
        after = key_name(authenticator)
        if after != before:
            user = authenticator.user
            audit_record(
                actor=user,
                action="auth.security_key_renamed",
                summary=f"{user.get_username()} renamed their security key ‘{before}’ to ‘{after}’",
                target=user,
                changes={"authenticator_id": authenticator.pk, "name": [before, after]},
            )
        return authenticator


class _AuditsRefusedKeys:
    """Mixed into allauth's key forms: a key the server refuses (not one of the person's, a replayed or forged answer)
    is recorded under the account holder, like a wrong authenticator code."""

    user: Any
    stage = "signing in"

    def clean_credential(self) -> Authenticator:
        try:
            authenticator: Authenticator = super().clean_credential()  # type: ignore[misc]
        except ValidationError:
            if self.user is not None:
                audit_record(
                    actor=self.user,
                    action="auth.second_factor_failed",
                    summary=f"{self.user.get_username()} used a security key that was refused when {self.stage}",
                    target=self.user,
                    changes={"method": "security_key"},
                )
            raise
        return authenticator


class SecurityKeySignInForm(_AuditsRefusedKeys, AuthenticateWebAuthnForm):
    """The sign-in's second step with a key. `has_keys` lets the page offer the key only to those who have one."""

    @property
    def has_keys(self) -> bool:
        return self.user is not None and has_security_key(self.user)


class ConfirmWithSecurityKeyForm(_AuditsRefusedKeys, ReauthenticateWebAuthnForm):
    """Confirming it is you with a key before a sensitive action (ADR 0012)."""

    stage = "confirming it was them"


# -- the audit log -----------------------------------------------------------------------------------------------------


@receiver(authenticator_added)
def audit_security_key_added(sender: Any, request: Any, user: Any, authenticator: Authenticator, **kwargs: Any) -> None:
    if is_security_key(authenticator):
        audit_record(
            actor=user,
            action="auth.security_key_added",
            summary=f"{user.get_username()} added a security key ‘{key_name(authenticator)}’",
            target=user,
            changes={"authenticator_id": authenticator.pk, "name": key_name(authenticator)},
        )


@receiver(authenticator_removed)
def audit_security_key_removed(
    sender: Any, request: Any, user: Any, authenticator: Authenticator, **kwargs: Any
) -> None:
    if is_security_key(authenticator):
        # `user` is whoever removed it (allauth removes only one's own keys); the key's owner is the target.
        audit_record(
            actor=user,
            action="auth.security_key_removed",
            summary=f"{authenticator.user.get_username()}'s security key ‘{key_name(authenticator)}’ was removed",
            target=authenticator.user,
            changes={"authenticator_id": authenticator.pk, "name": key_name(authenticator)},
        )


@receiver(authenticator_used)
def audit_security_key_used(
    sender: Any,
    request: Any,
    user: Any,
    authenticator: Authenticator,
    reauthenticated: bool = False,
    passwordless: bool = False,
    **kwargs: Any,
) -> None:
    # The sign-in itself is recorded as auth.sign_in once every step is done; this says which key was the second
    # factor, or that a key confirmed it was them before a sensitive action.
    if is_security_key(authenticator):
        stage = "to confirm it was them" if reauthenticated else "to sign in"
        audit_record(
            actor=user,
            action="auth.security_key_used",
            summary=f"{user.get_username()} used their security key ‘{key_name(authenticator)}’ {stage}",
            target=user,
            changes={
                "authenticator_id": authenticator.pk,
                "name": key_name(authenticator),
                "reauthentication": reauthenticated,
            },
        )


def is_only_second_factor(authenticator: Authenticator) -> bool:
    """True when removing this key leaves the person no authenticator app and no other key (allauth then removes
    their recovery codes too, and staff are sent to set up a second factor again)."""
    return not (
        Authenticator.objects.filter(
            user_id=authenticator.user_id, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
        )
        .exclude(pk=authenticator.pk)
        .exists()
    )


# -- confirming it is you with a key -----------------------------------------------------------------------------------

REFUSED_KEY_MESSAGE = (
    "Your security key was not accepted. Use one of the keys you added to your account, or choose another way to "
    "confirm below."
)


class ConfirmWithSecurityKeyView(ReauthenticateWebAuthnView):
    """allauth's page for confirming it is you with a key, but a key it refuses is said so on the same page.

    allauth would send the person to the sign-in page, which sends someone signed in to the home page: the action
    they were confirming (kept by allauth, ADR 0012) would be out of sight and the error on another page.
    """

    def form_invalid(self, form: Any) -> HttpResponse:
        form.add_error(None, REFUSED_KEY_MESSAGE)
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        if "form" in kwargs:  # allauth's view always makes a fresh form; keep the refused one and its error
            context["form"] = kwargs["form"]
        return context


confirm_with_security_key = ConfirmWithSecurityKeyView.as_view()
