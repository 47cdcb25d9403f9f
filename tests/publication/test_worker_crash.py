"""Processes killed in the middle of publishing lose nothing and duplicate nothing.

Three real processes, each killed with SIGKILL at a known point (see tests/process_kill.py):
- the process running `review_publish` (the publish page's work), inside its transaction after the publication row,
  the review's new status and its audit entry are written;
- the task worker handing the published PDF to the library, after the library has stored the report and before the
  publication is linked to it;
- the task worker in the middle of a redaction scan of a long draft (killed when the scan reports progress, with no
  pause: the scan itself takes seconds).
After each, the state is checked, the work is done again as the service would, and the audit chain is verified.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from casereviews.core.audit import audit_verify
from casereviews.core.errors import DomainError, InvalidInput
from casereviews.core.models import AuditEvent
from casereviews.library.models import Report
from casereviews.publication.models import (
    Publication,
    RedactionFinding,
    RedactionScan,
    ScanStatus,
)
from casereviews.publication.selectors import final_draft, scan_staleness
from casereviews.publication.services import case_key_save, redaction_scan_request, review_publish
from casereviews.reviews.models import Review, ReviewStatus
from extraction.corpus import generate_report
from tests.process_kill import Processes, running_processes, wait_for
from tests.publication.conftest import (
    ALLOW,
    DENY,
    SUMMARY,
    keyed_and_scanned,
    make_signed_off_review,
    redact_everything,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Processes]:
    yield from running_processes(tmp_path)


def assert_chain_intact() -> None:
    checked, broken = audit_verify()
    assert broken is None, broken
    assert checked == AuditEvent.objects.count()


def assert_store_whole() -> None:
    """Every stored file is complete: its content hashes to its name (a half-written file never takes a name)."""
    for path in Path(settings.FILE_STORE_ROOT).glob("*/*/*"):
        if len(path.name) == 64:
            assert hashlib.sha256(path.read_bytes()).hexdigest() == path.name, path


def publish_command(review: Review, actor_id: int) -> list[str]:
    code = (
        "from casereviews.partnerships.models import User\n"
        "from casereviews.publication.services import review_publish\n"
        "from casereviews.reviews.models import Review\n"
        f"review_publish(actor=User.objects.get(pk={actor_id}), review=Review.objects.get(pk={review.pk}), "
        f"summary={SUMMARY!r})\n"
    )
    return ["shell", "-c", code]


def test_a_publish_killed_inside_its_transaction_publishes_nothing_and_publishing_again_publishes_once(
    processes, people, northshire
):
    review = make_signed_off_review(people, northshire)
    keyed_and_scanned(review, people.manager)
    redact_everything(review, people.manager)
    audit_before = AuditEvent.objects.count()

    publisher = processes.start(
        *publish_command(review, people.manager.pk),
        pause_at="casereviews.publication.services:audit_record",
        when="action=publication.publish",
    )
    processes.wait_paused(publisher)  # the publication row and the review's new status are written, not committed
    processes.kill(publisher)

    review.refresh_from_db()
    assert review.status == ReviewStatus.SIGNED_OFF
    assert not Publication.objects.exists()
    assert AuditEvent.objects.count() == audit_before
    assert_store_whole()  # the PDF may be in the store, whole and unreferenced (ADR 0011: harmless)
    assert_chain_intact()

    publication = review_publish(actor=people.manager, review=review, summary=SUMMARY)
    review.refresh_from_db()
    assert review.status == ReviewStatus.PUBLISHED
    assert Publication.objects.get() == publication
    assert AuditEvent.objects.filter(action="publication.publish").count() == 1
    with pytest.raises(DomainError):  # a second publish of the same review is refused
        review_publish(actor=people.manager, review=review, summary=SUMMARY)
    assert Publication.objects.count() == 1
    assert_store_whole()
    assert_chain_intact()


def test_a_worker_killed_while_handing_the_report_to_the_library_leaves_one_report_and_the_next_run_links_it(
    processes, people, northshire
):
    review = make_signed_off_review(people, northshire)
    keyed_and_scanned(review, people.manager)
    redact_everything(review, people.manager)
    publication = review_publish(actor=people.manager, review=review, summary=SUMMARY)  # queues the hand-over

    worker = processes.start(
        "db_worker",
        "--interval",
        "0.2",
        "--no-startup-delay",
        pause_at="casereviews.publication.services:audit_record",
        when="action=publication.to_library",
    )
    processes.wait_paused(worker)  # the library has the report; the link to it is written, not committed
    processes.kill(worker)

    publication.refresh_from_db()
    assert publication.library_report_id is None
    handed_over = Report.objects.filter(source="publication")
    assert handed_over.count() == 1
    report = handed_over.get()
    assert report.sha256 == publication.file_sha256
    assert not AuditEvent.objects.filter(action="publication.to_library").exists()
    assert_chain_intact()

    # The hand-over task died with the worker; the scheduled job picks up any hand-over older than its grace.
    Publication.objects.filter(pk=publication.pk).update(published_at=timezone.now() - datetime.timedelta(hours=1))
    output = processes.run("run_schedules", "--only", "publication_library")
    assert "sent 1 published report to the library" in output
    processes.run("run_schedules", "--only", "publication_library")  # again: nothing more to do

    publication.refresh_from_db()
    assert publication.library_report_id == report.pk  # the same report: the library knew the bytes
    assert Report.objects.filter(source="publication").count() == 1
    assert Report.objects.filter(sha256=publication.file_sha256).count() == 1
    assert AuditEvent.objects.filter(action="publication.to_library").count() == 1
    assert_store_whole()
    assert_chain_intact()
    # And as an operator checks it, from a process of its own.
    assert f"Audit chain intact: {AuditEvent.objects.count()} entries verified." in processes.run("audit_verify")


def long_draft_pages(pages: int) -> list[str]:
    """A long final draft: generated report prose, with the case's real names written into every page."""
    text = generate_report(11, 3, formats=("txt",), words=pages * 420).text
    words = text.split()
    size = len(words) // pages
    return [
        " ".join(words[number * size : (number + 1) * size])
        + f"\n\nJayden Marsh was seen at Oakfield Primary School on day {number}. Kerry Marsh was told.\n"
        for number in range(pages)
    ]


def test_a_worker_killed_mid_scan_records_no_finding_and_a_rescan_after_restart_records_each_once(
    processes, people, northshire
):
    review = make_signed_off_review(people, northshire, pages=long_draft_pages(36))
    case_key_save(actor=people.manager, review=review, deny_list=list(DENY), allow_list=list(ALLOW))
    scan = redaction_scan_request(actor=people.manager, review=review)  # queued for the worker

    def progress() -> tuple[str, int]:
        return RedactionScan.objects.values_list("status", "progress").get(pk=scan.pk)

    worker = processes.start("db_worker", "--interval", "0.2", "--no-startup-delay")
    # Generous: the worker loads spaCy and Presidio before the first page, on a shared 2-core machine.
    wait_for(lambda: progress()[1] >= 10, 180)
    status, reached = progress()
    processes.kill(worker)
    assert status == ScanStatus.RUNNING and 10 <= reached < 95, f"not killed mid-scan ({status}, {reached}%)"

    assert RedactionScan.objects.get(pk=scan.pk).status == ScanStatus.RUNNING
    assert not RedactionFinding.objects.filter(review=review).exists()  # findings are recorded all at once, at the end
    with pytest.raises(InvalidInput, match="still running"):
        review_publish(actor=people.manager, review=review, summary=SUMMARY)

    # A scan left running this long is abandoned (the page says "Scan again"); a new one is queued and a restarted
    # worker runs it to the end.
    RedactionScan.objects.filter(pk=scan.pk).update(requested_at=timezone.now() - datetime.timedelta(hours=1))
    rescan = redaction_scan_request(actor=people.manager, review=review)
    assert rescan.pk != scan.pk
    restarted = processes.start("db_worker", "--interval", "0.2", "--no-startup-delay", "--batch")
    restarted.wait(240)
    rescan.refresh_from_db()
    assert rescan.status == ScanStatus.DONE, processes.log(restarted)
    findings = list(RedactionFinding.objects.filter(review=review).values_list("page", "start", "end", "text"))
    assert findings and len(findings) == len(set(findings)) == rescan.finding_count

    assert scan_staleness(review, rescan, final_draft(review)) == ""  # the gate relies on the new scan
    assert_chain_intact()
