import pytest

from extraction.facts.metadata import find_metadata
from extraction.facts.text import TextIndex
from tests.extraction.facts.documents import assert_exact, make_document

COVER = """Northshire Safeguarding Children Partnership

Local Child Safeguarding Practice Review

Child A

Published: March 2022
"""


def metadata_of(*pages: str):
    document = make_document(list(pages))
    metadata = find_metadata(TextIndex(document))
    for fact in vars(metadata).values():
        if fact is not None:
            assert_exact(document, fact.evidence)
    return {name: None if fact is None else fact.value for name, fact in vars(metadata).items()}


def test_a_cover_page_gives_title_partnership_year_framework_and_review_type():
    found = metadata_of(COVER, "1. Introduction\nThe review used the SCIE Learning Together model.")
    assert found == {
        "title": "Local Child Safeguarding Practice Review Child A",
        "partnership": "Northshire Safeguarding Children Partnership",
        "year_published": 2022,
        "framework": "england_2023",
        "review_type": "lcspr",
        "methodology": "learning_together",
    }


def test_a_serious_case_review_of_a_board_is_the_2015_framework():
    found = metadata_of("Serious Case Review\nBaby T\nSouthvale Local Safeguarding Children Board\nJune 2016")
    assert (found["framework"], found["review_type"], found["year_published"]) == (
        "england_2015",
        "scr",
        2016,
    )
    assert found["partnership"] == "Southvale Local Safeguarding Children Board"


@pytest.mark.parametrize(
    ("text", "review_type"),
    [
        (
            "Concise Child Practice Review\nGlanmor Safeguarding Children Board",
            "child_practice_review_concise",
        ),
        (
            "Extended Child Practice Review\nGlanmor Safeguarding Children Board",
            "child_practice_review_extended",
        ),
    ],
)
def test_a_welsh_child_practice_review_is_the_wales_framework(text, review_type):
    found = metadata_of(text)
    assert (found["framework"], found["review_type"]) == ("wales", review_type)


def test_a_learning_review_of_a_child_protection_committee_is_scotland():
    found = metadata_of("Learning Review\nChild M\nRiverside Child Protection Committee")
    assert (found["framework"], found["review_type"]) == ("scotland", "learning_review")


@pytest.mark.parametrize(
    ("sentence", "methodology"),
    [
        ("The review followed the Significant Incident Learning Process (SILP).", "silp"),
        ("A Significant Event Analysis was carried out by each agency.", "significant_event_analysis"),
        ("The review used a hybrid methodology drawing on SILP and the SCIE model.", "hybrid"),
        ("The review took a systems approach to understanding practice.", "other"),
    ],
)
def test_the_methodology_is_read_conservatively(sentence, methodology):
    assert metadata_of(sentence)["methodology"] == methodology


def test_a_multi_word_place_name_is_kept_and_a_leading_article_is_dropped():
    found = metadata_of("This report was commissioned by The Brighton and Hove Safeguarding Children Partnership.")
    assert found["partnership"] == "Brighton and Hove Safeguarding Children Partnership"


def test_nothing_is_guessed_from_a_page_without_metadata():
    found = metadata_of("the review considered what happened to the family.")
    assert all(value is None for value in found.values())
