"""API tokens (ASVS 2.10.3, 3.5.2): stored only as a prefix and a SHA-256 digest, printed once by `create_token`,
expiring, revocable, and the tokens issued before (DRF's keys in clear) kept working through the migration."""

from __future__ import annotations

import datetime
import hashlib
from importlib import import_module
from io import StringIO
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from casereviews.api.models import ApiToken
from casereviews.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def create_token(*args: str) -> str:
    out = StringIO()
    call_command("create_token", *args, stdout=out)
    return out.getvalue().strip()


def status_with(token: str) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client.get("/api/referrals/").status_code


def stored_text() -> str:
    """Everything the database holds about tokens, as one string."""
    return " ".join(str(value) for row in ApiToken.objects.values_list() for value in row)


def test_create_token_prints_a_token_that_works_and_the_database_keeps_only_its_digest(people):
    token = create_token("bella")
    assert status_with(token) == 200
    record = ApiToken.objects.get(user=people.manager)
    assert record.digest == hashlib.sha256(token.encode()).hexdigest()
    assert token.startswith(record.prefix) and len(record.prefix) < len(token) / 4
    assert token not in stored_text()
    audit = AuditEvent.objects.get(action="token.create")
    assert record.prefix in audit.summary and token not in audit.summary


def test_a_token_that_is_wrong_by_one_character_is_refused(people):
    token = create_token("bella")
    altered = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert status_with(altered) == 403


def test_a_token_expires_after_the_days_given_and_90_days_by_default(people):
    before = timezone.now()
    create_token("bella")
    short = create_token("bella", "--days", "2")
    default, two_days = ApiToken.objects.order_by("created_at", "pk")
    assert default.expires_at - before >= datetime.timedelta(days=90)
    assert default.expires_at - before < datetime.timedelta(days=90, minutes=1)
    assert two_days.expires_at - before < datetime.timedelta(days=2, minutes=1)
    ApiToken.objects.filter(pk=two_days.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert status_with(short) == 403


def test_rotating_revokes_the_earlier_tokens(people):
    first = create_token("bella")
    second = create_token("bella")
    assert status_with(first) == status_with(second) == 200  # a person may hold more than one
    third = create_token("bella", "--rotate")
    assert status_with(first) == status_with(second) == 403
    assert status_with(third) == 200
    assert ApiToken.objects.filter(user=people.manager, revoked_at__isnull=False).count() == 2


def test_the_token_of_someone_no_longer_active_is_refused(people):
    token = create_token("bella")
    people.manager.is_active = False
    people.manager.save()
    assert status_with(token) == 403


def test_create_token_refuses_an_unknown_person_and_a_token_that_never_lasts(people):
    with pytest.raises(CommandError, match="No active user"):
        create_token("nobody")
    with pytest.raises(CommandError, match="at least 1"):
        create_token("bella", "--days", "0")


def test_a_tokens_last_use_is_recorded(people):
    token = create_token("bella")
    assert ApiToken.objects.get().last_used_at is None
    status_with(token)
    assert ApiToken.objects.get().last_used_at is not None


def test_the_openapi_schema_still_describes_token_authentication(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert schema["components"]["securitySchemes"]["tokenAuth"] == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": 'Token-based authentication with required prefix "Token"',
    }
    assert {"tokenAuth": []} in schema["paths"]["/api/referrals/"]["get"]["security"]


def test_the_migration_hashes_the_clear_keys_of_earlier_tokens_which_keep_working(people):
    # The table DRF's authtoken left behind, with one key in clear as it stored them.
    created = "timestamp with time zone" if connection.vendor == "postgresql" else "datetime"
    key = "0123456789abcdef0123456789abcdef01234567"
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, user_id bigint, created {created} NOT NULL)"
        )
        cursor.execute(
            "INSERT INTO authtoken_token (key, user_id, created) VALUES (%s, %s, %s)",
            [key, people.analyst.pk, timezone.now()],
        )
    migration = import_module("casereviews.api.migrations.0002_hash_existing_tokens")
    migration.hash_authtoken_keys(apps, SimpleNamespace(connection=connection))
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM authtoken_token")
        assert cursor.fetchone()[0] == 0  # no key left in clear
    record = ApiToken.objects.get(user=people.analyst)
    assert record.expires_at is None and key not in stored_text()
    assert status_with(key) == 200
