"""Sign-in policy (see docs/adr/0003-authentication.md and docs/adr/0012-sessions-and-reauthentication.md)."""

from __future__ import annotations

import time
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.forms import LoginForm
from allauth.account.internal.flows import reauthentication
from allauth.account.utils import filter_users_by_email
from allauth.core import context
from allauth.mfa.base.forms import AuthenticateForm, ReauthenticateForm
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse

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
            return [method for method in methods if method["id"] != "reauthenticate"]
        return methods

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


class ConfirmWithCodeForm(ReauthenticateForm):
    """Confirming it is you before a sensitive action, labelled like the sign-in step."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].label = "Code from your authenticator app"
        self.fields["code"].help_text = "The 6-digit code, or one of your recovery codes"
        self.fields["code"].widget.attrs.pop("placeholder", None)
