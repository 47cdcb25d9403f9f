"""Only the public library's confirmed material reaches the public: results, snippets, facet counts, exports,
the API and the page viewer. Each path is tried with the words only an unpublished report or an unconfirmed
proposal contains."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.urls import reverse

from casereviews.search.documents import public_reports
from tests.search.library import build_library

pytestmark = pytest.mark.django_db

HIDDEN_WORDS = ["zebracorn", "quokka", "Secret draft", "Quokka review"]


@pytest.fixture
def library(apply):
    library = build_library()
    apply()
    return library


def test_a_report_is_public_only_once_its_catalogue_entry_is_confirmed(library):
    assert set(public_reports()) == {library.a, library.b}


@pytest.mark.parametrize("persona", [None, "referrer", "manager", "analyst"])
def test_nobody_finds_an_unpublished_report_on_the_search_page(library, as_, persona):
    for word in ["zebracorn", "quokka"]:
        response = as_(persona).get(reverse("search:search"), {"q": word})
        assert response.status_code == 200
        assert "0 reviews" in response.content.decode()
    page = as_(persona).get(reverse("search:search"), {"q": "neglected"}).content.decode()
    assert "Child A review" in page
    assert not any(word in page for word in HIDDEN_WORDS)


def test_unconfirmed_proposals_are_not_facet_values_anywhere(library, client):
    page = client.get(reverse("search:search")).content.decode()
    assert "Domestic abuse" in page and "(2)" in page
    assert "Poverty" not in page and "Online harm" not in page
    assert "SILP" not in page and "Significant Incident Learning Process" not in page
    api = client.get(reverse("api:search")).json()
    facet_values = {option["value"] for facet in api["facets"] for option in facet["values"]}
    assert "poverty" not in facet_values and "online_harm" not in facet_values and "silp" not in facet_values
    assert client.get(reverse("search:search"), {"risk_factors": "poverty"}).content.decode().count("0 reviews") == 1


def test_the_exports_hold_only_public_reports_and_confirmed_values(library, client):
    response = client.get(reverse("search:export", args=["csv"]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert sorted(row["Title"] for row in rows) == ["Child A review", "Child B review"]
    child_a = next(row for row in rows if row["Title"] == "Child A review")
    assert child_a["Risk factors"] == "domestic_abuse" and child_a["Methodology"] == ""
    exported = client.get(reverse("search:export", args=["json"]), {"q": "neglected OR zebracorn"}).json()
    assert [row["title"] for row in exported["results"]] == ["Child A review"]
    assert exported["results"][0]["risk_factors"] == ["domestic_abuse"]
    text = response.content.decode() + json.dumps(exported["results"])
    assert not any(word in text for word in [*HIDDEN_WORDS, "poverty", "silp", "online_harm"])


def test_the_api_returns_only_public_reports_with_snippets_from_them(library, client):
    body = client.get(reverse("api:search"), {"q": "neglected"}).json()
    assert body["count"] == 1
    assert body["results"][0]["title"] == "Child A review"
    assert "<mark>neglected</mark>" in body["results"][0]["snippet"]["html"]
    assert "poverty" not in body["results"][0]["values"]["risk_factors"]
    assert client.get(reverse("api:search"), {"q": "zebracorn OR quokka"}).json()["count"] == 0


def test_the_public_page_viewer_shows_a_public_report_and_hides_any_other(library, client):
    response = client.get(reverse("search:page", args=[library.a.pk, 2]))
    assert response.status_code == 200 and "Information sharing between agencies" in response.content.decode()
    for report in (library.draft, library.pending):
        assert client.get(reverse("search:page", args=[report.pk, 1])).status_code == 404
    assert client.get(reverse("search:page", args=[library.a.pk, 9])).status_code == 404


def test_rejecting_a_title_takes_the_report_out_of_the_public_library(library, apply, client, people):
    from casereviews.library.services import value_decide

    value_decide(actor=people.analyst, value=library.b.values.get(field="title"), decision="reject")
    apply()
    assert client.get(reverse("api:search"), {"q": "housing"}).json()["count"] == 0
    assert client.get(reverse("search:page", args=[library.b.pk, 1])).status_code == 404


def test_a_proposal_confirmed_later_becomes_a_facet_value(library, apply, client, people):
    from casereviews.library.services import value_decide

    value_decide(
        actor=people.analyst, value=library.a.values.get(field="risk_factors", key="poverty"), decision="accept"
    )
    apply()
    body = client.get(reverse("api:search"), {"risk_factors": "poverty"}).json()
    assert [row["title"] for row in body["results"]] == ["Child A review"]
