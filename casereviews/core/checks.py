"""System checks of the deployment that Django's own `check --deploy` does not make."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core import checks

# libpq's modes that check the server's certificate: verify-ca against the CA in sslrootcert, verify-full also
# that the certificate names the host connected to. "require" encrypts but would talk to anyone in the middle.
VERIFYING_SSLMODES = {"verify-full", "verify-ca"}
LOCAL_HOSTS = {"", "localhost", "127.0.0.1", "::1"}


def unverified_database_connections(databases: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """The aliases of PostgreSQL databases reached over the network without checking the server's certificate.

    On this machine (a Unix socket, or the loopback address) there is no network for anyone to sit on, so no
    certificate is needed; the development default (SQLite) and the tests' local PostgreSQL are such."""
    unverified = []
    for alias, database in databases.items():
        if "postgresql" not in str(database.get("ENGINE", "")):
            continue
        host = str(database.get("HOST") or "")
        if host in LOCAL_HOSTS or host.startswith("/"):
            continue
        options = database.get("OPTIONS") or {}
        # libpq falls back to PGSSLMODE when the connection string names no mode.
        sslmode = options.get("sslmode") or os.environ.get("PGSSLMODE", "")
        if sslmode not in VERIFYING_SSLMODES:
            unverified.append(alias)
    return unverified


@checks.register(checks.Tags.security, deploy=True)
def check_database_tls(**kwargs: Any) -> list[checks.CheckMessage]:
    return [
        checks.Warning(
            f"The database {alias!r} is reached over the network without checking its server's certificate: "
            "anyone between the two machines could pose as the database and read every case, and the password.",
            hint="Add ?sslmode=verify-full&sslrootcert=/etc/casereviews/db-ca.pem to DATABASE_URL, with the CA "
            "that signed the database server's certificate in that file (docs/operations.md, "
            '"Database: PostgreSQL"; docs/security.md, 9.2.3).',
            id="casereviews.W002",
        )
        for alias in unverified_database_connections(settings.DATABASES)
    ]
