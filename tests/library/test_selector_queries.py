"""The library list counts each report's open proposals without aggregating every value of every report: its
page count reads no values at all (found by the staff pages' load test, issue 7)."""

from __future__ import annotations

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casereviews.library.models import ValueStatus
from casereviews.library.selectors import library_reports_for
from tests.search.builders import make_library_report

pytestmark = pytest.mark.django_db


def test_each_report_shows_how_many_proposals_wait_for_a_person(people):
    waiting = make_library_report(
        "Waiting review", ["Words."], status=ValueStatus.PROPOSED, codes={"harm_types": ["neglect"]}
    )
    confirmed = make_library_report("Confirmed review", ["Words."])
    counts = {report.pk: report.proposed_count for report in library_reports_for(people.analyst)}
    # Five catalogue fields proposed; the code was accepted.
    assert counts == {waiting.pk: 5, confirmed.pk: 0}


def test_the_list_pages_without_reading_the_values(people):
    for number in range(3):
        make_library_report(f"Review {number}", ["Words."], status=ValueStatus.PROPOSED)
    reports = library_reports_for(people.analyst)
    with CaptureQueriesContext(connection) as captured:
        page = Paginator(reports, 2).get_page(1)
        assert page.paginator.count == 3 and [report.proposed_count for report in page.object_list] == [5, 5]
    count_sql, page_sql = (query["sql"].lower() for query in captured.captured_queries)
    assert "count(" in count_sql and "library_extractedvalue" not in count_sql
    # The page counts proposals in a subquery per report, not by grouping a join of every value.
    assert "group by" not in page_sql.split("(select", 1)[0] and "join" not in page_sql
