"""Logs: JSON lines in production, text in development; a line per request with its id, method, path, status,
duration and user id; never a query string, a secret in a path, a request body, a password or a name."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from casereviews.core.logging import (
    JsonFormatter,
    LogContext,
    RequestContextFilter,
    reset_log_context,
    set_log_context,
)

ROOT = Path(__file__).resolve().parents[2]
VAR_DIR = tempfile.mkdtemp(prefix="casereviews-logging-")  # the subprocesses' settings create folders there


@pytest.fixture
def log_lines():
    """What the production handler writes, as parsed JSON objects (read after the requests)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestContextFilter())
    # "django" does not propagate to the root (settings.LOGGING), so it gets the handler too.
    loggers = [logging.getLogger(), logging.getLogger("django")]
    for logger in loggers:
        logger.addHandler(handler)

    def read() -> list[dict]:
        return [json.loads(line) for line in stream.getvalue().splitlines()]

    read.text = stream.getvalue  # type: ignore[attr-defined]
    yield read
    for logger in loggers:
        logger.removeHandler(handler)


def request_lines(lines: list[dict]) -> list[dict]:
    return [line for line in lines if line["logger"] == "casereviews.request"]


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "LOG_"))}
    environment.update(
        DJANGO_SETTINGS_MODULE="casereviews.settings",
        CASEREVIEWS_VAR_DIR=VAR_DIR,
        PASSWORD_PEPPER="a-password-pepper-for-this-test-only",  # production refuses to start without one
        **env,
    )
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_production_process_writes_one_json_object_per_line():
    result = run_python(
        "import logging; logging.getLogger('casereviews.example').warning('two\\nlines'); "
        "logging.getLogger('django.request').error('a django line')",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="a-secret-for-this-test-only",
    )
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stderr.splitlines()]
    assert [(line["logger"], line["level"], line["message"]) for line in lines] == [
        ("casereviews.example", "WARNING", "two\nlines"),
        ("django.request", "ERROR", "a django line"),  # once: Django's own handler does not print it again
    ]
    assert lines[0]["timestamp"].endswith("Z") and "T" in lines[0]["timestamp"]


def test_development_logs_are_readable_text_by_default():
    result = run_python("import logging; logging.getLogger('casereviews.example').warning('hello')")
    assert result.returncode == 0, result.stderr
    assert result.stderr.rstrip().endswith("WARNING casereviews.example: hello")


def test_log_format_chooses_json_in_development_too_and_refuses_anything_else():
    as_json = run_python("import logging; logging.getLogger('x').warning('hello')", LOG_FORMAT="json")
    assert json.loads(as_json.stderr)["message"] == "hello"
    refused = run_python("pass", LOG_FORMAT="xml")
    assert refused.returncode != 0
    assert "LOG_FORMAT must be json or text, not 'xml'" in refused.stderr


def test_each_request_is_logged_once_with_its_id_method_path_status_and_duration(client, log_lines):
    response = client.get("/healthz")

    [line] = request_lines(log_lines())
    assert line["method"] == "GET" and line["path"] == "/healthz" and line["status"] == 200
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["level"] == "INFO"
    assert line["message"].startswith("GET /healthz 200 ")
    assert len(line["request_id"]) == 32 and response["X-Request-ID"] == line["request_id"]
    assert "user_id" not in line  # anonymous


def test_a_request_id_from_the_proxy_is_kept_when_it_looks_like_one(client, log_lines):
    client.get("/healthz", HTTP_X_REQUEST_ID="proxy-4f2a9c1b")
    client.get("/healthz", HTTP_X_REQUEST_ID="x\r\nSet-Cookie: forged")

    kept, replaced = request_lines(log_lines())
    assert kept["request_id"] == "proxy-4f2a9c1b"
    assert len(replaced["request_id"]) == 32 and "forged" not in log_lines.text()


@pytest.mark.django_db
def test_a_query_string_is_never_logged(client, log_lines, settings, tmp_path):
    settings.SEARCH_INDEX_DIR = tmp_path / "search-index"
    client.get("/search/", {"q": "private-words-someone-searched"})

    [line] = request_lines(log_lines())
    assert line["path"] == "/search/"
    assert "private-words-someone-searched" not in log_lines.text()


@pytest.mark.django_db
def test_a_secret_in_the_path_is_replaced_in_every_line(client, log_lines):
    token = "eyJzIjo0Mn0-SignedSecretValue"
    client.get(f"/search/alerts/confirm/{token}/")
    client.get(f"/published/download/{token}/")

    lines = request_lines(log_lines())
    assert [line["path"] for line in lines] == [
        "/search/alerts/confirm/[redacted]/",
        "/published/download/[redacted]/",
    ]
    # Including Django's own "Not Found: ..." or "Bad Request: ..." lines for the same requests.
    assert token not in log_lines.text()


@pytest.mark.django_db
def test_the_signed_in_user_is_logged_by_id_never_by_name_or_address(as_, people, log_lines):
    as_("manager").get("/")

    [line] = request_lines(log_lines())
    assert line["user_id"] == people.manager.pk
    text = log_lines.text()
    assert people.manager.username not in text and people.manager.email not in text


@pytest.mark.django_db
def test_a_sign_in_attempt_logs_neither_the_password_nor_the_body(client, people, log_lines):
    client.post("/accounts/login/", {"login": "bella", "password": "Wrong-Password-7f3a9"})

    [line] = request_lines(log_lines())
    assert line["method"] == "POST" and line["path"] == "/accounts/login/"
    text = log_lines.text()
    assert "Wrong-Password-7f3a9" not in text and "bella" not in text


def test_a_line_carries_only_the_known_fields_and_the_exception_with_its_request_id():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestContextFilter())
    logger = logging.getLogger("casereviews.test_logging")
    logger.addHandler(handler)
    token = set_log_context(LogContext(request_id="r-123", method="POST", path="/x/", raw_path="/x/"))
    try:
        try:
            raise ValueError("the reason")
        except ValueError:
            logger.exception("it failed", extra={"request": object(), "password": "p4ss", "body": "text"})
    finally:
        reset_log_context(token)
        logger.removeHandler(handler)

    line = json.loads(stream.getvalue())
    assert set(line) == {"timestamp", "level", "logger", "message", "request_id", "method", "path", "exception"}
    assert line["request_id"] == "r-123" and line["level"] == "ERROR"
    assert line["exception"].startswith("Traceback") and "ValueError: the reason" in line["exception"]


@pytest.mark.django_db
def test_a_node_that_is_not_ready_logs_one_warning_per_probe_not_an_error(client, log_lines, settings, tmp_path):
    settings.SEARCH_INDEX_DIR = tmp_path / "no-index-here"
    settings.FILE_STORE_ROOT = tmp_path / "files"

    assert client.get("/readyz").status_code == 503

    assert [(line["logger"], line["level"], line["status"]) for line in log_lines()] == [
        ("casereviews.request", "WARNING", 503)
    ]
