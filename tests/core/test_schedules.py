import datetime

import pytest
from django.core.management import CommandError, call_command
from django_tasks_db.models import DBTaskResult

from casereviews.core import schedules
from casereviews.core.tasks import run_schedules_task, schedules_enqueue_next

pytestmark = pytest.mark.django_db


@pytest.fixture
def isolated_jobs(monkeypatch):
    """The registry holding only the jobs a test registers (the apps' own jobs are tested with their apps)."""
    monkeypatch.setattr(schedules, "_jobs", {})
    return schedules


def test_each_registered_job_runs_as_of_the_given_day(isolated_jobs):
    seen = []

    @isolated_jobs.scheduled("remember")
    def remember(today):
        seen.append(today)
        return "remembered"

    outcomes = isolated_jobs.schedules_run(today=datetime.date(2026, 12, 2))
    assert seen == [datetime.date(2026, 12, 2)]
    assert [(o.name, o.summary, o.failed) for o in outcomes] == [("remember", "remembered", False)]


def test_a_failing_job_is_reported_and_rolled_back_and_the_others_still_run(isolated_jobs, people):
    @isolated_jobs.scheduled("a_breaks")
    def breaks(today):
        people.manager.first_name = "Changed"
        people.manager.save()
        raise RuntimeError("the mail server is down")

    @isolated_jobs.scheduled("b_works")
    def works(today):
        return "done"

    outcomes = isolated_jobs.schedules_run(today=datetime.date(2026, 12, 2))
    assert [(o.name, o.failed) for o in outcomes] == [("a_breaks", True), ("b_works", False)]
    assert "the mail server is down" in outcomes[0].summary
    people.manager.refresh_from_db()
    assert people.manager.first_name != "Changed"


def test_the_command_prints_each_job_and_fails_when_one_failed(isolated_jobs, capsys):
    isolated_jobs.scheduled("works")(lambda today: f"acted as of {today:%d %B %Y}")
    call_command("run_schedules", "--date", "2026-12-25")
    assert "works: acted as of 25 December 2026" in capsys.readouterr().out

    def breaks(today):
        raise RuntimeError("no")

    isolated_jobs.scheduled("breaks")(breaks)
    with pytest.raises(CommandError, match="1 scheduled job"):
        call_command("run_schedules")


def test_the_worker_chain_is_started_once_however_often_it_is_asked(isolated_jobs):
    assert schedules_enqueue_next() is True
    assert schedules_enqueue_next() is False
    call_command("run_schedules", "--enqueue")
    assert DBTaskResult.objects.filter(status="READY").count() == 1


def test_a_periodic_run_enqueues_the_next_one(isolated_jobs):
    isolated_jobs.scheduled("works")(lambda today: "done")
    assert run_schedules_task.call() == 0
    waiting = DBTaskResult.objects.get(status="READY")
    assert waiting.run_after > datetime.datetime.now(datetime.UTC)
