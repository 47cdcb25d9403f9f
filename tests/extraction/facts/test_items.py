from extraction.document import Section
from extraction.facts.findings import find_findings
from extraction.facts.recommendations import find_recommendations
from extraction.facts.text import TextIndex
from tests.extraction.facts.documents import make_document


def recommendations_of(*pages: str, sections=()):
    document = make_document(list(pages))
    items = find_recommendations(TextIndex(document), sections)
    for item in items:
        assert document.text[item.start : item.end].strip()
    return [(item.number, item.text, document.page_at(item.start)) for item in items]


def test_labelled_recommendations_are_joined_over_wrapped_lines():
    text = (
        "Recommendations\n\nThe review makes the following recommendations.\n\n"
        "Recommendation 1: The partnership should seek assurance that\nsafe sleep advice is given at every"
        " contact.\n"
        "Recommendation 2: The police should share domestic abuse\nnotifications with health visitors.\n\n"
        "Appendix 1\nTerms of reference"
    )
    assert recommendations_of(text) == [
        ("1", "The partnership should seek assurance that safe sleep advice is given at every contact.", 1),
        ("2", "The police should share domestic abuse notifications with health visitors.", 1),
    ]


def test_numbered_recommendations_in_several_styles():
    text = "7. Recommendations\n1. Train staff.\n2) Audit referrals.\n(3) Review the escalation policy.\n"
    assert [number for number, _, _ in recommendations_of(text)] == ["1", "2", "3"]


def test_r_numbered_recommendations():
    text = (
        "Recommendations\nR1 The partnership should audit supervision.\nR2: Health should review records.\n"
    )
    assert [(number, text) for number, text, _ in recommendations_of(text)] == [
        ("1", "The partnership should audit supervision."),
        ("2", "Health should review records."),
    ]


def test_recommendations_in_a_table_keep_the_text_cell():
    text = (
        "Recommendations\nNo. | Recommendation | Owner\n"
        "1 | Agencies should record the names of all adults in the household. | Partnership\n"
        "2 | Schools should use the escalation policy. | Education\n"
    )
    assert recommendations_of(text) == [
        ("1", "Agencies should record the names of all adults in the household.", 1),
        ("2", "Schools should use the escalation policy.", 1),
    ]


def test_bullets_are_items_when_nothing_is_numbered_and_parts_when_something_is():
    bulleted = "Recommendations\n• Train staff in safe sleep.\n• Audit referrals.\n"
    assert [number for number, _, _ in recommendations_of(bulleted)] == [None, None]
    numbered = "Recommendations\n1. The partnership should:\n• train staff;\n• audit referrals.\n"
    assert recommendations_of(numbered) == [("1", "The partnership should: train staff; audit referrals.", 1)]


def test_a_recommendation_split_by_a_page_break_is_joined_and_keeps_its_first_page():
    first = "Recommendations\nRecommendation 1: The partnership should ensure that\n"
    second = "health visitors ask about every adult in the home.\nRecommendation 2: Audit referrals."
    assert recommendations_of(first, second) == [
        ("1", "The partnership should ensure that health visitors ask about every adult in the home.", 1),
        ("2", "Audit referrals.", 2),
    ]


def test_a_contents_entry_is_not_the_recommendations_heading():
    assert recommendations_of("Contents\nRecommendations ........ 12\n1. Introduction ..... 3\n") == []


def test_sections_when_given_decide_the_region():
    text = "Summary\n1. Not a recommendation.\n\nWhat should change\n1. Train staff.\n2. Audit referrals.\n"
    start = text.index("What should change")
    sections = [Section(kind="recommendations", heading="What should change", start=start, end=len(text))]
    assert [item for _, item, _ in recommendations_of(text, sections=sections)] == [
        "Train staff.",
        "Audit referrals.",
    ]


def findings_of(text: str):
    document = make_document([text])
    return [(item.text, document.page_at(item.start)) for item in find_findings(TextIndex(document))]


def test_labelled_findings_are_read():
    text = (
        "Findings\nFinding 1: Practitioners did not see the child alone.\n"
        "Finding 2: Information about the new partner was not shared.\n\nRecommendations\n1. Do better.\n"
    )
    assert findings_of(text) == [
        ("Practitioners did not see the child alone.", 1),
        ("Information about the new partner was not shared.", 1),
    ]


def test_unnumbered_findings_are_read_as_paragraphs():
    text = (
        "Key learning\n\nThe voice of the child was not heard in assessments because visits were always"
        " planned.\n\n"
        "Professionals accepted the mother's account without checking it with other agencies involved.\n\n"
        "Conclusion\nThe review is complete."
    )
    assert [page for _, page in findings_of(text)] == [1, 1]
    assert findings_of(text)[0][0].startswith("The voice of the child")
