from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_cache_control

from casereviews.core.audit import audit_record
from casereviews.core.auth import reauthentication_redirect, recently_authenticated, signed_in_at
from casereviews.core.context_processors import person_roles
from casereviews.core.request_context import RequestMeta, reset_request_meta, set_request_meta
from casereviews.partnerships.selectors import is_staff_member


def client_ip(request: HttpRequest) -> str | None:
    # Behind a reverse proxy the operator sets TRUST_X_FORWARDED_FOR so the audit log shows the client,
    # not the proxy; otherwise the header is ignored because anyone can send it. The proxy appends the
    # address it saw, so the last entry is the client; earlier ones are whatever the client wrote.
    if getattr(settings, "TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = set_request_meta(
            RequestMeta(ip_address=client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", ""), memo={})
        )
        try:
            return self.get_response(request)
        finally:
            reset_request_meta(token)


# Pages anyone may open that show what only the holder of the link should see: a report sent on a granted request, and
# an alert subscription's confirmation and stop pages (which name the subscriber's address).
_LINK_HOLDER_VIEWS = frozenset({"publication:request_download", "search:alert_confirm", "search:alert_unsubscribe"})
# Signing in, the second factor, password reset and the admin: never kept, whoever asks.
_ACCOUNT_PREFIXES = ("/accounts/", "/admin/")


def is_private_response(request: HttpRequest, response: HttpResponse) -> bool:
    """Whether a response was made for one person, so that no cache, the browser's included, may keep it."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return True  # by the session, or by an API token (DRF sets the request's user when it authenticates)
    if "HTTP_AUTHORIZATION" in request.META:
        return True  # a refused token as much as an accepted one
    if settings.SESSION_COOKIE_NAME in request.COOKIES or settings.SESSION_COOKIE_NAME in response.cookies:
        return True  # signing in or out, or a session whose time ran out on this very request
    if request.path.startswith(_ACCOUNT_PREFIXES):
        return True
    match = getattr(request, "resolver_match", None)
    return match is not None and match.view_name in _LINK_HOLDER_VIEWS


class CacheControlMiddleware:
    """`Cache-Control: no-store, private` on every response made for one person: every page, download and API answer
    to someone signed in (by session or token), the account pages, and the pages opened by a private link (ASVS 8.2.1,
    8.1.1, 8.2.3). After signing out, the browser's back button and history then show nothing confidential, and no
    shared cache (a proxy at the partnership's office) keeps a copy.

    Public pages for anonymous visitors keep whatever caching they have (the search page cache among them): they are
    the same for everyone. Static files never reach this middleware (WhiteNoise answers them first)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if is_private_response(request, response):
            patch_cache_control(response, no_store=True, private=True)
        return response


# Paths a staff member without a second factor may still reach: setting one up, signing out, assets.
_SECOND_FACTOR_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/healthz")


class RequireSecondFactorMiddleware:
    """Staff who have not yet set up a second factor are sent to set one up before anything else.

    The API is covered too when it is used with the session (a page's own requests): it refuses instead of
    redirecting. A request with an API token has no session user here, so tokens are unaffected (ADR 0003)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(_SECOND_FACTOR_EXEMPT_PREFIXES)
            # The roles the header reads too, read once for the request.
            and is_staff_member(user, person_roles(request))
            and not Authenticator.objects.filter(user=user).exists()
        ):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": "Set up your authenticator app before using the service."}, status=403)
            return redirect("mfa_activate_totp")
        return self.get_response(request)


LAST_ACTIVITY_SESSION_KEY = "casereviews_last_activity"
# Writing the time of every request would save the session on every request; to the minute is enough.
_ACTIVITY_RESOLUTION_SECONDS = 60


def _minutes(seconds: int) -> str:
    minutes = max(1, round(seconds / 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def _hours(seconds: int) -> str:
    if seconds % 3600:
        return _minutes(seconds)
    hours = seconds // 3600
    return f"{hours} hour{'s' if hours != 1 else ''}"


class SessionLifetimeMiddleware:
    """Signs a person out after SESSION_IDLE_TIMEOUT seconds without a request, and SESSION_COOKIE_AGE seconds
    after they signed in however active they were, and tells them why on the sign-in page.

    Django has only one of the two (SESSION_COOKIE_AGE, sliding if SESSION_SAVE_EVERY_REQUEST) and allauth neither,
    so both are kept here, measured from the times recorded in the session (ADR 0012). A session with no sign-in
    time was not made by signing in through allauth or Django's login(), so it is not trusted.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            reason = self._expired(request)
            if reason is not None:
                return self._sign_out(request, reason)
        return self.get_response(request)

    def _expired(self, request: HttpRequest) -> str | None:
        now = time.time()
        started = signed_in_at(request)
        if started is None:
            return "Your session has ended."
        if now - started >= settings.SESSION_COOKIE_AGE:
            return f"You were signed out because you had been signed in for {_hours(settings.SESSION_COOKIE_AGE)}."
        last = request.session.get(LAST_ACTIVITY_SESSION_KEY, started)
        if not isinstance(last, int | float):
            last = started
        if now - last >= settings.SESSION_IDLE_TIMEOUT:
            return f"You were signed out after {_minutes(settings.SESSION_IDLE_TIMEOUT)} without activity."
        if now - last >= _ACTIVITY_RESOLUTION_SECONDS:
            request.session[LAST_ACTIVITY_SESSION_KEY] = now
        return None

    def _sign_out(self, request: HttpRequest, reason: str) -> HttpResponse:
        user: Any = request.user
        audit_record(actor=user, action="auth.session_expired", summary=f"{user.get_username()}: {reason}", target=user)
        # logout() deletes the session from the store, so the old cookie is worthless from here on.
        logout(request)
        if request.path.startswith("/api/"):
            return self.get_response(request)  # the API answers as it does to anyone not signed in
        messages.info(request, f"{reason} Sign in again to carry on.")
        if request.method == "GET":
            return redirect_to_login(request.get_full_path())
        return redirect(settings.LOGIN_URL)


class RecentAuthenticationForAdminMiddleware:
    """Every change in the Django admin needs a recent sign-in or confirmation: the admin can change anything,
    audit settings and roles included. Viewing it does not, so the admin stays usable for longer than the timeout."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view: Any, args: Any, kwargs: Any) -> HttpResponse | None:
        if (
            request.method == "POST"
            and request.path.startswith(reverse("admin:index"))
            and request.user.is_authenticated
            # Someone the admin refuses anyway is refused by it, not first asked to confirm who they are.
            and request.user.is_active
            and request.user.is_staff
            and not recently_authenticated(request)
        ):
            return reauthentication_redirect(request)
        return None
