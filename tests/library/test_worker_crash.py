"""A task worker killed in the middle of analysing a report loses nothing and duplicates nothing.

These tests start the real worker (`manage.py db_worker`) as a separate process against the test database,
kill it with SIGKILL while it is analysing, and start it again.
"""

from __future__ import annotations

import datetime
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from casereviews.library.models import ExtractedValue, Report, ReportStatus
from casereviews.library.services import report_upload, reports_requeue_stale
from extraction.corpus import generate_report

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    user = settings["USER"] or "postgres"
    return f"postgres://{user}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{settings['NAME']}"


@pytest.fixture
def start_worker(tmp_path):
    """Start real workers; whatever happens in the test, none outlives it (a stray worker would go on taking
    tasks from later tests' databases)."""
    started: list[subprocess.Popen[bytes]] = []

    def start(*extra: str) -> subprocess.Popen[bytes]:
        env = {**os.environ, "DATABASE_URL": database_url(), "DJANGO_SETTINGS_MODULE": "casereviews.settings"}
        log = (tmp_path / f"worker-{len(started)}.log").open("wb")
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--interval", "0.2", "--no-startup-delay", *extra],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        started.append(worker)
        return worker

    yield start
    for worker in started:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(10)


def wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def status_of(report: Report) -> str:
    return Report.objects.values_list("status", flat=True).get(pk=report.pk)


def test_a_worker_killed_mid_analysis_leaves_no_partial_record_and_a_restart_finishes_it(start_worker, tmp_path):
    # Long enough that the analysis takes seconds, so the kill lands in the middle of it.
    generated = generate_report(5, 0, formats=("txt",), words=60000)
    report = report_upload(uploaded_by=None, filename=generated.filename, data=generated.render()).report

    worker = start_worker()
    # Generous: on a loaded 2-core machine the worker's start (Django, spaCy, Presidio) can take a while.
    wait_for(lambda: status_of(report) != ReportStatus.QUEUED, 240)
    log = (tmp_path / "worker-0.log").read_text(errors="replace")[-3000:]
    assert status_of(report) == ReportStatus.PROCESSING, f"the worker did not start analysing:\n{log}"
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(10)
    assert status_of(report) == ReportStatus.PROCESSING
    assert not ExtractedValue.objects.filter(report=report).exists()  # nothing half-written

    assert reports_requeue_stale(older_than=datetime.timedelta(0)) == [report.pk]
    start_worker("--batch").wait(300)
    report.refresh_from_db()
    assert report.status == ReportStatus.READY
    assert report.attempts >= 2
    fields = list(ExtractedValue.objects.filter(report=report).values_list("field", "key"))
    assert fields and len(fields) == len(set(fields))  # each value once, however often it was analysed
