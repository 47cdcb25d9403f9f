"""Reminders before due dates and weekly once overdue: each is recorded once, so running the job twice, or
again after a crash part-way, sends nothing twice. E-mail goes after the commit and carries only a reference
and a link."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command

from casereviews.actions import schedules
from casereviews.actions.models import REMIND_DAYS_BEFORE_DUE, Reminder, ReminderKind
from casereviews.actions.services import action_update, evidence_accept, progress_update_post
from casereviews.actions.tasks import action_reminder_email
from casereviews.core.schedules import registered_jobs, schedules_run
from casereviews.partnerships.models import Agency, Membership, Role
from tests.actions.conftest import action_input
from tests.factories import make_person

pytestmark = pytest.mark.django_db


def run(today, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        outcomes = schedules_run(today=today, only=["action_reminders"])
    assert [outcome.name for outcome in outcomes] == ["action_reminders"]
    return outcomes[0]


def test_the_reminder_job_is_registered_with_the_scheduler():
    assert "action_reminders" in registered_jobs()


def test_no_reminder_is_due_far_from_the_date_or_for_completed_actions(plan, people):
    early = plan.own.due_on - datetime.timedelta(days=REMIND_DAYS_BEFORE_DUE + 1)
    assert schedules.reminder_due(plan.own, early) is None
    progress_update_post(
        actor=people.agency_lead,
        action=plan.own,
        narrative="Done.",
        declared_state="completed",
        evidence="Re-audit report presented to the sub-group.",
    )
    assert schedules.reminder_due(plan.own, plan.own.due_on + datetime.timedelta(days=10)) is None


def test_overdue_reminders_are_weekly(plan):
    due = plan.own.due_on
    periods = [schedules.reminder_due(plan.own, due + datetime.timedelta(days=days)) for days in (1, 7, 8, 15)]
    assert periods == [
        (ReminderKind.OVERDUE, 0),
        (ReminderKind.OVERDUE, 0),
        (ReminderKind.OVERDUE, 1),
        (ReminderKind.OVERDUE, 2),
    ]


def test_running_the_job_twice_sends_each_reminder_once(
    plan, people, immediate_tasks, mailoutbox, django_capture_on_commit_callbacks
):
    today = plan.own.due_on - datetime.timedelta(days=REMIND_DAYS_BEFORE_DUE)
    first = run(today, django_capture_on_commit_callbacks)
    assert first.summary == "1 reminder queued"
    assert len(mailoutbox) == 1
    second = run(today, django_capture_on_commit_callbacks)
    assert second.summary == "0 reminders queued"
    assert len(mailoutbox) == 1
    assert Reminder.objects.get().emailed_at is not None


def test_the_reminder_goes_to_the_owner_agencys_leads_and_the_business_managers_without_case_details(
    plan, people, northshire, immediate_tasks, mailoutbox, django_capture_on_commit_callbacks
):
    police_lead = make_person("pat", None, None)
    Membership.objects.create(
        user=police_lead,
        partnership=northshire,
        role=Role.AGENCY_LEAD,
        agency=Agency.objects.get(partnership=northshire, name="Police"),
    )
    run(plan.own.due_on + datetime.timedelta(days=1), django_capture_on_commit_callbacks)
    message = mailoutbox[0]
    assert sorted(message.to) == sorted([people.agency_lead.email, people.manager.email])
    assert message.subject == f"Action 1.1 of {plan.review.reference} is overdue"
    assert f"/actions/{plan.own.pk}/" in message.body
    for detail in (plan.own.description, plan.recommendation.text, plan.finding.text, plan.review.pseudonym):
        assert detail not in message.body
        assert detail not in message.subject


def test_a_reminder_queued_twice_is_emailed_once(plan, immediate_tasks, mailoutbox, django_capture_on_commit_callbacks):
    run(plan.own.due_on, django_capture_on_commit_callbacks)
    reminder = Reminder.objects.get()
    assert action_reminder_email.call(reminder.pk) == 0
    assert len(mailoutbox) == 1


def test_a_failure_part_way_leaves_the_sent_reminders_sent_and_the_rerun_sends_only_the_rest(
    plan, immediate_tasks, mailoutbox, django_capture_on_commit_callbacks, monkeypatch
):
    today = max(plan.own.due_on, plan.other.due_on) + datetime.timedelta(days=1)
    real_record = schedules.reminder_record
    calls = []

    def fails_on_the_second(action, kind, period):
        calls.append(action.pk)
        if len(calls) == 2:
            raise RuntimeError("the database went away")
        return real_record(action, kind, period)

    monkeypatch.setattr(schedules, "reminder_record", fails_on_the_second)
    outcome = run(today, django_capture_on_commit_callbacks)
    assert outcome.summary == "1 reminder queued; 1 could not be recorded (see the log)"
    assert len(mailoutbox) == 1
    assert Reminder.objects.count() == 1

    monkeypatch.setattr(schedules, "reminder_record", real_record)
    assert run(today, django_capture_on_commit_callbacks).summary == "1 reminder queued"
    assert len(mailoutbox) == 2
    assert {message.subject for message in mailoutbox} == {
        f"Action 1.1 of {plan.review.reference} is overdue",
        f"Action 1.2 of {plan.review.reference} is overdue",
    }
    assert run(today, django_capture_on_commit_callbacks).summary == "0 reminders queued"
    assert len(mailoutbox) == 2


class WorkerKilled(BaseException):
    """Stands for the process dying mid-job: nothing catches it, so the job's transaction is never committed."""


def test_a_worker_killed_mid_job_sends_nothing_and_the_rerun_sends_every_reminder_once(
    plan, immediate_tasks, mailoutbox, django_capture_on_commit_callbacks, monkeypatch
):
    today = max(plan.own.due_on, plan.other.due_on) + datetime.timedelta(days=1)
    real_record = schedules.reminder_record
    calls = []

    def killed_on_the_second(action, kind, period):
        calls.append(action.pk)
        if len(calls) == 2:
            raise WorkerKilled
        return real_record(action, kind, period)

    monkeypatch.setattr(schedules, "reminder_record", killed_on_the_second)
    with pytest.raises(WorkerKilled), django_capture_on_commit_callbacks(execute=True):
        schedules_run(today=today, only=["action_reminders"])
    assert Reminder.objects.count() == 0
    assert mailoutbox == []

    monkeypatch.setattr(schedules, "reminder_record", real_record)
    assert run(today, django_capture_on_commit_callbacks).summary == "2 reminders queued"
    assert run(today, django_capture_on_commit_callbacks).summary == "0 reminders queued"
    assert len(mailoutbox) == 2


def test_an_overdue_action_is_reminded_again_each_week_and_not_in_between(
    plan, immediate_tasks, mailoutbox, django_capture_on_commit_callbacks
):
    due = plan.own.due_on
    for days in (1, 3, 7, 8, 10, 15):
        run(due + datetime.timedelta(days=days), django_capture_on_commit_callbacks)
    reminders = Reminder.objects.filter(action=plan.own, kind=ReminderKind.OVERDUE)
    assert sorted(reminders.values_list("period", flat=True)) == [0, 1, 2]


def test_moving_the_due_date_earns_a_fresh_reminder_for_the_new_date(
    plan, people, northshire, immediate_tasks, mailoutbox, django_capture_on_commit_callbacks
):
    today = plan.own.due_on - datetime.timedelta(days=3)
    run(today, django_capture_on_commit_callbacks)
    action_update(
        actor=people.manager,
        action=plan.own,
        expected_version=plan.own.version,
        data=action_input(northshire, due_on=plan.own.due_on + datetime.timedelta(days=7)),
    )
    run(today + datetime.timedelta(days=1), django_capture_on_commit_callbacks)
    assert Reminder.objects.filter(action=plan.own, kind=ReminderKind.DUE_SOON).count() == 2
    assert len(mailoutbox) == 2


def test_an_evidenced_action_gets_no_reminders(
    plan, people, immediate_tasks, mailoutbox, django_capture_on_commit_callbacks
):
    progress_update_post(
        actor=people.agency_lead,
        action=plan.own,
        narrative="Done.",
        declared_state="completed",
        evidence="Re-audit: 19 of 20 discussions recorded the father's history.",
    )
    plan.own.refresh_from_db()
    evidence_accept(actor=people.manager, action=plan.own, expected_version=plan.own.version)
    run(plan.own.due_on + datetime.timedelta(days=30), django_capture_on_commit_callbacks)
    assert not Reminder.objects.filter(action=plan.own).exists()


def test_the_run_schedules_command_sends_the_reminders(
    plan, immediate_tasks, mailoutbox, capsys, django_capture_on_commit_callbacks
):
    day = (plan.own.due_on + datetime.timedelta(days=1)).isoformat()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_schedules", "--date", day, "--only", "action_reminders")
    assert "action_reminders: 1 reminder queued" in capsys.readouterr().out
    assert len(mailoutbox) == 1
