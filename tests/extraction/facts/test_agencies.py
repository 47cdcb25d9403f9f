import pytest

from extraction.facts.agencies import find_agencies
from extraction.facts.text import TextIndex
from tests.extraction.facts.documents import assert_exact, make_document


def agencies_of(*pages: str) -> list[str]:
    document = make_document(list(pages))
    found = find_agencies(TextIndex(document))
    for hits in found.values():
        assert_exact(document, hits.evidence)
    return list(found)


@pytest.mark.parametrize(
    ("sentence", "name"),
    [
        ("In May 2021 Northshire Police attended the address after a neighbour called.", "Northshire Police"),
        ("Mother gave birth at Eastvale NHS Foundation Trust in March.", "Eastvale NHS Foundation Trust"),
        (
            "A referral was made to Castlereach County Council Children's Social Care.",
            "Castlereach County Council Children's Social Care",
        ),
        (
            "The Probation Service (Glanmor area) supervised the father.",
            "The Probation Service (Glanmor area)",
        ),
        (
            "Redbarrow and District University Hospitals NHS Trust treated the injury.",
            "Redbarrow and District University Hospitals NHS Trust",
        ),
        ("The family were registered with Moorhampton Medical Practice.", "Moorhampton Medical Practice"),
        (
            "Betsi Cadwaladr University Health Board provided health visiting.",
            "Betsi Cadwaladr University Health Board",
        ),
        ("The Role of West Midlands Police", "West Midlands Police"),
    ],
)
def test_an_agency_is_listed_by_the_name_the_report_gives_it(sentence: str, name: str) -> None:
    assert agencies_of(sentence) == [name]


def test_a_list_of_agencies_one_a_line_gives_each_name() -> None:
    text = (
        "The following agencies contributed to the review:\n"
        "Northshire Police\n"
        "Northshire County Council Children's Social Care\n"
        "Northshire Adult Mental Health Service\n"
    )
    assert agencies_of(text) == [
        "Northshire Police",
        "Northshire County Council Children's Social Care",
        "Northshire Adult Mental Health Service",
    ]


def test_a_table_of_agencies_gives_the_names_not_the_contributions() -> None:
    text = (
        "Agency | Contribution\n"
        "Southvale County Council Children's Social Care | Chronology\n"
        "Southvale Police | Individual Management Review\n"
    )
    assert agencies_of(text) == ["Southvale County Council Children's Social Care", "Southvale Police"]


def test_a_name_wrapped_onto_the_next_line_of_a_pdf_column_is_one_name() -> None:
    text = (
        "The review received chronologies from several agencies, and\n"
        "the hospital was represented by Redbarrow and District University\n"
        "Hospitals NHS Trust, whose safeguarding team attended the event.\n"
        "Each agency reflected on its own practice and met the reviewer.\n"
    ) * 4
    assert agencies_of(text) == ["Redbarrow and District University Hospitals NHS Trust"]


def test_names_are_listed_once_whatever_their_case_and_spacing() -> None:
    text = "Northshire  Police shared the log. NORTHSHIRE POLICE later attended. Northshire Police\nvisited again."
    assert agencies_of(text) == ["Northshire Police"]


def test_kinds_of_agency_roles_and_the_reviews_own_partnership_are_not_agency_names() -> None:
    text = (
        "Police attended. Children's Social Care held a strategy discussion. The health visitor visited. "
        "The Northshire Safeguarding Children Partnership commissioned this review, and Northshire LSCB "
        "will share it with the Child Death Overview Panel. Good Practice was seen. "
        "A Multi-Agency Safeguarding Hub discussion took place. Ofsted inspected the service."
    )
    assert agencies_of(text) == []


def test_the_childs_school_or_nursery_is_not_listed_because_it_identifies_the_child() -> None:
    text = (
        "Leo attended Eastmere Children's Centre Nursery. Sam was in Year 9 at Brookfield Community School. "
        "Eastmere School Nursing Service saw Sam twice."
    )
    assert agencies_of(text) == ["Eastmere School Nursing Service"]


def test_an_agency_the_child_was_not_known_to_is_not_listed() -> None:
    assert agencies_of("Child A was not known to Northshire Youth Justice Service before the incident.") == []


def test_the_shorter_form_of_a_longer_name_is_left_out() -> None:
    text = "Northshire County Council Children's Social Care held the case. Later, Northshire County Council closed it."
    assert agencies_of(text) == ["Northshire County Council Children's Social Care"]
