"""`run_schedules` and the worker that sends its e-mail, killed part way through the action reminders: after a
restart every reminder is recorded once and e-mailed; what is and is not guaranteed about e-mail is pinned down.

Three reminders fall due. The processes are real (`manage.py run_schedules`, `manage.py db_worker`), run against
the test database, and are killed with SIGKILL at a known point (tests/process_kill.py):
1. inside the job's transaction, with two of the three reminders written: nothing is kept, the next run records
   and sends each once;
2. after the job committed, while it queues the e-mails (one queued, two not): the reminders are kept, and the next
   run queues again the ones still unsent (the reminder row is the outbox), so each is sent once;
3. the worker, after the mail server accepted the second reminder and before that was marked: the guarantee is
   at least once, so that one reminder goes twice, with the same Message-ID; every other goes once.
The same outbox recovers the statutory-deadline breach e-mails of referrals (the last test).
E-mail is counted from what the processes handed to the mail backend (a journal on disk, written before `send`
returns), not from the database's own marks.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.utils import timezone

from casereviews.actions.models import REMIND_DAYS_BEFORE_DUE, Reminder
from casereviews.actions.services import action_create, finding_create, recommendation_create
from casereviews.core.audit import audit_verify
from casereviews.core.models import AuditEvent
from casereviews.referrals.models import Deadline
from tests.actions.conftest import action_input
from tests.factories import make_referral, make_review
from tests.process_kill import Processes, journal_entries, running_processes

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Processes]:
    yield from running_processes(tmp_path)


REMINDERS = ("run_schedules", "--only", "action_reminders")
WORKER = ("db_worker", "--interval", "0.2", "--no-startup-delay", "--batch")


@pytest.fixture
def actions_due(people, northshire):
    """Three actions due within the reminder window, so one run of the job owes three reminders."""
    review = make_review(northshire, created_by=people.manager, status="in_progress")
    finding = finding_create(actor=people.manager, review=review, number=1, text="Information was not shared.")
    recommendation = recommendation_create(
        actor=people.manager, review=review, number=1, text="Share information.", finding=finding, agency=None
    )
    soon = timezone.localdate() + datetime.timedelta(days=REMIND_DAYS_BEFORE_DUE - 3)
    return [
        action_create(
            actor=people.manager,
            recommendation=recommendation,
            data=action_input(northshire, description=f"Action {number}", due_on=soon + datetime.timedelta(number)),
        )
        for number in range(3)
    ]


def reminder_tasks() -> int:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path__endswith="action_reminder_email").count()


def sent_subjects(children: Processes) -> Counter[str]:
    return Counter(entry["subject"] for entry in journal_entries(children.journal))


def later(minutes: int = 60) -> None:
    """As if the next run came an hour later: the reminders recorded so far are past the resend grace."""
    Reminder.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=minutes))


def assert_chain_intact() -> None:
    checked, broken = audit_verify()
    assert broken is None, broken
    assert checked == AuditEvent.objects.count()


def test_a_run_killed_inside_the_job_keeps_nothing_and_the_next_run_reminds_each_once(processes, actions_due):
    run = processes.start(*REMINDERS, pause_at="casereviews.actions.schedules:reminder_record", nth=3)
    processes.wait_paused(run)  # two reminders written, the third about to be, nothing committed
    processes.kill(run)
    assert not Reminder.objects.exists()
    assert reminder_tasks() == 0

    assert "3 reminders queued" in processes.run(*REMINDERS)
    processes.start(*WORKER).wait(120)
    assert "0 reminders queued" in processes.run(*REMINDERS)

    assert Reminder.objects.count() == 3
    assert not Reminder.objects.filter(emailed_at__isnull=True).exists()
    subjects = sent_subjects(processes)
    assert len(subjects) == 3 and set(subjects.values()) == {1}
    assert_chain_intact()


def test_a_run_killed_while_queueing_its_e_mails_loses_none_the_next_run_queues_the_rest(processes, actions_due):
    run = processes.start(*REMINDERS, pause_at="django_tasks_db.backend:DatabaseBackend.enqueue", nth=2)
    processes.wait_paused(run)  # committed: three reminders recorded; one e-mail queued, two not
    processes.kill(run)
    assert Reminder.objects.count() == 3
    assert reminder_tasks() == 1

    later()
    output = processes.run(*REMINDERS)
    # All three are unsent yet (the one queued has not been sent either); queued twice, it is still sent once.
    assert "0 reminders queued; 3 recorded earlier but not yet e-mailed queued again" in output
    processes.start(*WORKER).wait(120)

    assert Reminder.objects.count() == 3
    assert not Reminder.objects.filter(emailed_at__isnull=True).exists()
    subjects = sent_subjects(processes)
    assert len(subjects) == 3 and set(subjects.values()) == {1}  # each once, none lost
    later()
    assert "queued again" not in processes.run(*REMINDERS)
    assert_chain_intact()


def test_a_worker_killed_between_sending_and_marking_sends_that_reminder_twice_and_no_other(processes, actions_due):
    assert "3 reminders queued" in processes.run(*REMINDERS)
    worker = processes.start(
        "db_worker",
        "--interval",
        "0.2",
        "--no-startup-delay",
        pause_at="django.core.mail.message:EmailMessage.send",
        nth=2,
        after=True,
    )
    processes.wait_paused(worker)  # the second reminder is in the mail server's hands; its mark is not committed
    processes.kill(worker)
    assert Reminder.objects.filter(emailed_at__isnull=False).count() == 1
    assert len(journal_entries(processes.journal)) == 2

    later()
    assert "2 recorded earlier but not yet e-mailed queued again" in processes.run(*REMINDERS)
    processes.start(*WORKER).wait(120)

    assert Reminder.objects.count() == 3
    assert not Reminder.objects.filter(emailed_at__isnull=True).exists()
    entries = journal_entries(processes.journal)
    subjects = Counter(entry["subject"] for entry in entries)
    assert sorted(subjects.values()) == [1, 1, 2]  # at least once: the one in flight when killed went twice
    twice = next(subject for subject, count in subjects.items() if count == 2)
    ids = {entry["message_id"] for entry in entries if entry["subject"] == twice}
    assert len(ids) == 1 and next(iter(ids)).startswith("<reminder.")  # both copies are recognisably one message
    assert len({entry["message_id"] for entry in entries}) == 3
    assert_chain_intact()


BREACHES = ("run_schedules", "--only", "referral_deadlines_breached", "--date")


def test_a_run_killed_while_queueing_breach_e_mails_loses_none_and_a_later_day_sends_each_once(
    processes, people, northshire
):
    referral = make_referral(northshire, people.referrer)
    breached = Deadline.objects.filter(referral=referral, met_on__isnull=True, cancelled_on__isnull=True).count()
    assert breached >= 1
    run = processes.start(*BREACHES, "2030-01-01", pause_at="django_tasks_db.backend:DatabaseBackend.enqueue")
    processes.wait_paused(run)  # committed: every breach flagged and audited; no e-mail queued yet
    processes.kill(run)
    assert Deadline.objects.filter(breach_flagged_on__isnull=False).count() == breached
    assert Deadline.objects.filter(breach_emailed_at__isnull=True).count() == breached

    assert "0 newly breached deadline(s) flagged" in processes.run(*BREACHES, "2030-01-01")
    output = processes.run(*BREACHES, "2030-01-02")
    assert f"{breached} flagged earlier but not yet e-mailed queued again" in output
    processes.start(*WORKER).wait(120)
    assert "queued again" not in processes.run(*BREACHES, "2030-01-03")

    assert not Deadline.objects.filter(breach_emailed_at__isnull=True).exists()
    breach_mails = [entry for entry in journal_entries(processes.journal) if "deadline has passed" in entry["subject"]]
    assert len(breach_mails) == breached
    assert len({entry["message_id"] for entry in breach_mails}) == breached
    assert AuditEvent.objects.filter(action="referral.deadline_breached").count() == breached
    assert_chain_intact()
