"""The referral list page costs the same queries for two referrals or ten: it reads each framework once, not once
a referral (issue 7: the page cost 72 queries for 60 referrals)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casereviews.referrals import selectors
from tests.conftest import signed_in
from tests.factories import make_referral

pytestmark = pytest.mark.django_db


def _page_queries(client) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("referrals:list"))
    assert response.status_code == 200
    return len(captured.captured_queries), response


def test_the_referral_list_page_costs_the_same_queries_for_two_referrals_or_ten(people, northshire):
    client = signed_in(people.manager)
    for _ in range(2):
        make_referral(northshire, people.referrer)
    few, _response = _page_queries(client)
    for _ in range(8):
        make_referral(northshire, people.referrer)
    many, response = _page_queries(client)
    assert many == few
    rows = response.context["rows"]
    assert len(rows) == 10
    assert all(status == selectors.referral_status_label(referral) for referral, status in rows)
    assert all(referral.reference in response.content.decode() for referral, _status in rows)
