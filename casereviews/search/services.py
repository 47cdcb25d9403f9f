"""Keeping the search index in step with the database.

`index_change_record` writes a change row in the caller's transaction; the task worker runs
`index_changes_apply`, which re-reads each changed report and replaces what the index holds for it. Applying a
change twice is harmless, because it always writes the report as the database has it now.

Each index generation keeps a cursor: `position`, below which every change has been applied, and `recent`, the
changes above it already applied. Change ids are handed out when a row is inserted, not when its transaction
commits, so a row with a smaller id can appear after a larger one has been applied; the cursor therefore only
moves past a change once it is `SEARCH_CHANGE_GRACE_SECONDS` old, by when any transaction that took a smaller
id has long committed or rolled back.
"""

from __future__ import annotations

import contextlib
import datetime
import fcntl
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from casereviews.search import engine
from casereviews.search.documents import indexed_reports, public_reports
from casereviews.search.models import DeletedRecord, IndexChange

logger = logging.getLogger(__name__)

APPLY_BATCH = 500


def index_root() -> Path:
    return Path(settings.SEARCH_INDEX_DIR)


def grace() -> datetime.timedelta:
    return datetime.timedelta(seconds=getattr(settings, "SEARCH_CHANGE_GRACE_SECONDS", 120))


def index_change_record(*, report_id: int, reason: str) -> IndexChange:
    """Note that what the index holds for a report may have changed. Call it inside the change's transaction."""
    change = IndexChange.objects.create(report_id=report_id, reason=reason[:50])
    transaction.on_commit(apply_soon)
    return change


@dataclass(frozen=True)
class PublicState:
    """Whether a report is in the public library, and if so the OAI-PMH sets it belongs to."""

    public: bool
    sets: tuple[str, ...] = ()


def public_state_of(report_id: int) -> PublicState:
    """Read before a change that may take a report out of the public library, to know what it was."""
    from casereviews.search.oai import set_memberships

    if not public_reports().filter(pk=report_id).exists():
        return PublicState(public=False)
    return PublicState(public=True, sets=tuple(sorted(set_memberships([report_id]).get(report_id, set()))))


def deleted_record_note(*, report_id: int, before: PublicState, reason: str, gone: bool = False) -> None:
    """After a change to a report's catalogue fields (or its deletion, `gone`), in the change's transaction:
    a report that was public and is no longer becomes a deleted record for harvesters, dated now; one that is
    public again stops being one."""
    public_now = not gone and public_reports().filter(pk=report_id).exists()
    if before.public and not public_now:
        DeletedRecord.objects.update_or_create(
            report_id=report_id,
            defaults={"deleted_at": timezone.now(), "sets": list(before.sets), "reason": reason[:50]},
        )
    elif public_now and not before.public:
        DeletedRecord.objects.filter(report_id=report_id).delete()


def apply_soon(*, delay: datetime.timedelta | None = None) -> bool:
    """Queue the worker's apply task unless one is already waiting (a waiting one will see this change too)."""
    from casereviews.search.tasks import apply_index_changes

    task_path = f"{apply_index_changes.func.__module__}.{apply_index_changes.func.__qualname__}"
    from django_tasks_db.models import DBTaskResult

    if DBTaskResult.objects.filter(task_path=task_path, status="READY").exists():
        return False
    task = apply_index_changes if delay is None else apply_index_changes.using(run_after=timezone.now() + delay)
    task.enqueue()
    return True


@contextlib.contextmanager
def _writer_lock(root: Path, *, wait: bool) -> Iterator[bool]:
    """One writer per index directory: tantivy allows no more, and the cursor must not be moved twice."""
    root.mkdir(parents=True, exist_ok=True)
    with (root / "writer.lock").open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@dataclass
class ApplyOutcome:
    changes: int = 0
    reports: int = 0
    busy: bool = False
    rebuilt: bool = False


def index_changes_apply(*, max_batches: int = 100) -> ApplyOutcome:
    """Apply every change this generation has not yet applied. Builds the index first if there is none."""
    root = index_root()
    outcome = ApplyOutcome()
    with _writer_lock(root, wait=False) as acquired:
        if not acquired:
            outcome.busy = True
            return outcome
        generation = engine.current_generation(root)
        if generation is None:
            _rebuild_locked(root)
            outcome.rebuilt = True
            generation = engine.current_generation(root)
            assert generation is not None
        for _ in range(max_batches):
            applied, reports = _apply_batch(generation)
            outcome.changes += applied
            outcome.reports += reports
            if applied == 0:
                break
    return outcome


def _apply_batch(generation: Path) -> tuple[int, int]:
    cursor = engine.read_cursor(generation)
    position: int = cursor["position"]
    recent: dict[str, float] = cursor.get("recent", {})
    changes = list(
        IndexChange.objects.filter(pk__gt=position)
        .exclude(pk__in=[int(pk) for pk in recent])
        .order_by("pk")
        .values_list("pk", "report_id", "created_at")[:APPLY_BATCH]
    )
    if changes:
        report_ids = sorted({report_id for _, report_id, _ in changes})
        # Read after the changes were read, so the index gets at least the state each change left behind.
        current = {report.report_id: report for report in indexed_reports(report_ids)}
        writer = engine.Writer(engine.open_generation(generation))
        for report_id in report_ids:
            writer.replace(report_id, current.get(report_id))
        writer.commit()
        recent.update({str(pk): created.timestamp() for pk, _, created in changes})
        IndexChange.objects.filter(pk__in=[pk for pk, _, _ in changes], applied_at__isnull=True).update(
            applied_at=timezone.now()
        )
    settled = (timezone.now() - grace()).timestamp()
    position = max([position, *(int(pk) for pk, created in recent.items() if created <= settled)])
    recent = {pk: created for pk, created in recent.items() if int(pk) > position}
    if changes or position != cursor["position"]:
        engine.write_cursor(generation, {"position": position, "recent": recent})
    return len(changes), len({report_id for _, report_id, _ in changes})


@dataclass
class RebuildOutcome:
    reports: int
    seconds: float
    generation: str


def index_rebuild() -> RebuildOutcome:
    """Build a new generation from the database and make it live; the worker then follows the change table
    from where the build started."""
    root = index_root()
    with _writer_lock(root, wait=True):
        outcome = _rebuild_locked(root)
    apply_soon()
    return outcome


def _rebuild_locked(root: Path) -> RebuildOutcome:
    began = time.perf_counter()
    # Every change older than this is reflected in what the build reads below; newer ones are applied again.
    settled = IndexChange.objects.filter(created_at__lte=timezone.now() - grace()).order_by("-pk").first()
    path, index = engine.generation_create(root)
    writer = engine.Writer(index, threads=2)
    count = 0
    for report in indexed_reports():
        writer.add(report)
        count += 1
    writer.commit()
    engine.write_cursor(path, {"position": settled.pk if settled else 0, "recent": {}})
    engine.generation_activate(root, path)
    logger.info("search index rebuilt: %s reports in %.1f s", count, time.perf_counter() - began)
    return RebuildOutcome(reports=count, seconds=time.perf_counter() - began, generation=path.name)


@dataclass
class CheckOutcome:
    missing: list[int] = field(default_factory=list)  # public in the database, absent from the index
    extra: list[int] = field(default_factory=list)  # in the index, not public (or gone) in the database
    stale: list[int] = field(default_factory=list)  # in both, but the index holds something else
    pending: int = 0  # changes this generation has yet to apply
    no_index: bool = False

    @property
    def differences(self) -> int:
        return len(self.missing) + len(self.extra) + len(self.stale) + int(self.no_index)


def index_check() -> CheckOutcome:
    root = index_root()
    generation = engine.current_generation(root)
    if generation is None:
        return CheckOutcome(no_index=True)
    expected = {report.report_id: report.digest for report in indexed_reports(with_text=False)}
    index = engine.open_generation(generation)
    index.reload()
    held = engine.indexed_digests(index)
    cursor = engine.read_cursor(generation)
    pending = (
        IndexChange.objects.filter(pk__gt=cursor["position"])
        .exclude(pk__in=[int(pk) for pk in cursor.get("recent", {})])
        .count()
    )
    return CheckOutcome(
        missing=sorted(set(expected) - set(held)),
        extra=sorted(set(held) - set(expected)),
        stale=sorted(pk for pk in set(expected) & set(held) if expected[pk] != held[pk]),
        pending=pending,
    )
