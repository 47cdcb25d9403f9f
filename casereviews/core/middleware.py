from __future__ import annotations

from collections.abc import Callable

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from casereviews.core.request_context import RequestMeta, reset_request_meta, set_request_meta
from casereviews.partnerships.selectors import is_staff_member


def client_ip(request: HttpRequest) -> str | None:
    # Behind a reverse proxy the operator sets TRUST_X_FORWARDED_FOR so the audit log shows the client,
    # not the proxy; otherwise the header is ignored because anyone can send it.
    if getattr(settings, "TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = set_request_meta(
            RequestMeta(ip_address=client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", ""))
        )
        try:
            return self.get_response(request)
        finally:
            reset_request_meta(token)


# Paths a staff member without a second factor may still reach: setting one up, signing out, assets.
_SECOND_FACTOR_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/healthz")


class RequireSecondFactorMiddleware:
    """Staff who have not yet set up a second factor are sent to set one up before anything else."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(_SECOND_FACTOR_EXEMPT_PREFIXES)
            and not request.path.startswith("/api/")
            and is_staff_member(user)
            and not Authenticator.objects.filter(user=user).exists()
        ):
            return redirect("mfa_activate_totp")
        return self.get_response(request)
