"""Refusals and failed authentications in the audit log (ASVS 7.1.3, 7.2.1, 7.2.2): a signed-in person refused a page
or an API call, a wrong authenticator code, and an API token we issued that is revoked or expired; refusals of
anonymous visitors and tokens we never issued are only logged, so nobody can fill the hash chain from outside."""

from __future__ import annotations

import datetime
import logging

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from casereviews.api.models import ApiToken
from casereviews.api.tokens import token_issue, token_revoke_all
from casereviews.core.audit import audit_verify
from casereviews.core.models import AuditEvent
from tests.conftest import signed_in
from tests.factories import PASSWORD, make_referral

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    # Throttle counters and used TOTP codes live in the database cache; start each test without them.
    cache.clear()


def refusals() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="access.refused"))


def token_client(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def request_lines(caplog) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == "casereviews.request"]


# -- refusals ----------------------------------------------------------------------------------------------------------


def test_a_signed_in_person_refused_a_confidential_page_is_audited_with_their_id_and_the_path(people):
    client = signed_in(people.referrer)
    path = reverse("core:audit_log")
    assert client.get(path, {"action": "review"}).status_code == 403
    (event,) = refusals()
    assert event.actor == people.referrer and event.ip_address == "127.0.0.1"
    assert event.changes == {"method": "GET", "path": path, "view": "core:audit_log", "status": 403}
    assert path in event.summary and "core:audit_log" in event.summary
    assert "review" not in event.summary  # the query string (what someone looked for) is not recorded


def test_a_refusal_by_an_api_permission_is_audited_under_the_tokens_holder(people, northshire):
    referral = make_referral(northshire, people.referrer)
    path = reverse("api:referral_deadlines", kwargs={"reference": referral.reference})
    response = token_client(token_issue(user=people.referrer, days=1)).get(path)
    assert response.status_code == 403
    (event,) = refusals()
    assert event.actor == people.referrer and event.changes["path"] == path
    assert event.changes["view"] == "api:referral_deadlines"
    # Only where it happened: nothing of the referral, such as its child reference, is in the entry.
    assert referral.child_reference not in event.summary and referral.child_reference not in str(event.changes)


def test_a_staff_member_sent_away_by_the_second_factor_middleware_is_audited_too(people):
    client = Client()
    client.force_login(people.manager)  # no authenticator app set up yet
    assert client.get("/api/deadlines/").status_code == 403
    (event,) = refusals()
    assert event.actor == people.manager and event.changes["path"] == "/api/deadlines/"


def test_an_anonymous_refusal_writes_no_audit_entry_but_its_request_line_says_refused(client, caplog):
    caplog.set_level(logging.INFO, logger="casereviews.request")
    before = AuditEvent.objects.count()
    assert client.get("/api/deadlines/").status_code in {401, 403}
    assert AuditEvent.objects.count() == before
    (line,) = request_lines(caplog)
    assert line.refused is True and line.view == "api:deadlines" and line.user_id is None


def test_a_request_let_through_is_not_marked_refused(client, caplog):
    caplog.set_level(logging.INFO, logger="casereviews.request")
    assert client.get(reverse("core:privacy")).status_code == 200
    (line,) = request_lines(caplog)
    assert line.refused is None and line.view == "core:privacy"


# -- a wrong second-factor code ----------------------------------------------------------------------------------------


def test_a_wrong_authenticator_code_at_sign_in_is_audited_under_the_account_holder(people):
    TOTP.activate(people.manager, generate_totp_secret())
    client = Client()
    response = client.post(reverse("account_login"), {"login": "bella", "password": PASSWORD})
    client.post(response["Location"], {"code": "000000"})
    (event,) = AuditEvent.objects.filter(action="auth.second_factor_failed")
    assert event.actor == people.manager and "signing in" in event.summary and "000000" not in event.summary
    assert client.get(reverse("referrals:dashboard")).status_code == 302  # still not signed in


def test_a_wrong_authenticator_code_when_confirming_it_is_you_is_audited(people):
    client = signed_in(people.manager)
    client.post(reverse("mfa_reauthenticate"), {"code": "000000"})
    (event,) = AuditEvent.objects.filter(action="auth.second_factor_failed")
    assert event.actor == people.manager and "confirming" in event.summary


# -- API tokens --------------------------------------------------------------------------------------------------------


def test_a_revoked_token_is_refused_logged_by_its_prefix_and_audited_under_its_holder(people, caplog):
    caplog.set_level(logging.WARNING, logger="casereviews.security")
    token = token_issue(user=people.referrer, days=1)
    token_revoke_all(user=people.referrer)
    assert token_client(token).get("/api/deadlines/").status_code in {401, 403}
    (event,) = AuditEvent.objects.filter(action="auth.token_refused")
    assert event.actor == people.referrer and "revoked" in event.summary
    assert token[:8] in event.summary and token not in event.summary
    (line,) = [record for record in caplog.records if record.name == "casereviews.security"]
    assert line.token_prefix == token[:8] and line.user_id == people.referrer.pk and token not in line.getMessage()
    assert not refusals()  # the request itself was anonymous


def test_an_expired_token_is_audited_as_expired(people):
    token = token_issue(user=people.referrer, days=1)
    ApiToken.objects.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    assert token_client(token).get("/api/deadlines/").status_code in {401, 403}
    (event,) = AuditEvent.objects.filter(action="auth.token_refused")
    assert event.actor == people.referrer and "expired" in event.summary


def test_a_token_nobody_was_issued_is_only_logged_without_any_of_it(people, caplog):
    caplog.set_level(logging.WARNING, logger="casereviews.security")
    before = AuditEvent.objects.count()
    garbage = "not-a-token-but-perhaps-a-password"
    assert token_client(garbage).get("/api/deadlines/").status_code in {401, 403}
    assert AuditEvent.objects.count() == before
    (line,) = [record for record in caplog.records if record.name == "casereviews.security"]
    assert "unknown" in line.getMessage() and garbage[:8] not in line.getMessage()
    assert getattr(line, "token_prefix", None) is None


def test_a_token_with_an_issued_prefix_but_the_rest_wrong_is_logged_by_the_prefix_only(people, caplog):
    caplog.set_level(logging.WARNING, logger="casereviews.security")
    token = token_issue(user=people.referrer, days=1)
    wrong = token[:-1] + ("A" if token[-1] != "A" else "B")
    before = AuditEvent.objects.count()
    assert token_client(wrong).get("/api/deadlines/").status_code in {401, 403}
    assert AuditEvent.objects.count() == before  # it cannot be told to be the holder's
    (line,) = [record for record in caplog.records if record.name == "casereviews.security"]
    assert line.token_prefix == token[:8] and wrong not in line.getMessage()


# -- the chain ---------------------------------------------------------------------------------------------------------


def test_the_audit_chain_still_verifies_after_refusals_and_failures(people):
    client = signed_in(people.referrer)
    client.get(reverse("core:audit_log"))
    client.get(reverse("core:audit_log"))
    token = token_issue(user=people.referrer, days=1)
    token_revoke_all(user=people.referrer)
    token_client(token).get("/api/deadlines/")
    assert len(refusals()) == 2 and AuditEvent.objects.filter(action="auth.token_refused").exists()
    assert audit_verify() == (AuditEvent.objects.count(), None)
