"""The analysis of the reviews a search matches: "Analyse these reviews" on the search page, or a saved search."""

from urllib.parse import parse_qs, urlparse

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from casereviews.learning.selectors import Selection, analysis_records
from tests.search.library import build_library

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(apply):
    library = build_library()
    apply()
    return library


def counted_reports(selection: Selection) -> set[int]:
    return set(analysis_records(selection).values_list("report_id", flat=True))


def test_a_search_selects_only_the_public_reviews_it_matches(library):
    assert counted_reports(Selection(search="q=neglected")) == {library.a.pk}
    assert counted_reports(Selection(search="q=sharing")) == {library.a.pk, library.b.pk}
    assert counted_reports(Selection(search="q=sharing&harm_types=physical_abuse")) == {library.b.pk}


def test_a_search_that_matches_nothing_selects_nothing_rather_than_everything(library):
    assert counted_reports(Selection(search="q=zebracorn")) == set()


def test_the_search_page_links_to_the_analysis_of_its_results_which_says_what_it_covers(library, client):
    page = BeautifulSoup(client.get(reverse("search:search"), {"q": "neglected"}).content, "html.parser")
    link = page.select_one("#analyse-results")["href"]
    assert parse_qs(urlparse(link).query)["search"] == ["q=neglected"]

    analysis = client.get(link)
    assert analysis.status_code == 200
    text = BeautifulSoup(analysis.content, "html.parser").get_text(" ", strip=True)
    assert "matching the search “neglected”" in text


def test_an_unreadable_search_is_an_error_on_the_analysis_page_not_a_silent_everything(library, client):
    response = client.get(reverse("learning:analysis"), {"search": 'q="unclosed'})
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.select_one(".govuk-error-summary") is not None
    assert "The search cannot be read" in soup.get_text()
