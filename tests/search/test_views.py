"""The public search page, its exports, the API's schema, and the "Similar reviews" panel."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from tests.search.library import build_library

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(apply):
    library = build_library()
    apply()
    return library


def test_anyone_can_search_without_signing_in_and_the_nav_offers_search(library, client):
    response = client.get(reverse("search:search"), {"q": "neglected"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "1 review" in page and "Child A review" in page
    assert f'href="{reverse("search:search")}"' in page
    assert "<mark>neglected</mark>" in page


def test_report_text_in_a_snippet_is_escaped_on_the_page(library, client):
    page = client.get(reverse("search:search"), {"q": "alert"}).content.decode()
    assert "&lt;script&gt;<mark>alert</mark>(1)&lt;/script&gt;" in page
    assert "<script>alert" not in page


def test_a_query_that_cannot_be_parsed_is_shown_in_an_error_summary(library, client):
    response = client.get(reverse("search:search"), {"q": "(neglect OR abuse"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Search published reviews" in page
    assert "There is a problem" in page and "A bracket is opened but not closed" in page
    assert 'href="#q"' in page and 'id="results"' not in page


def test_a_year_that_is_not_a_year_is_an_error_on_its_field(library, client):
    page = client.get(reverse("search:search"), {"year_from": "last year"}).content.decode()
    assert "Enter the year from as four digits" in page and 'href="#year_from"' in page
    page = client.get(reverse("search:search"), {"year_from": "2023", "year_to": "2021"}).content.decode()
    assert "must be the same as or after the year from" in page


def test_each_active_filter_can_be_removed_on_its_own(library, client):
    page = client.get(
        reverse("search:search"), {"q": "domestic", "harm_types": ["neglect", "physical_abuse"], "year_from": "2020"}
    ).content.decode()
    assert 'Remove <span class="govuk-visually-hidden">filter </span>Type of harm: Neglect' in page
    assert "?q=domestic&amp;year_from=2020&amp;harm_types=physical_abuse" in page
    assert '?q=domestic&amp;harm_types=neglect&amp;harm_types=physical_abuse"' in page
    assert "Clear all filters" in page


def test_results_page_with_links_that_keep_the_search(library, client):
    page = client.get(reverse("search:search"), {"q": "information", "per_page": "1", "sort": "date"}).content.decode()
    assert "2 reviews" in page
    assert 'rel="next"' in page and "?q=information&amp;sort=date&amp;page=2" in page
    second = client.get(
        reverse("search:search"), {"q": "information", "per_page": "1", "sort": "date", "page": "2"}
    ).content.decode()
    assert "Child A review" in second and "Child B review" not in second and 'rel="prev"' in second


def test_an_export_of_a_query_that_cannot_be_parsed_is_refused_with_the_reason(library, client):
    response = client.get(reverse("search:export", args=["csv"]), {"q": '"unclosed'})
    assert response.status_code == 400 and "quotation mark" in response.content.decode()
    assert client.get(reverse("search:export", args=["xml"])).status_code == 404


def test_a_spreadsheet_cannot_run_a_title_as_a_formula(apply, client):
    from tests.search.builders import make_library_report

    make_library_report('=HYPERLINK("http://example.invalid")', ["Formula words."])
    apply()
    body = client.get(reverse("search:export", args=["csv"])).content.decode()
    assert "'=HYPERLINK" in body


def test_the_api_explains_a_query_it_cannot_parse(library, client):
    response = client.get(reverse("api:search"), {"q": "neglect AND"})
    assert response.status_code == 400
    assert response.json()["errors"]["q"].startswith("AND needs something on both sides")


def test_the_api_pages_and_can_leave_out_facets_and_snippets(library, client):
    body = client.get(
        reverse("api:search"), {"q": "information", "per_page": 1, "page": 2, "facets": "false", "snippets": "false"}
    ).json()
    assert (body["count"], body["page"], body["pages"], len(body["results"])) == (2, 2, 2, 1)
    assert body["facets"] == [] and body["results"][0]["snippet"] is None


def test_the_api_says_when_the_index_is_not_built_yet(client):
    assert client.get(reverse("api:search")).status_code == 503


def test_search_is_in_the_openapi_schema(client, people):
    from tests.conftest import signed_in

    schema = signed_in(people.analyst).get(reverse("api:schema"), {"format": "json"}).json()
    operation = schema["paths"]["/api/search/"]["get"]
    assert operation["operationId"] == "search_reports"
    assert {"q", "sort", "page", "per_page", "risk_factors", "year_from"} <= {
        p["name"] for p in operation["parameters"]
    }


def test_the_similar_reviews_panel_lists_public_reports_like_this_one(library, people):
    request = RequestFactory().get("/")
    request.user = people.referrer
    html = Template("{% load search_tags %}{% similar_reviews report %}").render(
        Context({"report": library.a, "request": request})
    )
    assert "Similar reviews" in html and "Child B review" in html and "Shares: Domestic abuse" in html
    assert reverse("search:report", args=[library.b.pk]) in html
    request.user = people.analyst
    html = Template("{% load search_tags %}{% similar_reviews report %}").render(
        Context({"report": library.a, "request": request})
    )
    assert reverse("library:detail", args=[library.b.pk]) in html


def test_a_facet_value_is_escaped_in_the_filters(apply, client):
    from tests.search.builders import make_library_report

    make_library_report("Odd review", ["Words."], catalogue={"partnership": '"><img src=x onerror=alert(1)>'})
    apply()
    page = client.get(reverse("search:search")).content.decode()
    assert 'value="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"' in page
    assert "<img src=x" not in page
    assert '<label class="govuk-label govuk-checkboxes__label" for="partnership-1">&quot;&gt;&lt;img' in page
