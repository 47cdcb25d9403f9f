"""Sessions (ASVS V3) and re-authentication before sensitive actions (docs/adr/0012-sessions-and-reauthentication.md):
a new session key at sign-in, a session that ends on the server at sign-out, after 30 idle minutes and 8 hours after
sign-in; publishing, granting a request and changes in the admin need a sign-in or an authenticator code from the
last few minutes."""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
import tempfile
import time
from importlib import import_module
from urllib.parse import urlencode

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from casereviews.api.tokens import token_issue
from casereviews.core.auth import SIGNED_IN_AT_SESSION_KEY
from casereviews.core.middleware import LAST_ACTIVITY_SESSION_KEY
from casereviews.core.models import AuditEvent
from casereviews.partnerships.models import Agency
from casereviews.publication.models import Publication, RequestStatus
from casereviews.publication.schedules import close_publication_windows
from casereviews.publication.services import RequestInput, report_request_submit
from tests.factories import PASSWORD, current_code
from tests.publication.conftest import (
    SUMMARY,
    keyed_and_scanned,
    make_signed_off_review,
    publish_review,
    redact_everything,
)

pytestmark = pytest.mark.django_db

MINUTE = 60


@pytest.fixture(autouse=True)
def empty_cache():
    # Throttle counters and used one-time codes live in the database cache; start each test without them.
    cache.clear()


def session_store():
    return import_module(settings.SESSION_ENGINE).SessionStore


def session_key(client: Client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def with_cookie(key: str) -> Client:
    """A new browser that presents someone else's session cookie."""
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = key
    return client


def is_signed_in(client: Client) -> bool:
    return client.get(reverse("referrals:list")).status_code == 200


def age(client: Client, *, signed_in: float | None = None, idle: float | None = None) -> None:
    """Move the session's sign-in and last request back by so many seconds, as if that much time had passed."""
    session = client.session
    now = time.time()
    if signed_in is not None:
        session[SIGNED_IN_AT_SESSION_KEY] = now - signed_in
    if idle is not None:
        session[LAST_ACTIVITY_SESSION_KEY] = now - idle
    session.save()


def staff_client(user) -> tuple[Client, str]:
    """Signed in as `user` with an authenticator, and the authenticator's secret for typing codes."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    client = Client()
    client.force_login(user)
    return client, secret


def confirmation_page(path: str) -> str:
    """Where allauth sends someone to confirm it is them before `path`, which it then carries out."""
    return f"{reverse('mfa_reauthenticate')}?{urlencode({'next': path})}"


def code(secret: str) -> str:
    return current_code(secret)


# -- the session key --------------------------------------------------------------------------------------------


def test_signing_in_gives_a_new_session_key_so_a_key_planted_before_sign_in_is_worthless(client, people):
    session = client.session
    session["seen_the_banner"] = True  # an anonymous session, as an attacker could fix on a victim's browser
    session.save()
    planted = session_key(client)
    response = client.post(reverse("account_login"), {"login": "rory", "password": PASSWORD})
    assert response.status_code == 302 and is_signed_in(client)
    assert session_key(client) != planted
    assert not session_store()().exists(planted)
    assert not is_signed_in(with_cookie(planted))


def test_signing_out_ends_the_session_on_the_server_so_a_copied_cookie_no_longer_works(client, people):
    client.post(reverse("account_login"), {"login": "rory", "password": PASSWORD})
    copied = session_key(client)
    assert is_signed_in(with_cookie(copied))
    assert client.post(reverse("account_logout")).status_code == 302
    assert not session_store()().exists(copied)
    assert not is_signed_in(with_cookie(copied))
    assert not is_signed_in(client)


def test_the_session_cookie_is_not_readable_by_script_nor_sent_cross_site(client, people):
    client.post(reverse("account_login"), {"login": "rory", "password": PASSWORD})
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60


# -- idle and absolute time-outs ----------------------------------------------------------------------------------


def test_a_session_idle_for_30_minutes_is_signed_out_and_the_sign_in_page_says_why(client, people):
    client.force_login(people.referrer)
    age(client, idle=30 * MINUTE + 1)
    stale = session_key(client)
    response = client.get(reverse("referrals:list"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={reverse('referrals:list')}"
    page = client.get(response["Location"]).content.decode()
    assert "You were signed out after 30 minutes without activity." in page
    assert not session_store()().exists(stale)
    assert not is_signed_in(client)
    event = AuditEvent.objects.get(action="auth.session_expired")
    assert event.actor == people.referrer and "30 minutes without activity" in event.summary


def test_a_request_within_the_idle_time_keeps_the_session_going(client, people):
    client.force_login(people.referrer)
    age(client, idle=29 * MINUTE)
    assert is_signed_in(client)
    assert time.time() - client.session[LAST_ACTIVITY_SESSION_KEY] < MINUTE
    age(client, idle=29 * MINUTE)
    assert is_signed_in(client)


@override_settings(SESSION_IDLE_TIMEOUT=10 * MINUTE)
def test_the_idle_time_is_set_by_the_environment(client, people):
    client.force_login(people.referrer)
    age(client, idle=10 * MINUTE + 1)
    response = client.get(reverse("referrals:list"), follow=True)
    assert "You were signed out after 10 minutes without activity." in response.content.decode()


def test_a_session_ends_8_hours_after_sign_in_however_busy(client, people):
    client.force_login(people.referrer)
    age(client, signed_in=8 * 60 * MINUTE + 1, idle=0)
    response = client.get(reverse("referrals:list"), follow=True)
    assert "You were signed out because you had been signed in for 8 hours." in response.content.decode()
    assert not is_signed_in(client)


def test_a_session_that_was_not_made_by_signing_in_is_not_trusted(client, people):
    client.force_login(people.referrer)
    session = client.session
    del session[SIGNED_IN_AT_SESSION_KEY]
    session.save()
    assert not is_signed_in(client)


def test_an_api_call_on_an_idle_session_is_answered_as_not_signed_in(people):
    client = APIClient()
    client.force_login(people.referrer)
    assert client.get("/api/referrals/").status_code == 200
    age(client, idle=31 * MINUTE)
    assert client.get("/api/referrals/").status_code in {401, 403}


# -- re-authentication before publishing --------------------------------------------------------------------------


@pytest.fixture
def review(people, northshire):
    return make_signed_off_review(people, northshire)


def test_publishing_soon_after_signing_in_needs_nothing_more(review, people):
    keyed_and_scanned(review, people.manager)
    redact_everything(review, people.manager)
    client, _secret = staff_client(people.manager)
    url = reverse("publication:publish", args=[review.reference])
    response = client.post(url, {"summary": SUMMARY, "version": review.version})
    assert response.status_code == 302 and Publication.objects.filter(review=review).exists()


def test_publishing_later_asks_for_the_authenticator_code_and_then_publishes(review, people):
    keyed_and_scanned(review, people.manager)
    redact_everything(review, people.manager)
    client, secret = staff_client(people.manager)
    age(client, signed_in=5 * MINUTE + 1)
    url = reverse("publication:publish", args=[review.reference])
    asked = client.post(url, {"summary": SUMMARY, "version": review.version})
    assert asked.status_code == 302
    assert asked["Location"] == confirmation_page(url)
    assert not Publication.objects.exists()
    page = client.get(asked["Location"]).content.decode()
    assert "Confirm it is you" in page and "Code from your authenticator app" in page

    assert client.post(asked["Location"], {"code": "000000"}).status_code == 200  # a wrong code: asked again
    assert not Publication.objects.exists()
    done = client.post(asked["Location"], {"code": code(secret)})
    publication = Publication.objects.get(review=review)  # the kept request was carried out
    assert done.status_code == 302 and done["Location"] == reverse("publication:public_detail", args=[publication.slug])
    assert publication.summary == SUMMARY


def test_staff_cannot_confirm_with_their_password_alone(review, people):
    client, _secret = staff_client(people.manager)
    age(client, signed_in=5 * MINUTE + 1)
    for response in (
        client.get(reverse("account_reauthenticate")),
        client.post(reverse("account_reauthenticate"), {"password": PASSWORD}),
    ):
        assert response.status_code == 302 and response["Location"].startswith(reverse("mfa_reauthenticate"))
    url = reverse("publication:publish", args=[review.reference])
    assert client.post(url, {"summary": SUMMARY})["Location"] == confirmation_page(url)


def test_someone_who_may_not_publish_is_refused_not_asked_to_confirm(review, people):
    client, _secret = staff_client(people.chair)
    age(client, signed_in=5 * MINUTE + 1)
    response = client.post(reverse("publication:publish", args=[review.reference]), {"summary": SUMMARY})
    assert response.status_code == 403


# -- re-authentication before granting a request for a report ------------------------------------------------------


@pytest.fixture
def pending_request(review, people):
    publication = publish_review(people, review)
    close_publication_windows(publication.window_ends_on + datetime.timedelta(days=1))
    publication.refresh_from_db()
    return report_request_submit(
        publication=publication,
        data=RequestInput(name="Pat", email="pat@example.org", organisation="", reason="Research"),
        ip_address="192.0.2.1",
    )


def test_granting_a_request_later_asks_for_the_code_and_then_grants(pending_request, people):
    client, secret = staff_client(people.manager)
    age(client, signed_in=5 * MINUTE + 1)
    url = reverse("publication:request_answer", args=[pending_request.pk])
    asked = client.post(url, {"answer": "grant", "version": pending_request.version})
    assert asked["Location"] == confirmation_page(url)
    pending_request.refresh_from_db()
    assert pending_request.status == RequestStatus.PENDING
    done = client.post(asked["Location"], {"code": code(secret)})
    assert done["Location"] == reverse("publication:requests")
    pending_request.refresh_from_db()
    assert pending_request.status == RequestStatus.GRANTED


def test_refusing_a_request_needs_no_recent_sign_in(pending_request, people):
    client, _secret = staff_client(people.manager)
    age(client, signed_in=60 * MINUTE, idle=0)
    refusal = {"answer": "refuse", "reason": "Not ours to share", "version": pending_request.version}
    response = client.post(reverse("publication:request_answer", args=[pending_request.pk]), refusal)
    assert response.status_code == 302 and response["Location"] == reverse("publication:requests")
    pending_request.refresh_from_db()
    assert pending_request.status == RequestStatus.REFUSED


def test_the_api_never_grants_with_a_token(pending_request, people):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_issue(user=people.manager, days=1)}")
    response = client.post(f"/api/publication/requests/{pending_request.pk}/answer/", {"answer": "grant"})
    assert response.status_code == 403 and "not with an API token" in response.json()["detail"]
    pending_request.refresh_from_db()
    assert pending_request.status == RequestStatus.PENDING


def test_the_api_grants_from_a_session_only_soon_after_sign_in(pending_request, people):
    TOTP.activate(people.manager, generate_totp_secret())
    client = APIClient()
    client.force_login(people.manager)
    url = f"/api/publication/requests/{pending_request.pk}/answer/"
    age(client, signed_in=5 * MINUTE + 1)
    refused = client.post(url, {"answer": "grant"})
    assert refused.status_code == 403 and "recent sign-in" in refused.json()["detail"]
    age(client, signed_in=MINUTE)
    assert client.post(url, {"answer": "grant"}).json()["status"] == RequestStatus.GRANTED


# -- the Django admin ----------------------------------------------------------------------------------------------


@pytest.fixture
def superuser(people):
    people.manager.is_staff = people.manager.is_superuser = True
    people.manager.save()
    return people.manager


def test_the_admin_sign_in_form_is_allauths_so_superusers_give_their_code(client, superuser):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    client.post(reverse("admin:login"), {"username": "bella", "password": PASSWORD})
    assert client.get(reverse("admin:index")).status_code == 302  # still not signed in


def test_a_change_in_the_admin_later_asks_for_the_code_and_then_is_made(superuser, northshire):
    client, secret = staff_client(superuser)
    age(client, signed_in=5 * MINUTE + 1)
    assert client.get(reverse("admin:index")).status_code == 200  # reading the admin needs nothing more
    url = reverse("admin:partnerships_agency_add")
    data = {"partnership": northshire.pk, "name": "Northshire Youth Justice", "sector": "justice"}
    asked = client.post(url, data)
    assert asked.status_code == 302 and asked["Location"] == confirmation_page(url)
    assert not Agency.objects.filter(name="Northshire Youth Justice").exists()
    client.post(asked["Location"], {"code": code(secret)})
    assert Agency.objects.filter(name="Northshire Youth Justice", partnership=northshire).exists()
    assert AuditEvent.objects.filter(action="admin.add").exists()


def test_someone_the_admin_refuses_is_refused_by_it_not_first_asked_for_their_code(people, northshire):
    client, _ = staff_client(people.manager)  # a business manager, not admin staff
    age(client, signed_in=5 * MINUTE + 1)
    data = {"partnership": northshire.pk, "name": "Northshire Youth Justice", "sector": "justice"}
    response = client.post(reverse("admin:partnerships_agency_add"), data)
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
    assert not Agency.objects.filter(name="Northshire Youth Justice").exists()


# -- cookie names (ASVS 3.4.4) ------------------------------------------------------------------------------------


def production_settings(**env: str) -> subprocess.CompletedProcess:
    """The settings module as production loads it (DJANGO_DEBUG=false), in a process of its own."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "MFA_"))}
    environment.update(
        DJANGO_SETTINGS_MODULE="casereviews.settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="a-secret-for-this-test-only",
        PASSWORD_PEPPER="a-password-pepper-for-this-test-only",
        CASEREVIEWS_VAR_DIR=tempfile.mkdtemp(prefix="casereviews-settings-"),
        **env,
    )
    code = (
        "import json; from django.conf import settings as s; print(json.dumps([s.SESSION_COOKIE_NAME, "
        "s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_PATH, s.SESSION_COOKIE_DOMAIN, s.CSRF_COOKIE_NAME, "
        "s.CSRF_COOKIE_SECURE, s.CSRF_COOKIE_PATH, s.CSRF_COOKIE_DOMAIN]))"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_names_both_cookies_with_the_host_prefix_which_browsers_hold_to_secure_path_and_no_domain():
    result = production_settings()
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [
        "__Host-sessionid", True, "/", None,
        "__Host-csrftoken", True, "/", None,
    ]  # fmt: skip


def test_production_refuses_to_start_with_a_malformed_mfa_key():
    result = production_settings(MFA_ENCRYPTION_KEY="not-a-fernet-key")
    assert result.returncode != 0 and "MFA_ENCRYPTION_KEY must be Fernet keys" in result.stderr


@override_settings(
    SESSION_COOKIE_NAME="__Host-sessionid",
    SESSION_COOKIE_SECURE=True,
    CSRF_COOKIE_NAME="__Host-csrftoken",
    CSRF_COOKIE_SECURE=True,
)
def test_host_prefixed_cookies_are_sent_secure_for_the_whole_site_and_without_a_domain(people):
    client = Client()
    login_page = client.get(reverse("account_login"))
    signed_in = client.post(
        reverse("account_login"),
        {"login": "rory", "password": PASSWORD, "csrfmiddlewaretoken": login_page.cookies["__Host-csrftoken"].value},
    )
    assert signed_in.status_code == 302
    for response, name in [(login_page, "__Host-csrftoken"), (signed_in, "__Host-sessionid")]:
        cookie = response.cookies[name]
        assert cookie["secure"] and cookie["path"] == "/" and not cookie["domain"], name
    assert client.get(reverse("referrals:list")).status_code == 200


# -- seeing and ending one's other sessions (ASVS 3.3.4) ----------------------------------------------------------


def signed_in_browser(username: str, browser: str) -> Client:
    client = Client(HTTP_USER_AGENT=browser)
    assert client.post(reverse("account_login"), {"login": username, "password": PASSWORD}).status_code == 302
    return client


def test_people_see_where_they_are_signed_in_and_signing_out_the_others_ends_those_sessions(people):
    laptop = signed_in_browser("rory", "Laptop browser")
    phone = signed_in_browser("rory", "Phone browser")
    someone_else = signed_in_browser("ruth", "Ruth's browser")
    page = laptop.get(reverse("usersessions_list"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Where you are signed in" in text and "Laptop browser" in text and "Phone browser" in text
    assert "Ruth" not in text  # only one's own sessions
    assert "script-src 'self'" in page["Content-Security-Policy"] and "<script>" not in text
    phone_cookie = session_key(phone)
    assert laptop.post(reverse("usersessions_list")).status_code == 302
    assert not session_store()().exists(phone_cookie)
    assert not is_signed_in(phone) and not is_signed_in(with_cookie(phone_cookie))
    assert is_signed_in(laptop) and is_signed_in(someone_else)
    assert "Phone browser" not in laptop.get(reverse("usersessions_list")).content.decode()


def test_the_sessions_page_needs_signing_in(client):
    response = client.get(reverse("usersessions_list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
