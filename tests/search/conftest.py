"""Every search test gets its own empty index directory, and a way to run the real worker on what is queued."""

from __future__ import annotations

import pytest
from django.core.management import call_command


@pytest.fixture(autouse=True)
def index_dir(settings, tmp_path):
    settings.SEARCH_INDEX_DIR = tmp_path / "search-index"
    return settings.SEARCH_INDEX_DIR


def run_worker() -> None:
    """The task worker (`db_worker`) once over every task queued so far. It closes the database connection
    when it finishes, so tests that use it need `django_db(transaction=True)`."""
    call_command("db_worker", "--batch", "--no-startup-delay")


@pytest.fixture
def apply():
    """Run the worker's task function in this process, inside the test's transaction."""
    from casereviews.search.tasks import apply_index_changes

    return lambda: apply_index_changes.call()
