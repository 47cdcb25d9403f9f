"""The invented demo plan shows every status and is added once."""

from __future__ import annotations

import pytest
from django.utils import timezone

from casereviews.actions.demo import demo_action_plan_add
from casereviews.actions.models import Action, ActionStatus
from casereviews.actions.selectors import plan_of
from casereviews.partnerships.models import Agency, Membership

pytestmark = pytest.mark.django_db


def test_the_demo_plan_shows_every_status_and_is_added_once(review, people, northshire):
    # The demo's agency lead leads the police, as in load_demo.
    Membership.objects.filter(user=people.agency_lead).update(
        agency=Agency.objects.get(partnership=northshire, name="Police")
    )
    today = timezone.localdate()
    assert demo_action_plan_add(review=review, by=people.manager, today=today) == 6
    assert demo_action_plan_add(review=review, by=people.manager, today=today) == 0
    assert Action.objects.count() == 6
    counts = plan_of(review, today).counts
    assert {status for status, count in counts.items() if count} == set(ActionStatus)
