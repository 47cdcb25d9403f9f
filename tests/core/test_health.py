"""Liveness (/healthz) and readiness (/readyz): each readiness check fails for a real reason, and says why."""

from __future__ import annotations

import copy
import datetime
import json
import os
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connections
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django_tasks import task

from casereviews.core import health
from casereviews.search import engine
from casereviews.search.services import index_changes_apply, index_rebuild, index_root
from tests.search.builders import make_library_report


@task()
def a_small_task() -> int:
    """Something for the real task worker to finish, so that it has been seen."""
    return 1


@pytest.fixture
def places(settings, tmp_path):
    """A file store and a search index of the test's own."""
    settings.FILE_STORE_ROOT = tmp_path / "files" / "blobs"
    settings.SEARCH_INDEX_DIR = tmp_path / "search-index"
    return tmp_path


def checks_of(response) -> dict[str, dict]:
    return json.loads(response.content)["checks"]


def test_healthz_says_the_process_is_up_without_touching_the_database(client):
    # No django_db mark: any query on the way, in a view or a middleware, would fail this test.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db(transaction=True)
def test_readyz_is_200_when_every_check_passes_and_names_each_check(client, places):
    make_library_report("Child R review", ["Ready words."])
    index_rebuild()
    a_small_task.enqueue()
    call_command("db_worker", "--batch", "--no-startup-delay")  # the real worker, over the real queue

    response = client.get("/readyz")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "ready"
    assert set(body["checks"]) == {"database", "migrations", "file_store", "search_index", "task_worker", "antivirus"}
    assert all(check["ok"] for check in body["checks"].values())
    assert "no-store" in response["Cache-Control"] and "max-age=0" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_is_503_with_the_reason_when_a_check_fails(client, places):
    # No index has been built on this node, and no worker has run.
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not ready"
    assert body["checks"]["search_index"] == {
        "ok": False,
        "reason": "this node has no search index: run `manage.py search_rebuild` (or start the search follower, "
        "which builds it)",
    }
    assert body["checks"]["task_worker"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_an_unapplied_migration_makes_the_node_not_ready():
    assert health.check_migrations().ok
    latest = MigrationRecorder.Migration.objects.filter(app="search").order_by("-applied").first()
    MigrationRecorder.Migration.objects.filter(pk=latest.pk).delete()  # as if `migrate` had not run it

    check = health.check_migrations()

    assert not check.ok
    assert check.reason == f"1 migration(s) not applied: search.{latest.name}; run `manage.py migrate`"


@pytest.fixture
def unreachable_database():
    """A second connection to a database that cannot be reached: a port nothing listens on, or an SQLite file
    in a folder that does not exist."""
    settings = copy.deepcopy(connections.settings["default"])
    if settings["ENGINE"] == "django.db.backends.sqlite3":
        settings["NAME"] = "/nonexistent-folder/casereviews.sqlite3"
    else:
        settings.update(HOST="127.0.0.1", PORT="1", OPTIONS={**settings.get("OPTIONS", {}), "connect_timeout": 2})
    connections.settings["unreachable"] = settings
    yield "unreachable"
    connections["unreachable"].close()
    del connections.settings["unreachable"]
    del connections["unreachable"]


def test_an_unreachable_database_fails_readiness_without_disclosing_where_it_is(
    unreachable_database, places, django_db_blocker
):
    with django_db_blocker.unblock():
        checks = {check.name: check for check in health.readiness(unreachable_database)}

    assert checks["database"].ok is False
    assert checks["database"].reason == "the database did not answer (OperationalError)"
    for name in ("migrations", "search_index", "task_worker"):
        assert checks[name] == health.Check(name, False, "not checked: the database did not answer")
    assert checks["file_store"].ok  # does not need the database


def test_a_file_store_root_that_is_a_file_is_not_writable(settings, tmp_path):
    (tmp_path / "in-the-way").write_text("a file where the store's folder should be")
    settings.FILE_STORE_ROOT = tmp_path / "in-the-way" / "blobs"

    check = health.check_file_store()

    assert check == health.Check("file_store", False, "the file store cannot be written: Not a directory")


@pytest.mark.skipif(not Path("/sys").is_dir(), reason="needs Linux's /sys, which nobody may create files in")
def test_a_file_store_in_a_directory_nobody_may_write_is_not_writable(settings):
    # Even root cannot create a file in /sys, so this fails for real however the tests are run.
    settings.FILE_STORE_ROOT = Path("/sys")

    check = health.check_file_store()

    assert not check.ok
    assert check.reason.startswith("the file store cannot be written: ")
    assert "/sys" not in check.reason  # no paths in a public answer


def test_a_writable_file_store_passes_and_leaves_nothing_behind(settings, tmp_path):
    settings.FILE_STORE_ROOT = tmp_path / "new" / "blobs"
    assert health.check_file_store().ok
    assert os.listdir(settings.FILE_STORE_ROOT) == []


@pytest.mark.django_db
def test_a_missing_index_directory_is_not_ready(places):
    index_rebuild()
    assert health.check_search_index().ok
    for path in sorted(index_root().rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    index_root().rmdir()

    check = health.check_search_index()

    assert not check.ok and check.reason.startswith("this node has no search index")


@pytest.mark.django_db
def test_an_index_that_cannot_be_read_is_not_ready(places):
    index_rebuild()
    generation = engine.current_generation(index_root())
    (generation / "meta.json").write_text("{ not json")

    check = health.check_search_index()

    assert check == health.Check("search_index", False, "the search index cannot be read (JSONDecodeError)")


@pytest.mark.django_db
def test_an_index_behind_the_change_table_for_longer_than_the_threshold_is_not_ready(places, settings):
    settings.READINESS_SEARCH_STALE_SECONDS = 300
    index_rebuild()
    make_library_report("Child W review", ["Waiting words."])  # its change waits: no worker applies it
    now = timezone.now()

    assert health.check_search_index(now=now).ok  # just made: the worker usually needs a second
    later = health.check_search_index(now=now + datetime.timedelta(minutes=6))
    assert not later.ok
    assert later.reason.endswith(
        "library change(s) older than 300 s are not in this node's index: is its search follower (or the task "
        "worker) running?"
    )

    index_changes_apply()  # what the worker or the follower does
    assert health.check_search_index(now=now + datetime.timedelta(minutes=6)).ok


@pytest.mark.django_db
def test_a_worker_that_never_ran_is_not_ready():
    check = health.check_task_worker()
    assert check == health.Check(
        "task_worker", False, "no task has ever finished: start the task worker (`manage.py db_worker`)"
    )


@pytest.mark.django_db(transaction=True)
def test_a_worker_silent_for_longer_than_its_periodic_run_is_not_ready(settings):
    settings.SCHEDULE_INTERVAL_MINUTES = 60
    settings.READINESS_WORKER_GRACE_MINUTES = 15
    a_small_task.enqueue()
    call_command("db_worker", "--batch", "--no-startup-delay")
    now = timezone.now()

    assert health.check_task_worker(now=now + datetime.timedelta(minutes=74)).ok
    silent = health.check_task_worker(now=now + datetime.timedelta(hours=3))
    assert silent == health.Check(
        "task_worker", False, "the task worker was last seen 3 h ago: is `manage.py db_worker` running?"
    )


@pytest.mark.django_db
def test_the_search_follower_builds_a_missing_index_then_catches_up_so_the_node_is_ready_again(places):
    # A new node: no index at all, and a change that no worker applied to it.
    make_library_report("Child F review", ["Following words."])
    assert not health.check_search_index().ok

    call_command("search_follow", "--once")  # what casereviews-search-follower.service runs, once

    assert health.check_search_index().ok
    make_library_report("Child L review", ["Later words."])
    later = timezone.now() + datetime.timedelta(minutes=10)
    assert not health.check_search_index(now=later).ok
    call_command("search_follow", "--once")
    assert health.check_search_index(now=later).ok
    assert engine.current_generation(index_root()) is not None
