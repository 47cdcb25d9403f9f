"""Two people acting on one action at once, and two reminder runs at once, for real: two threads, two
database connections."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail

from casereviews.actions.models import Action, ProgressUpdate, Reminder
from casereviews.actions.services import evidence_accept, progress_update_post
from casereviews.core.errors import EditConflict
from casereviews.core.schedules import schedules_run
from tests.referrals.test_concurrency import run_at_once


@pytest.mark.django_db(transaction=True)
def test_accepting_evidence_while_the_agency_reports_a_concern_saves_one_and_refuses_the_other(plan, people):
    progress_update_post(
        actor=people.agency_lead,
        action=plan.own,
        narrative="Re-audit done.",
        declared_state="completed",
        evidence="19 of 20 discussions recorded the father's history.",
    )
    seen = Action.objects.get(pk=plan.own.pk).version
    outcomes = run_at_once(
        [
            lambda: evidence_accept(actor=people.manager, action=plan.own, expected_version=seen),
            lambda: progress_update_post(
                actor=people.agency_lead,
                action=plan.own,
                narrative="The sample was too small.",
                declared_state="concern",
                expected_version=seen,
            ),
        ]
    )
    assert sum(isinstance(outcome, EditConflict) for outcome in outcomes) == 1
    action = Action.objects.get(pk=plan.own.pk)
    accepted = action.evidence_accepted_at is not None
    concern_posted = ProgressUpdate.objects.filter(action=action, declared_state="concern").exists()
    assert accepted != concern_posted
    assert action.version == seen + 1


@pytest.mark.django_db(transaction=True)
def test_two_reminder_runs_at_once_send_each_reminder_once(plan, immediate_tasks):
    today = max(plan.own.due_on, plan.other.due_on) + datetime.timedelta(days=1)
    outcomes = run_at_once([lambda: schedules_run(today=today, only=["action_reminders"])] * 2)
    assert not any(isinstance(outcome, Exception) for outcome in outcomes)
    assert Reminder.objects.count() == 2
    assert len(mail.outbox) == 2
