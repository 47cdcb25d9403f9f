"""`manage.py ingest`, the demo library loader and the home page's progress while it loads."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from casereviews.core.models import BackgroundJob
from casereviews.library.models import Report, ReportStatus
from extraction.corpus import generate_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def folder(tmp_path):
    for index, fmt in enumerate(["txt", "docx"]):
        generated = generate_report(11, index, min_pages=10, max_pages=11, formats=(fmt,))
        (tmp_path / generated.filename).write_bytes(generated.render())
    (tmp_path / "nested").mkdir()
    (tmp_path / "nested" / "notes.md").write_text("not a report format, so not picked up")
    return tmp_path


def run_ingest(*paths) -> str:
    out = StringIO()
    call_command("ingest", *map(str, paths), stdout=out, stderr=StringIO())
    return out.getvalue()


def test_ingest_adds_every_report_in_a_folder_and_analyses_it(folder):
    summary = run_ingest(folder)
    assert "2 files: 2 added, 0 already in the library, 0 failed." in summary
    assert set(Report.objects.values_list("status", flat=True)) == {ReportStatus.READY}


def test_ingesting_the_same_files_again_adds_nothing(folder):
    run_ingest(folder)
    summary = run_ingest(folder)
    assert "2 files: 0 added, 2 already in the library, 0 failed." in summary
    assert Report.objects.count() == 2


def test_ingest_lists_each_failure_with_its_reason_and_exits_non_zero(folder):
    (folder / "broken.pdf").write_bytes(b"%PDF-1.7 truncated")
    (folder / "latin1.txt").write_bytes("Caf\u00e9".encode("latin-1"))
    out = StringIO()
    with pytest.raises(CommandError, match="2 of 4 files could not be ingested"):
        call_command("ingest", str(folder), stdout=out, stderr=StringIO())
    assert "FAILED" in out.getvalue() and "broken.pdf" in out.getvalue() and "UTF-8" in out.getvalue()
    assert Report.objects.count() == 2


def test_ingest_refuses_a_path_that_does_not_exist(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        run_ingest(tmp_path / "missing")


def test_ingest_can_leave_the_analysis_to_the_worker(folder, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=True):
        run_ingest(folder, "--queue")
    assert set(Report.objects.values_list("status", flat=True)) == {ReportStatus.QUEUED}
    assert DBTaskResult.objects.count() == 2


def test_the_demo_library_loads_with_visible_progress_and_only_once(client, settings):
    settings.DEBUG = True  # the loader refuses to run in production
    call_command("load_demo_library", "--count", "2", "--max-pages", "10", stdout=StringIO())
    job = BackgroundJob.objects.get(name="demo_library")
    assert (job.done, job.total, job.running) == (2, 2, False)
    page = client.get(reverse("home")).content.decode()
    assert "2 of 2 demo reports added" in page and "2 waiting for the task worker" in page
    call_command("load_demo_library", "--count", "2", "--max-pages", "10", stdout=StringIO())
    assert Report.objects.count() == 2


def test_the_demo_library_refuses_to_load_in_production(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="development only"):
        call_command("load_demo_library", "--count", "1", stdout=StringIO())


def test_the_home_page_says_nothing_about_the_demo_library_once_it_is_loaded_and_analysed(client):
    BackgroundJob.objects.create(name="demo_library", description="Loading", total=0)
    BackgroundJob.objects.filter(name="demo_library").update(finished_at="2026-01-01T00:00:00Z")
    assert "demo reports added" not in client.get(reverse("home")).content.decode()
