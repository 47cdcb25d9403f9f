"""The public catalogue: a report's entry, its citation, the browse lists and the newest reviews."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.urls import reverse

from casereviews.library.models import ExtractedValue, ValueStatus
from casereviews.search import catalogue
from tests.search.builders import make_library_report
from tests.search.library import build_library

pytestmark = pytest.mark.django_db


def add_item(report, field: str, number: int, text: str, *, status=ValueStatus.ACCEPTED, page=1, start=0, end=5):
    return ExtractedValue.objects.create(
        report=report,
        field=field,
        key=f"{number:03d}",
        proposed_value={"number": number, "text": text, "page": page},
        evidence=[{"page": page, "start": start, "end": end, "quote": text[:20]}],
        status=status,
    )


@pytest.fixture
def library(apply, settings):
    settings.SITE_URL = "https://reviews.example.org"
    library = build_library()
    a = library.a
    add_item(a, "findings", 1, "Practitioners did not share what they knew about the baby's home.")
    add_item(a, "findings", 2, "A machine's guess that nobody checked.", status=ValueStatus.PROPOSED)
    add_item(
        a,
        "recommendations",
        1,
        "The partnership should audit supervision of practitioners.",
        page=3,
        start=a.pages.get(number=3).start,
        end=a.pages.get(number=3).start + 15,
    )
    add_item(a, "recommendations", 2, "A rejected recommendation.", status=ValueStatus.REJECTED)
    ExtractedValue.objects.create(
        report=a, field="practice_themes", key="supervision", proposed_value=True, status=ValueStatus.ACCEPTED
    )
    a.sections = [
        {
            "kind": "good_practice",
            "heading": "What went well",
            "start": a.pages.get(number=2).start + 3,
            "end": a.pages.get(number=2).end,
        }
    ]
    a.save(update_fields=["sections"])
    apply()
    return library


def test_a_public_report_has_an_entry_in_the_shape_of_the_national_repository(library, client):
    response = client.get(reverse("search:report", args=[library.a.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "2021 – Northshire – Child A" in page and '<h1 class="govuk-heading-l">Child A review</h1>' in page
    assert "A review about a girl aged under 1 who died." in page
    assert "Harm: Neglect." in page and "Risk factors in the family: Domestic abuse." in page
    assert "Practitioners did not share what they knew" in page
    assert "The partnership should audit supervision of practitioners." in page
    assert "“What went well”, page 2" in page
    assert f'href="{reverse("search:theme", args=["practice_themes", "supervision"])}"' in page
    assert f'href="{reverse("search:page", args=[library.a.pk, 1])}"' in page


def test_an_entry_shows_nothing_a_person_has_not_confirmed(library, client):
    page = client.get(reverse("search:report", args=[library.a.pk])).content.decode()
    # Proposals (a risk factor, the methodology, a finding) and a rejected recommendation stay out.
    assert "Poverty" not in page and "Significant Incident Learning Process" not in page
    assert "A machine&#x27;s guess" not in page and "A rejected recommendation" not in page
    assert 'Methodology</h2>\n    <p class="govuk-body">Not recorded' in page


def test_a_recommendation_links_to_the_words_it_came_from_on_its_page(library):
    entry = catalogue.catalogue_entry(library.a.pk)
    assert entry is not None
    (recommendation,) = entry.recommendations
    start = library.a.pages.get(number=3).start
    assert recommendation.number == "1" and recommendation.page == 3
    assert recommendation.url == f"/search/reports/{library.a.pk}/pages/3/?start={start}&end={start + 15}#evidence"


def test_a_correction_replaces_the_machines_words_in_the_entry(library, client):
    value = library.a.values.get(field="findings", key="001")
    value.status, value.corrected_value = ValueStatus.CORRECTED, {"text": "Agencies did not share information."}
    value.save()
    page = client.get(reverse("search:report", args=[library.a.pk])).content.decode()
    assert "Agencies did not share information." in page and "Practitioners did not share" not in page


def test_the_citation_names_the_partnership_year_title_and_address(library, client):
    entry = catalogue.catalogue_entry(library.b.pk)
    assert entry is not None
    assert entry.citation == (
        f"Glanmor (2023) Child B review. Case Reviews. https://reviews.example.org/search/reports/{library.b.pk}/"
    )
    page = client.get(reverse("search:report", args=[library.b.pk])).content.decode()
    assert f'<textarea class="govuk-textarea" id="citation" rows="3" readonly>{entry.citation}</textarea>' in page


def test_a_citation_without_a_year_says_no_date_and_keeps_one_full_stop():
    assert catalogue.citation_for(
        partnership="Northshire Safeguarding Children Partnership",
        year=None,
        title="Local child safeguarding practice review: Child T.",
        url="https://x.example/r/1/",
    ) == (
        "Northshire Safeguarding Children Partnership (n.d.) Local child safeguarding practice review: Child T. "
        "Case Reviews. https://x.example/r/1/"
    )


@pytest.mark.parametrize(
    ("title", "pseudonym"),
    [
        ("Local child safeguarding practice review: Child T", "Child T"),
        ("Serious case review into the death of Baby Zara", "Baby Zara"),
        ("Siblings B and C: a learning review", "Siblings B and C"),
        ("Review of practice in Northshire", ""),
    ],
)
def test_the_pseudonym_is_read_from_the_title(title, pseudonym):
    assert catalogue.pseudonym_of(title) == pseudonym


@pytest.mark.parametrize("persona", [None, "referrer", "manager", "analyst", "other_manager"])
def test_a_report_outside_the_public_library_has_no_entry_for_anyone(library, as_, persona):
    client = as_(persona)
    for report in (library.draft, library.pending):
        assert client.get(reverse("search:report", args=[report.pk])).status_code == 404
    assert client.get(reverse("search:report", args=[999999])).status_code == 404


def test_search_results_link_to_the_catalogue_entry(library, client):
    page = client.get(reverse("search:search"), {"q": "neglected"}).content.decode()
    assert f'href="{reverse("search:report", args=[library.a.pk])}"' in page


def test_the_browse_page_lists_themes_years_and_partnerships_of_public_reports_only(library, client):
    page = client.get(reverse("search:browse")).content.decode()
    assert f'href="{reverse("search:theme", args=["risk_factors", "domestic_abuse"])}">Domestic abuse</a> (2)' in page
    assert f'href="{reverse("search:year", args=[2023])}">2023</a> (1)' in page
    assert f'href="{reverse("search:partnership", args=["glanmor"])}">Glanmor</a> (1)' in page
    # The draft's code and the unconfirmed proposal never reach a count.
    assert "Online harm" not in page and "Poverty" not in page


def test_a_theme_lists_its_public_reports_newest_first(library, client):
    page = client.get(reverse("search:theme", args=["risk_factors", "domestic_abuse"])).content.decode()
    assert "2 published reviews" in page
    assert page.index("Child B review") < page.index("Child A review")
    assert "/search/?risk_factors=domestic_abuse" in page


def test_a_theme_that_is_not_in_the_vocabulary_or_has_no_public_report_is_not_found(library, client):
    assert client.get(reverse("search:theme", args=["risk_factors", "nonsense"])).status_code == 404
    assert client.get(reverse("search:theme", args=["partnership", "Glanmor"])).status_code == 404
    assert client.get(reverse("search:theme", args=["risk_factors", "online_harm"])).status_code == 404


def test_a_year_and_a_partnership_list_their_public_reports(library, client):
    year = client.get(reverse("search:year", args=[2021])).content.decode()
    assert "Reviews published in 2021" in year and "Child A review" in year and "Child B review" not in year
    partnership = client.get(reverse("search:partnership", args=["glanmor"])).content.decode()
    assert "Child B review" in partnership and "Child A review" not in partnership
    assert client.get(reverse("search:year", args=[1999])).status_code == 404
    assert client.get(reverse("search:partnership", args=["nowhere"])).status_code == 404


def test_a_long_browse_list_is_paged(library, client, monkeypatch):
    monkeypatch.setattr(catalogue, "BROWSE_PER_PAGE", 1)
    url = reverse("search:theme", args=["risk_factors", "domestic_abuse"])
    first = client.get(url).content.decode()
    assert "Child B review" in first and "Child A review" not in first and f'href="{url}?page=2"' in first
    second = client.get(url, {"page": "2"}).content.decode()
    assert "Child A review" in second and 'rel="prev"' in second


def test_the_newest_reviews_tag_lists_public_reports_newest_first(library):
    html = Template("{% load search_tags %}{% newest_reviews 1 %}").render(Context({}))
    assert "Newest reviews" in html and "Child B review" in html and "Child A review" not in html
    html = Template("{% load search_tags %}{% newest_reviews %}").render(Context({}))
    assert html.index("Child B review") < html.index("Child A review") and "Secret draft" not in html


def test_the_newest_reviews_tag_shows_nothing_before_the_library_has_a_public_report(apply):
    make_library_report("Unconfirmed review", ["Words."], status=ValueStatus.PROPOSED)
    apply()
    assert Template("{% load search_tags %}{% newest_reviews %}").render(Context({})).strip() == ""


def test_the_page_viewer_leads_back_to_the_entry(library, client):
    page = client.get(reverse("search:page", args=[library.a.pk, 1])).content.decode()
    assert f'href="{reverse("search:report", args=[library.a.pk])}" class="govuk-back-link"' in page
