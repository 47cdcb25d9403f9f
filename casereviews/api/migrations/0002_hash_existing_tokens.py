"""Tokens issued before ApiToken (DRF's authtoken, keys stored in clear) are kept working: each key becomes an ApiToken
holding only its first characters and its SHA-256, and the clear keys are deleted. They keep no expiry, as before;
`create_token USER --rotate` replaces one with an expiring token."""

import datetime
import hashlib

from django.db import migrations
from django.utils.dateparse import parse_datetime


def _aware(created):
    # SQLite hands back the text Django stored (UTC, without a zone); PostgreSQL an aware datetime.
    moment = parse_datetime(created) if isinstance(created, str) else created
    return moment.replace(tzinfo=datetime.timezone.utc) if moment.tzinfo is None else moment


def hash_authtoken_keys(apps, schema_editor):
    connection = schema_editor.connection
    if "authtoken_token" not in connection.introspection.table_names():
        return
    ApiToken = apps.get_model("api", "ApiToken")
    with connection.cursor() as cursor:
        cursor.execute("SELECT key, user_id, created FROM authtoken_token")
        rows = cursor.fetchall()
        for key, user_id, created in rows:
            ApiToken.objects.create(
                user_id=user_id, prefix=key[:8], digest=hashlib.sha256(key.encode()).hexdigest(), created_at=_aware(created)
            )
        cursor.execute("DELETE FROM authtoken_token")


class Migration(migrations.Migration):
    dependencies = [("api", "0001_initial")]

    # The clear keys are gone once this has run, so it cannot be undone; going back leaves the digests in place.
    operations = [migrations.RunPython(hash_authtoken_keys, migrations.RunPython.noop)]
