"""Sign-in policy (see docs/adr/0003-authentication.md)."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.forms import LoginForm
from allauth.mfa.base.forms import AuthenticateForm
from django.http import HttpRequest


class ProvisionedAccountAdapter(DefaultAccountAdapter):
    """Accounts are created by a partnership's business unit, never by self sign-up: a role in a
    partnership gives access to confidential case material, so who holds one must be a decision."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False


class SignInForm(LoginForm):
    """allauth's sign-in form with labels that say what to type and no placeholders (GOV.UK guidance:
    placeholder text disappears as people type and is not read reliably by assistive technology)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["login"].label = "Username or email address"
        for field in self.fields.values():
            field.widget.attrs.pop("placeholder", None)


class SecondFactorForm(AuthenticateForm):
    """The second sign-in step, labelled for what the person has in front of them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].label = "Code from your authenticator app"
        self.fields["code"].help_text = "The 6-digit code, or one of your recovery codes"
        self.fields["code"].widget.attrs.pop("placeholder", None)
