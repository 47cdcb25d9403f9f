"""The case dashboard and the referral list read each framework once, not once a referral: a partnership with
many open cases must not cost a query per case (found by the staff pages' load test, issue 7)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from casereviews.frameworks.services import get_framework
from casereviews.referrals import selectors
from tests.factories import make_referral

pytestmark = pytest.mark.django_db


def queries(function) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as captured:
        result = function()
    return len(captured.captured_queries), result


def test_the_dashboard_costs_the_same_queries_for_three_open_cases_or_twelve(people, northshire):
    for _ in range(3):
        make_referral(northshire, people.referrer)
    few, rows = queries(
        lambda: selectors.dashboard_rows(people.manager, selectors.DashboardFilters(), timezone.localdate())
    )
    assert len(rows) == 3
    for _ in range(9):
        make_referral(northshire, people.referrer)
    many, rows = queries(
        lambda: selectors.dashboard_rows(people.manager, selectors.DashboardFilters(), timezone.localdate())
    )
    assert len(rows) == 12 and many == few
    assert {row.status for row in rows} == {selectors.referral_status_label(rows[0].referral)}


def test_a_page_of_the_referral_list_costs_the_same_queries_for_two_referrals_or_ten(people, northshire):
    for _ in range(2):
        make_referral(northshire, people.referrer)
    few, rows = queries(lambda: selectors.referral_list_page(people.manager, 1).rows)
    for _ in range(8):
        make_referral(northshire, people.referrer)
    many, rows = queries(lambda: selectors.referral_list_page(people.manager, 1).rows)
    assert len(rows) == 10 and many == few
    assert all(status == selectors.referral_status_label(referral) for referral, status in rows)


def test_a_framework_already_parsed_is_not_read_again_but_a_correction_is_seen_at_once(db):
    first = get_framework("england_2023")
    with CaptureQueriesContext(connection) as captured:
        again = get_framework("england_2023")
    assert again is first and len(captured.captured_queries) == 1
    assert "definition" not in captured.captured_queries[0]["sql"]  # the stamp only, not ten kilobytes of JSON
    from casereviews.frameworks.models import StoredFramework

    stored = StoredFramework.objects.get(code="england_2023")
    stored.definition = {**stored.definition, "name": "England 2023 (corrected here)"}
    stored.save()
    assert get_framework("england_2023").name == "England 2023 (corrected here)"
