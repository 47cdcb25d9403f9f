"""Searching the index: words, stemming, phrases, boolean operators, facets, paging, sorting and snippets."""

from __future__ import annotations

import json

import pytest

from casereviews.search import engine
from casereviews.search.selectors import SearchRequest, search_reports, similar_reviews
from casereviews.search.services import index_changes_apply, index_root
from tests.search.builders import make_library_report
from tests.search.library import build_library

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(apply):
    library = build_library()
    apply()
    return library


def titles(q: str = "", **kwargs) -> list[str]:
    page = search_reports(SearchRequest(q=q, **kwargs))
    assert not page.error, page.error
    return [row.title for row in page.rows]


def test_a_word_finds_its_other_forms_through_the_english_stemmer(library):
    assert titles("neglect") == ["Child A review"]
    assert titles("agency") == ["Child A review"]


def test_an_exact_phrase_needs_the_words_together_and_in_order(library):
    assert titles('"information sharing"') == ["Child A review"]
    assert sorted(titles("information sharing")) == ["Child A review", "Child B review"]


def test_and_or_and_not_combine_as_a_practitioner_expects(library):
    assert sorted(titles("neglected OR housing")) == ["Child A review", "Child B review"]
    assert titles("sharing AND NOT housing") == ["Child A review"]
    assert titles("sharing -housing") == ["Child A review"]
    assert titles("NOT housing") == ["Child A review"]
    assert titles("(baby OR housing) AND poor") == ["Child B review"]


def test_a_query_that_cannot_be_parsed_gives_a_helpful_message_and_no_results(library):
    page = search_reports(SearchRequest(q='"information sharing'))
    assert page.rows == [] and "closing one" in page.error


def test_facets_count_reports_per_confirmed_value(library):
    page = search_reports(SearchRequest())
    counts = {group.name: {option.value: option.count for option in group.options} for group in page.facets}
    assert counts["risk_factors"] == {"domestic_abuse": 2}
    assert counts["harm_types"] == {"neglect": 1, "physical_abuse": 1}
    assert counts["nation"] == {"england": 1, "wales": 1}
    assert counts["outcome"] == {"died": 1, "seriously_harmed": 1}
    assert counts["sex"] == {"female": 1}
    assert counts["age_band"] == {"under_1": 1}
    assert counts["partnership"] == {"Northshire": 1, "Glanmor": 1}
    assert counts["methodology"] == {}
    assert dict(page.years) == {"2021": 1, "2023": 1}


def test_a_facet_filter_narrows_results_and_keeps_its_own_alternatives_counted(library):
    page = search_reports(SearchRequest(filters={"harm_types": ("neglect",)}))
    assert [row.title for row in page.rows] == ["Child A review"]
    counts = {
        group.name: {option.value: (option.count, option.selected) for option in group.options} for group in page.facets
    }
    assert counts["harm_types"] == {"neglect": (1, True), "physical_abuse": (1, False)}
    assert counts["nation"] == {"england": (1, False)}
    either = search_reports(SearchRequest(filters={"harm_types": ("neglect", "physical_abuse")}))
    assert either.total == 2


def test_the_year_range_filters_by_year_published(library):
    assert titles(year_from=2022) == ["Child B review"]
    assert titles(year_to=2022) == ["Child A review"]
    assert titles(year_from=2021, year_to=2023, sort="date") == ["Child B review", "Child A review"]


def test_results_sort_by_date_newest_first_and_page(library):
    assert titles(sort="date") == ["Child B review", "Child A review"]
    first = search_reports(SearchRequest(sort="date", per_page=1, page=1))
    second = search_reports(SearchRequest(sort="date", per_page=1, page=2))
    assert first.total == second.total == 2 and first.page_count == 2
    assert [row.title for row in first.rows + second.rows] == ["Child B review", "Child A review"]


def test_a_snippet_marks_the_matched_words_escapes_the_text_and_links_to_its_page(library):
    row = search_reports(SearchRequest(q="alert")).rows[0]
    assert "&lt;script&gt;<mark>alert</mark>(1)&lt;/script&gt;" in row.snippet_html
    assert "<script>" not in row.snippet_html
    start = library.a.text.index("alert")
    assert row.snippet_page == 1
    assert row.snippet_url == f"/search/reports/{library.a.pk}/pages/1/?start={start}&end={start + 5}#evidence"


def test_a_phrase_snippet_is_on_the_page_where_the_phrase_occurs(library):
    row = search_reports(SearchRequest(q='"information sharing"')).rows[0]
    assert row.snippet_page == 2
    assert "<mark>Information</mark> <mark>sharing</mark>" in row.snippet_html
    start = library.a.text.index("Information sharing")
    assert f"start={start}&end={start + len('Information sharing')}" in row.snippet_url


def test_similar_reviews_share_codes_and_words_and_are_only_public(library):
    similar = similar_reviews(library.a)
    assert [item.title for item in similar] == ["Child B review"]
    assert similar[0].shared == ["Domestic abuse"]
    # A report not yet public may be compared with the public library, but is never among the results.
    assert {item.title for item in similar_reviews(library.draft)} <= {"Child A review", "Child B review"}
    assert library.draft.title not in {item.title for item in similar_reviews(library.b)}


@pytest.fixture
def phrases(apply):
    """Reports that hold the same words in different orders, so a phrase must be matched exactly."""
    long_word = "x" * 45  # the index drops a word this long but keeps its place
    texts = {
        "Together": "Information sharing was poor. The voice of the child was not heard.",
        "Reversed": "Sharing information was poor. The voice of the family and of the child was heard.",
        "Apart": "Information about the sharing of files. A neglecting child; the child voice.",
        "Gap": f"Information {long_word} sharing was noted.",
    }
    for title, text in texts.items():
        make_library_report(title, [text])
    apply()
    return long_word


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ('"information sharing"', ["Together"]),
        ('"sharing information"', ["Reversed"]),
        ('"voice of the child"', ["Together"]),
        ('"of the child"', ["Reversed", "Together"]),
        ('"the child was"', ["Reversed", "Together"]),
        ('"child voice"', ["Apart"]),
        ('"neglected child"', ["Apart"]),
        ('"the child"', ["Apart", "Reversed", "Together"]),
    ],
)
def test_a_phrase_finds_exactly_the_reports_with_its_words_side_by_side_in_that_order(phrases, phrase, expected):
    assert sorted(titles(phrase)) == expected


def test_a_phrase_does_not_bridge_a_word_too_long_to_index_and_can_name_it(phrases):
    assert "Gap" not in titles('"information sharing"')
    assert titles(f'"information {phrases} sharing"') == ["Gap"]


def test_a_phrase_within_a_word_and_a_phrase_among_words_combine(phrases):
    assert titles('"voice of the child" NOT "sharing information"') == ["Together"]
    assert sorted(titles('"information sharing" OR "sharing information"')) == ["Reversed", "Together"]


def test_a_phrase_snippet_marks_the_phrase_found_through_the_word_pairs(phrases):
    row = search_reports(SearchRequest(q='"voice of the child"')).rows[0]
    assert "<mark>voice</mark> <mark>of</mark> <mark>the</mark> <mark>child</mark>" in row.snippet_html


def test_an_index_built_before_the_word_pairs_is_not_read_and_the_next_apply_rebuilds_it(apply):
    make_library_report("Together", ["Information sharing was poor."])
    apply()
    root = index_root()
    live = engine.current_generation(root)
    assert live is not None
    meta = json.loads((live / "meta.json").read_text())
    meta["schema"] = [field for field in meta["schema"] if field["name"] != "body_pairs"]
    (live / "meta.json").write_text(json.dumps(meta))
    assert engine.current_generation(root) is None
    assert search_reports(SearchRequest(q='"information sharing"')).index_missing
    assert index_changes_apply().rebuilt
    assert titles('"information sharing"') == ["Together"]
