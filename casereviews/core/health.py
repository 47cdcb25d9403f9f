"""Readiness: whether this node can serve every page correctly now, check by check, for `/readyz`.

Liveness (`/healthz`) only says the process answers; readiness asks what a deployment or a monitor needs to
know before sending people to this node: the database answers and has every migration this code expects, the
file store takes a write, this node's search index is there, readable and following the change table, and the
task worker (which sends e-mail, analyses reports and writes the index) has been seen lately, and uploads can be
scanned for viruses when scanning is required.

Every reason is written for an operator and is safe to show anyone: no host names, paths, user data or
exception text from a driver (which can carry a connection string), only what failed and what to run.
"""

from __future__ import annotations

import datetime
import functools
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Max
from django.utils import timezone


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    reason: str


def _stale_after() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.READINESS_SEARCH_STALE_SECONDS)


def _worker_silent_after() -> datetime.timedelta:
    # An idle worker still finishes the periodic `run_schedules` task every SCHEDULE_INTERVAL_MINUTES, so
    # silence for longer than that plus a margin means no worker is running.
    return datetime.timedelta(
        minutes=settings.SCHEDULE_INTERVAL_MINUTES + settings.READINESS_WORKER_GRACE_MINUTES,
    )


def _ago(moment: datetime.datetime, now: datetime.datetime) -> str:
    seconds = int((now - moment).total_seconds())
    if seconds < 120:
        return f"{seconds} s ago"
    if seconds < 7200:
        return f"{seconds // 60} min ago"
    return f"{seconds // 3600} h ago"


def check_database(using: str = DEFAULT_DB_ALIAS) -> Check:
    try:
        with connections[using].cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as error:
        # The driver's message can name the host and user; the class is enough to start looking.
        return Check("database", False, f"the database did not answer ({type(error).__name__})")
    return Check("database", True, "the database answers")


@functools.cache
def _expected_migrations() -> dict[tuple[str, str], tuple[tuple[str, str], ...]]:
    """Every migration the code on disk has, with what each replaces if it is a squash. Read once: the files
    cannot change under a running process, while the recorder table is read on every check."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return {
        key: tuple(tuple(old) for old in getattr(loader.disk_migrations.get(key), "replaces", None) or ())
        for key in loader.graph.nodes
    }


def check_migrations(using: str = DEFAULT_DB_ALIAS) -> Check:
    try:
        applied = set(MigrationRecorder(connections[using]).applied_migrations())
    except DatabaseError as error:
        return Check("migrations", False, f"could not read the applied migrations ({type(error).__name__})")
    missing = [
        key
        for key, replaces in sorted(_expected_migrations().items())
        # A squash counts as applied when everything it replaces is (as `migrate` itself decides).
        if key not in applied and not (replaces and all(old in applied for old in replaces))
    ]
    if missing:
        first = ", ".join(f"{app}.{name}" for app, name in missing[:3])
        more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
        return Check(
            "migrations", False, f"{len(missing)} migration(s) not applied: {first}{more}; run `manage.py migrate`"
        )
    return Check("migrations", True, "every migration is applied")


def check_file_store() -> Check:
    """A real write and delete in the store's root, as `store_blob` would make (it creates the folder too)."""
    root = Path(settings.FILE_STORE_ROOT)
    try:
        root.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=root, prefix=".readyz-") as handle:
            handle.write(b"ok")
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as error:
        # strerror only: the exception's text includes the path.
        return Check("file_store", False, f"the file store cannot be written: {error.strerror or type(error).__name__}")
    return Check("file_store", True, "the file store takes a write")


def check_search_index(using: str = DEFAULT_DB_ALIAS, *, now: datetime.datetime | None = None) -> Check:
    """This node's index: there, readable, and not behind the change table by more than the threshold. A
    change is behind when this generation's cursor has not applied it; it is normally applied within a second."""
    from casereviews.search import engine
    from casereviews.search.models import IndexChange
    from casereviews.search.services import index_root

    now = now or timezone.now()
    root = index_root()
    try:
        generation = engine.current_generation(root)
    except (OSError, ValueError) as error:
        return Check("search_index", False, f"the search index cannot be read ({type(error).__name__})")
    if generation is None:
        return Check(
            "search_index",
            False,
            "this node has no search index: run `manage.py search_rebuild` (or start the search follower, "
            "which builds it)",
        )
    try:
        index = engine.reader_for(root).index()
        if index is None:
            raise FileNotFoundError
        documents = index.searcher().num_docs
        cursor = engine.read_cursor(generation)
    except (OSError, ValueError) as error:
        return Check("search_index", False, f"the search index cannot be read ({type(error).__name__})")
    try:
        behind = (
            IndexChange.objects.using(using)
            .filter(pk__gt=cursor["position"], created_at__lt=now - _stale_after())
            .exclude(pk__in=[int(pk) for pk in cursor.get("recent", {})])
            .count()
        )
    except DatabaseError as error:
        return Check("search_index", False, f"could not read the change table ({type(error).__name__})")
    if behind:
        return Check(
            "search_index",
            False,
            f"{behind} library change(s) older than {int(_stale_after().total_seconds())} s are not in "
            "this node's index: is its search follower (or the task worker) running?",
        )
    return Check("search_index", True, f"the search index is readable ({documents} documents) and up to date")


def check_task_worker(using: str = DEFAULT_DB_ALIAS, *, now: datetime.datetime | None = None) -> Check:
    """Seen lately: a task finished, or one started and still running, within the silence threshold."""
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    try:
        tasks = DBTaskResult.objects.using(using)
        finished = tasks.finished().aggregate(last=Max("finished_at"))["last"]
        running = tasks.running().aggregate(last=Max("started_at"))["last"]
    except DatabaseError as error:
        return Check("task_worker", False, f"could not read the task queue ({type(error).__name__})")
    seen = max((moment for moment in (finished, running) if moment is not None), default=None)
    if seen is None:
        return Check("task_worker", False, "no task has ever finished: start the task worker (`manage.py db_worker`)")
    if now - seen > _worker_silent_after():
        return Check(
            "task_worker", False, f"the task worker was last seen {_ago(seen, now)}: is `manage.py db_worker` running?"
        )
    return Check("task_worker", True, f"the task worker was seen {_ago(seen, now)}")


def check_antivirus() -> Check:
    """Whether uploads are being scanned (casereviews/core/antivirus.py): clamd answers PING, with the date of its
    signatures. Fails only when scanning is required and cannot happen, since then every upload is refused."""
    from casereviews.core.antivirus import ScannerError, scanner

    required = settings.ANTIVIRUS_REQUIRED
    # A probe must answer quickly: a clamd that takes longer than this to say PONG is not ready either.
    client = scanner(timeout=min(settings.CLAMD_TIMEOUT, 5))
    if client is None:
        if required:
            return Check(
                "antivirus", False,
                "scanning is required (ANTIVIRUS_REQUIRED) but no scanner is configured: set CLAMD_SOCKET or "
                "CLAMD_HOST; every upload is refused until then",
            )
        return Check("antivirus", True, "scanning is off (no CLAMD_SOCKET or CLAMD_HOST): uploads are not scanned")
    try:
        answers = client.ping()
        version = client.version() if answers else ""
    except ScannerError:
        answers, version = False, ""
    if not answers:
        # No socket path or host in the reason: readiness is public.
        if required:
            return Check("antivirus", False, "clamd does not answer: every upload is refused until it does")
        return Check(
            "antivirus", True, "clamd does not answer: uploads are accepted UNSCANNED (ANTIVIRUS_REQUIRED is off)"
        )
    # `ClamAV 1.4.6/27470/Tue Dec  1 09:31:02 2026`: engine, signatures' version, their date (a local test
    # database has no version or date, and clamd then says only the engine).
    _, _, signatures = version.partition("/")
    about = f"signatures {' '.join(signatures.replace('/', ' of ', 1).split())}" if signatures else "local signatures"
    return Check("antivirus", True, f"uploads are scanned: clamd answers ({about})")


def readiness(using: str = DEFAULT_DB_ALIAS) -> list[Check]:
    database = check_database(using)
    if not database.ok:
        # Every other check but the file store reads the database: say so once rather than four times.
        skipped = [Check(name, False, "not checked: the database did not answer") for name in _DATABASE_CHECKS]
        return [database, *skipped[:1], check_file_store(), *skipped[1:], check_antivirus()]
    return [
        database,
        check_migrations(using),
        check_file_store(),
        check_search_index(using),
        check_task_worker(using),
        check_antivirus(),
    ]


_DATABASE_CHECKS = ("migrations", "search_index", "task_worker")
