"""What a public page costs the database: a fixed number of queries whatever the report holds, and only the text
of the page being shown. A page served to fifty visitors at once must not do per-item work."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casereviews.library.models import ExtractedValue, ValueStatus
from tests.search.builders import make_library_report

pytestmark = pytest.mark.django_db

PAGES = ["First page words.", "The second page tells of neglect at home.", "Third page: supervision failed."]


def add_findings(report, count: int) -> None:
    for number in range(1, count + 1):
        ExtractedValue.objects.create(
            report=report,
            field="findings",
            key=f"{number:03d}",
            proposed_value={"number": number, "text": f"Finding number {number}.", "page": 1},
            evidence=[{"page": 1, "start": 0, "end": 5, "quote": "First"}],
            status=ValueStatus.ACCEPTED,
        )


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_a_catalogue_entry_costs_the_same_queries_with_two_findings_or_twenty(client):
    few, many = make_library_report("Child F review", PAGES), make_library_report("Child M review", PAGES)
    add_findings(few, 2)
    add_findings(many, 20)
    assert queries_for(client, reverse("search:report", args=[few.pk])) == queries_for(
        client, reverse("search:report", args=[many.pk])
    )
    response = client.get(reverse("search:report", args=[many.pk]))
    assert "Finding number 20." in response.content.decode()


def test_a_catalogue_entry_takes_three_queries(client, django_assert_num_queries):
    report = make_library_report("Child T review", PAGES, codes={"harm_types": ["neglect"]})
    add_findings(report, 5)
    # The report, its confirmed values (record, findings and recommendations at once), its partnership's place.
    with django_assert_num_queries(3):
        assert client.get(reverse("search:report", args=[report.pk])).status_code == 200


def test_the_page_viewer_reads_only_the_text_of_its_page(client):
    report = make_library_report("Child P review", PAGES)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("search:page", args=[report.pk, 2]))
    assert response.status_code == 200
    assert "The second page tells of neglect at home." in response.content.decode()
    assert "First page words" not in response.content.decode()
    assert len(captured.captured_queries) == 2
    # The report's text column is read only through SUBSTR (the page's own characters), never whole.
    for query in captured.captured_queries:
        sql = query["sql"].lower()
        assert sql.count('"library_report"."text"') == len(re.findall(r'substr(?:ing)?\("library_report"\."text"', sql))


def test_the_page_viewer_marks_the_searched_words_on_a_later_page(client):
    report = make_library_report("Child Q review", ["Première page, café.", *PAGES[1:]])
    page = report.pages.get(number=2)
    start = report.text.index("neglect")
    response = client.get(reverse("search:page", args=[report.pk, 2]), {"start": start, "end": start + 7})
    body = response.content.decode()
    assert '<mark class="app-evidence" id="evidence">neglect</mark> at home.' in body
    assert "The second page tells of <mark" in body and page.start > 0
