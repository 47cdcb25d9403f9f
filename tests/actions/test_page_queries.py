"""The action plans dashboard counts a busy partnership's actions in the same few queries for one plan or three,
reading only what an action's status needs (issue 7: the staff pages under load)."""

from __future__ import annotations

from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casereviews.actions import selectors
from casereviews.actions.demo import demo_action_plan_add
from casereviews.actions.models import Action
from tests.conftest import signed_in
from tests.factories import make_review

pytestmark = pytest.mark.django_db


def _page_queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("actions:dashboard")).status_code == 200
    return len(captured.captured_queries)


def test_the_action_plans_dashboard_costs_the_same_queries_for_one_plan_or_three(people, northshire):
    today = timezone.localdate()
    client = signed_in(people.manager)
    first = make_review(northshire, created_by=people.manager, status="in_progress", pseudonym="Child A")
    demo_action_plan_add(review=first, by=people.manager, today=today)
    few = _page_queries(client)
    for pseudonym in ("Child B", "Child C"):
        review = make_review(northshire, created_by=people.manager, status="in_progress", pseudonym=pseudonym)
        demo_action_plan_add(review=review, by=people.manager, today=today)
    assert _page_queries(client) == few


def test_the_dashboard_counts_each_action_by_the_status_it_has_on_its_own_page(people, northshire, plan):
    today = timezone.localdate()
    demo_action_plan_add(
        review=make_review(northshire, created_by=people.manager, status="in_progress", pseudonym="Child B"),
        by=people.manager,
        today=today,
    )
    rows = selectors.dashboard_rows(people.manager, today)
    for row in rows:
        expected = Counter(
            action.status_on(today) for action in Action.objects.filter(recommendation__review=row.review)
        )
        assert {status: count for status, count in row.counts.items() if count} == dict(expected)
    assert sum(row.total for row in rows) == Action.objects.count() > 2
