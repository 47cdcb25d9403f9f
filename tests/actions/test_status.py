"""An action's status follows from its due date, its latest progress update and the acceptance of its evidence;
nobody types it. Dates are frozen by passing `today`."""

from __future__ import annotations

import datetime

import pytest

from casereviews.actions.models import AT_RISK_WITHIN_DAYS, Action, ActionStatus
from casereviews.actions.selectors import with_latest_update
from casereviews.actions.services import evidence_accept, progress_update_post

pytestmark = pytest.mark.django_db


def post(action, people, state, evidence=""):
    return progress_update_post(
        actor=people.agency_lead,
        action=action,
        narrative="Progress this month.",
        declared_state=state,
        evidence=evidence,
    )


def status(action, today):
    """The status read both ways: on a single action, and as a list annotates it. They must agree."""
    single = Action.objects.get(pk=action.pk).status_on(today)
    listed = with_latest_update(Action.objects.filter(pk=action.pk)).get().status_on(today)
    assert single == listed
    return single


def days_before_due(action, days):
    return action.due_on - datetime.timedelta(days=days)


def test_an_action_with_no_update_and_far_from_its_date_has_not_started(plan):
    assert status(plan.own, days_before_due(plan.own, AT_RISK_WITHIN_DAYS + 1)) == ActionStatus.NOT_STARTED


def test_an_action_not_complete_close_to_its_date_is_at_risk_even_without_an_update(plan):
    assert status(plan.own, days_before_due(plan.own, AT_RISK_WITHIN_DAYS)) == ActionStatus.AT_RISK
    assert status(plan.own, plan.own.due_on) == ActionStatus.AT_RISK


def test_an_action_past_its_date_and_not_completed_is_overdue(plan, people):
    assert status(plan.own, plan.own.due_on + datetime.timedelta(days=1)) == ActionStatus.OVERDUE
    post(plan.own, people, "progressing")
    assert status(plan.own, plan.own.due_on + datetime.timedelta(days=1)) == ActionStatus.OVERDUE


def test_a_progressing_update_puts_an_action_on_track(plan, people):
    post(plan.own, people, "progressing")
    assert status(plan.own, days_before_due(plan.own, 60)) == ActionStatus.ON_TRACK


def test_a_declared_concern_puts_an_action_at_risk_however_far_its_date(plan, people):
    post(plan.own, people, "concern")
    assert status(plan.own, days_before_due(plan.own, 80)) == ActionStatus.AT_RISK


def test_a_completed_action_is_complete_not_overdue_until_its_evidence_is_accepted(plan, people):
    post(plan.own, people, "completed", evidence="The re-audit found the father's history in 19 of 20 discussions.")
    late = plan.own.due_on + datetime.timedelta(days=30)
    assert status(plan.own, late) == ActionStatus.COMPLETE
    plan.own.refresh_from_db()
    evidence_accept(actor=people.manager, action=plan.own, expected_version=plan.own.version)
    assert status(plan.own, late) == ActionStatus.EVIDENCED


def test_the_latest_update_decides_so_work_reopened_after_completion_is_no_longer_complete(plan, people):
    post(plan.own, people, "completed", evidence="Training delivered to all teams.")
    post(plan.own, people, "progressing")
    assert status(plan.own, days_before_due(plan.own, 60)) == ActionStatus.ON_TRACK


def test_one_actions_updates_do_not_change_anothers_status(plan, people):
    post(plan.own, people, "concern")
    assert status(plan.other, days_before_due(plan.other, 60)) == ActionStatus.NOT_STARTED
