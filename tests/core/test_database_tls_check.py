"""`check --deploy` warns when the database is reached over the network without checking its certificate
(ASVS 1.9.2, 9.2.1, 9.2.3); the example production environment checks it."""

from __future__ import annotations

import dj_database_url
from django.core import checks

from casereviews.core.checks import unverified_database_connections

from .test_deploy_files import env_example


def postgres(url: str) -> dict:
    return {"default": dj_database_url.parse(url)}


def test_a_remote_database_reached_with_sslmode_require_is_reported_as_unverified():
    assert unverified_database_connections(postgres("postgres://u:p@db.example.org:5432/n?sslmode=require")) == [
        "default"
    ]


def test_a_remote_database_with_no_sslmode_at_all_is_reported(monkeypatch):
    monkeypatch.delenv("PGSSLMODE", raising=False)
    assert unverified_database_connections(postgres("postgres://u:p@10.0.0.5:5432/n")) == ["default"]
    assert unverified_database_connections(postgres("postgres://u:p@10.0.0.5:5432/n?sslmode=prefer")) == ["default"]


def test_a_remote_database_whose_certificate_is_checked_is_not_reported():
    verified = "postgres://u:p@db.example.org:5432/n?sslmode=verify-full&sslrootcert=/etc/casereviews/db-ca.pem"
    assert unverified_database_connections(postgres(verified)) == []
    assert unverified_database_connections(postgres("postgres://u:p@db.example.org/n?sslmode=verify-ca")) == []


def test_libpq_s_environment_variable_counts_when_the_url_names_no_mode(monkeypatch):
    monkeypatch.setenv("PGSSLMODE", "verify-full")
    assert unverified_database_connections(postgres("postgres://u:p@db.example.org:5432/n")) == []


def test_a_database_on_this_machine_needs_no_certificate():
    for url in [
        "postgres://postgres@127.0.0.1:5432/n",
        "postgres://postgres@localhost/n",
        "postgres://postgres@[::1]:5432/n",
        "postgres://postgres@%2Frun%2Fpostgresql/n",  # a Unix socket
        "postgres:///n",  # libpq's default: the Unix socket
        "sqlite:////var/lib/casereviews/casereviews.sqlite3",
    ]:
        assert unverified_database_connections(postgres(url)) == [], url


def test_every_unverified_alias_is_named():
    databases = {
        **postgres("postgres://u:p@db.example.org/n?sslmode=verify-full"),
        "replica": dj_database_url.parse("postgres://u:p@replica.example.org/n?sslmode=require"),
    }
    assert unverified_database_connections(databases) == ["replica"]


def test_the_example_production_environment_checks_the_database_server_certificate():
    database = dj_database_url.parse(env_example()["DATABASE_URL"])
    assert database["OPTIONS"] == {"sslmode": "verify-full", "sslrootcert": "/etc/casereviews/db-ca.pem"}
    assert unverified_database_connections({"default": database}) == []


def test_the_check_runs_with_the_deployment_checks_and_is_silent_for_the_test_database():
    # The tests' database is SQLite or PostgreSQL on 127.0.0.1: nothing to warn about.
    messages = checks.run_checks(include_deployment_checks=True, tags=[checks.Tags.security])
    assert "casereviews.W002" not in [message.id for message in messages]
    assert any(
        getattr(check, "__name__", "") == "check_database_tls" for check in checks.registry.registry.get_checks(True)
    )
