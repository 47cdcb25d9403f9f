"""End to end: a three-page synthetic review read into the extraction record, and text no report has."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extraction.document import Document
from extraction.extract import extract_record
from tests.extraction.facts.documents import assert_record_evidence_is_exact, make_document

COVER_AND_INTRODUCTION = """Northshire Safeguarding Children Partnership

Local Child Safeguarding Practice Review

Child A

Published: March 2022

Contents
1. Introduction ........ 2
2. Findings ........ 3
3. Neglect and domestic abuse ........ 4

1. Introduction
1.1 This review concerns Child A, who died in June 2021 when aged 7 months. Child A was a White British
baby girl who lived with her mother, aged 19, and her mother's new partner.
1.2 On 4 June 2021 Child A was found unresponsive in the parental bed after co-sleeping. She was pronounced
dead at hospital. The review used the SCIE Learning Together model.
"""

ANALYSIS_AND_FINDINGS = """2. Analysis
2.1 There was a history of domestic abuse between mother and a previous partner. It is not known whether
mother used cannabis. There was no evidence of alcohol misuse. Mother had post-natal depression and was
supported by the health visitor from Eastvale NHS Foundation Trust and her GP.
2.2 Child A was not seen alone and the voice of the child was not heard. Information was not shared between
Northshire Police and Northshire County Council Children's Social Care. Professionals showed little
professional curiosity about the mother's new partner, who was not known to professionals.

Findings
Finding 1: Safe sleep advice was given but not revisited when circumstances changed.
Finding 2: Professionals did not ask about the adults living in the household.
"""

RECOMMENDATIONS = """Recommendations
Recommendation 1: Northshire Safeguarding Children Partnership should seek assurance that
safe sleep advice is given at every health visitor contact.
Recommendation 2: The police should share information about domestic
abuse incidents with health visitors within 24 hours.

Appendix 1: Terms of reference
"""


@pytest.fixture(scope="module")
def report() -> Document:
    return make_document([COVER_AND_INTRODUCTION, ANALYSIS_AND_FINDINGS, RECOMMENDATIONS], source="child-a.txt")


def test_a_three_page_review_gives_the_whole_coding_frame(report):
    record = extract_record(report)
    assert (record.source, record.sha256) == ("child-a.txt", report.sha256)
    assert record.title == "Local Child Safeguarding Practice Review Child A"
    assert record.partnership == "Northshire Safeguarding Children Partnership"
    assert (record.year_published, record.framework, record.review_type) == (2022, "england_2023", "lcspr")
    assert record.methodology == "learning_together"
    assert record.child.age_years == pytest.approx(0.58)
    assert (record.child.age_text, record.child.age_band, record.child.under_18) == (
        "aged 7 months",
        "under_1",
        True,
    )
    assert (record.child.sex, record.child.ethnicity) == ("female", "White British")
    assert (record.outcome, record.death_category) == ("died", "sudi")
    assert record.risk_factors == ["domestic_abuse", "parental_mental_ill_health", "unknown_male"]
    assert record.practice_themes == ["information_sharing", "voice_of_the_child", "professional_curiosity"]
    assert record.harm_types == []
    assert record.agencies == [
        "Eastvale NHS Foundation Trust",
        "Northshire Police",
        "Northshire County Council Children's Social Care",
    ]
    assert [(item.number, item.page) for item in record.recommendations] == [("1", 3), ("2", 3)]
    assert record.recommendations[1].text == (
        "The police should share information about domestic abuse incidents with health visitors within 24 hours."
    )
    assert [(finding.text[:22], finding.page) for finding in record.findings] == [
        ("Safe sleep advice was ", 2),
        ("Professionals did not ", 2),
    ]


def test_every_value_and_code_has_exact_evidence(report):
    record = extract_record(report)
    assert_record_evidence_is_exact(report, record)
    for key in (
        "title",
        "partnership",
        "year_published",
        "framework",
        "review_type",
        "methodology",
        "child.age_years",
        "child.sex",
        "child.ethnicity",
        "outcome",
        "death_category",
    ):
        assert record.evidence.get(key), key
    for code in [*record.risk_factors, *record.practice_themes, *record.agencies]:
        assert record.evidence.get(code), code
    assert len(record.evidence["recommendations"]) == 2
    assert record.evidence["child.sex"][0].page == 1


def test_the_contents_page_does_not_make_neglect_a_harm(report):
    assert "neglect" not in extract_record(report).harm_types


def test_the_record_serialises_to_json(report):
    payload = json.loads(json.dumps(extract_record(report).to_dict()))
    assert payload["child"]["age_band"] == "under_1"
    assert payload["evidence"]["outcome"][0]["page"] == 1


def test_an_empty_document_gives_an_empty_record():
    record = extract_record(Document(source="empty.txt", sha256="0", media_type="text/plain", text="", pages=[]))
    assert record.title is None and record.child.age_years is None and record.recommendations == []
    assert record.evidence == {}


def test_sections_when_given_are_used(report):
    from extraction.document import Section

    start = report.text.index("Recommendations")
    end = report.text.index("Appendix 1")
    record = extract_record(report, [Section(kind="recommendations", heading="Recommendations", start=start, end=end)])
    assert [item.number for item in record.recommendations] == ["1", "2"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=400), min_size=1, max_size=3))
def test_any_text_is_read_without_error_and_evidence_stays_exact(pages):
    document = make_document(pages)
    assert_record_evidence_is_exact(document, extract_record(document))


def test_odd_unicode_and_very_long_lines_are_read():
    text = ("İstanbul\u00a0Child A\ufffedied\u200b aged ２ — “domestic abuse” " * 2000) + "\x00\ud800"
    document = make_document([text])
    record = extract_record(document)
    assert_record_evidence_is_exact(document, record)
    assert "domestic_abuse" in record.risk_factors
    assert all(len(item.quote) <= 400 for items in record.evidence.values() for item in items)
