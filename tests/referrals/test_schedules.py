import datetime

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from casereviews.core.models import AuditEvent
from casereviews.referrals.models import Deadline
from casereviews.referrals.schedules import deadlines_breached_flag
from tests.factories import make_referral

BREACH_EMAIL_TASK = "casereviews.referrals.tasks.deadline_breached_email"


@pytest.fixture
def referral(people, northshire):
    return make_referral(northshire, people.referrer)


def open_deadlines(referral):
    return Deadline.objects.filter(referral=referral, met_on__isnull=True, cancelled_on__isnull=True)


@pytest.mark.django_db
def test_a_deadline_is_flagged_once_the_day_after_it_passes_and_never_again(referral):
    first_due = min(deadline.due_on for deadline in open_deadlines(referral))
    assert deadlines_breached_flag(first_due) == "0 newly breached deadline(s) flagged"

    day_after = first_due + datetime.timedelta(days=1)
    passed = [d for d in open_deadlines(referral) if d.due_on < day_after]
    assert deadlines_breached_flag(day_after) == f"{len(passed)} newly breached deadline(s) flagged"
    assert deadlines_breached_flag(day_after) == "0 newly breached deadline(s) flagged"
    for deadline in passed:
        deadline.refresh_from_db()
        assert deadline.breach_flagged_on == day_after
    assert AuditEvent.objects.filter(action="referral.deadline_breached").count() == len(passed)


@pytest.mark.django_db
def test_met_and_cancelled_deadlines_are_never_flagged(referral):
    Deadline.objects.filter(referral=referral).update(met_on=datetime.date(2025, 3, 4))
    assert deadlines_breached_flag(datetime.date(2030, 1, 1)) == "0 newly breached deadline(s) flagged"


@pytest.mark.django_db(transaction=True)
def test_run_schedules_twice_sends_the_business_managers_one_email_per_breached_deadline(referral, people, mailoutbox):
    far_future = "2030-01-01"
    breached = open_deadlines(referral).count()
    assert breached > 0
    call_command("run_schedules", "--date", far_future, "--only", "referral_deadlines_breached")
    call_command("run_schedules", "--date", far_future, "--only", "referral_deadlines_breached")
    assert DBTaskResult.objects.filter(task_path=BREACH_EMAIL_TASK).count() == breached
    call_command("db_worker", "--batch", "--no-startup-delay")
    breach_mails = [m for m in mailoutbox if "deadline has passed" in m.subject]
    assert len(breach_mails) == breached
    assert all(m.to == [people.manager.email] for m in breach_mails)
    assert all(referral.child_reference not in m.body for m in breach_mails)
