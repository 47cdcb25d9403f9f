"""The API's lists page with a bounded limit and offset, whatever numbers a client sends."""

from __future__ import annotations

import pytest
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from casereviews.api.pagination import MAX_LIMIT, MAX_OFFSET, BoundedLimitOffsetPagination
from tests.api.test_api import api_as
from tests.library.test_views import add_report

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "query",
    [
        "limit=5347951961982809690603520",
        "offset=5347951961982809690603520",
        "offset=-7689&limit=5347951961982809690603520",
        "limit=-1&offset=-1",
    ],
)
def test_a_list_answers_numbers_no_database_integer_holds_with_a_page_not_a_server_error(people, query):
    add_report(people, process=False)  # an empty list never reaches the database's LIMIT

    response = api_as(people.analyst).get(f"/api/library/reports/?{query}")

    assert response.status_code == 200
    assert response.json()["count"] == 1


def bounds_for(query: str) -> tuple[int | None, int]:
    pagination = BoundedLimitOffsetPagination()
    request = Request(APIRequestFactory().get(f"/api/library/reports/?{query}"))
    return pagination.get_limit(request), pagination.get_offset(request)


def test_a_limit_or_offset_above_its_maximum_reads_as_the_maximum():
    assert bounds_for("limit=20&offset=40") == (20, 40)
    assert bounds_for(f"limit={MAX_LIMIT * 10}&offset={MAX_OFFSET * 10}") == (MAX_LIMIT, MAX_OFFSET)
