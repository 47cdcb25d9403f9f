from extraction.document import Section
from extraction.facts.findings import find_findings
from extraction.facts.recommendations import find_recommendations
from extraction.facts.text import TextIndex
from extraction.sections import find_sections
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
    text = "Recommendations\nR1 The partnership should audit supervision.\nR2: Health should review records.\n"
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


def findings_and_recommendations_of(*pages: str):
    document = make_document(list(pages))
    sections = find_sections(document)
    index = TextIndex(document, sections)
    findings = [item.text for item in find_findings(index, sections)]
    recommendations = [(item.number, item.text) for item in find_recommendations(index, sections)]
    return findings, recommendations


def test_a_combined_findings_and_recommendations_section_gives_each_its_own_items():
    text = (
        "Section 5: Analysis\n\nThe review looked at how agencies worked together.\n\n"
        "Section 6: Learning and recommendations\n\n"
        "Finding 1: Practitioners did not see Jay alone, so his views were not known.\n\n"
        "The health visitor always visited when his mother was present. Nobody asked to see him alone.\n\n"
        "Recommendation 1: The partnership should make sure practitioners see children alone.\n"
        "Recommendation 2: Agencies should record the child's own words.\n\n"
        "Finding 2: Information about the mother's new partner was not shared.\n\n"
        "The police knew of his conviction but the school did not.\n\n"
        "Recommendation 3: Police should share domestic abuse notifications with schools.\n\n"
        "Section 7: Conclusion\n\nThe partnership will monitor the action plan."
    )
    findings, recommendations = findings_and_recommendations_of(text)
    assert findings == [
        "Practitioners did not see Jay alone, so his views were not known.",
        "Information about the mother's new partner was not shared.",
    ]
    assert recommendations == [
        ("1", "The partnership should make sure practitioners see children alone."),
        ("2", "Agencies should record the child's own words."),
        ("3", "Police should share domestic abuse notifications with schools."),
    ]


def test_in_a_word_document_a_paragraph_after_an_item_is_not_part_of_it():
    # A Word document gives one line per paragraph and no blank lines between them.
    long_paragraph = "The assessment relied on what the mother said and was not checked with the GP. " * 3
    text = (
        "Introduction\n" + long_paragraph + "\n" + long_paragraph + "\n"
        "Findings\n"
        "Finding 1: Assessments did not take account of the family history.\n"
        + long_paragraph
        + "\nFinding 2: Supervision did not help practitioners reflect on cumulative harm.\n"
        + long_paragraph
        + "\nRecommendations\n"
        "1. The partnership should audit supervision.\n"
        "2. Health should review records.\n"
        "The partnership will publish an action plan within three months of this report being agreed."
        " It will be monitored by the learning and improvement group.\n"
    )
    findings, recommendations = findings_and_recommendations_of(text)
    assert findings == [
        "Assessments did not take account of the family history.",
        "Supervision did not help practitioners reflect on cumulative harm.",
    ]
    assert recommendations == [
        ("1", "The partnership should audit supervision."),
        ("2", "Health should review records."),
    ]


def test_a_labelled_finding_in_wrapped_text_is_its_statement_not_the_discussion_below_it():
    text = (
        "8. Findings\n"
        "Finding 1: Practitioners accepted parental\n"
        "explanations at face value and did not explore\n"
        "inconsistencies.\n"
        "The family moved between two addresses during\n"
        "this period, which added to the difficulty of\n"
        "maintaining contact with the health visitor.\n"
        "Finding 2: Supervision did not provide\n"
        "practitioners with the opportunity to reflect on\n"
        "cumulative harm, and managers did not ask\n"
        "about it.\n"
        "The reasons for the decision were not recorded.\n"
        "9. Recommendations\n"
        "1. The Board should evaluate the impact of the\n"
        "learning from this review after twelve months.\n"
    )
    findings, _ = findings_and_recommendations_of(text)
    assert findings == [
        "Practitioners accepted parental explanations at face value and did not explore inconsistencies.",
        "Supervision did not provide practitioners with the opportunity to reflect on cumulative harm, and"
        " managers did not ask about it.",
    ]


def test_learning_points_are_found_without_a_heading_of_their_own():
    # A Welsh child practice review sets its learning points inside the analysis.
    text = (
        "3 Practice and organisational learning\n\n"
        "Agencies knew of the father's drinking but did not share it.\n\n"
        "Learning point 1: Information about adults in the household was not shared.\n\n"
        "The GP was unaware of the police call-outs.\n\n"
        "Learning point 2: Escalation was not used when practitioners disagreed.\n\n"
        "4 Improving Systems and Practice\n\n"
        "In order to promote the learning from this case the following actions were identified:\n\n"
        "1. The Regional Board should promote the use of chronologies.\n"
        "2. The Regional Board should audit the escalation policy.\n"
    )
    findings, recommendations = findings_and_recommendations_of(text)
    assert findings == [
        "Information about adults in the household was not shared.",
        "Escalation was not used when practitioners disagreed.",
    ]
    assert [number for number, _ in recommendations] == ["1", "2"]


def test_numbered_paragraphs_are_not_findings_where_the_findings_are_labelled():
    text = (
        "8 Conclusions and key findings\n\n"
        "Finding 1: Practitioners are not confident in using the escalation policy.\n\n"
        "8.1 The family's engagement was sporadic, and appointments were often cancelled.\n\n"
        "Finding 2: The partnership does not know whether learning has changed practice.\n\n"
        "8.2 The plan was not outcome focused.\n\n"
        "9 Recommendations\n\n1. The Board should audit escalation.\n"
    )
    findings, _ = findings_and_recommendations_of(text)
    assert findings == [
        "Practitioners are not confident in using the escalation policy.",
        "The partnership does not know whether learning has changed practice.",
    ]


def test_lettered_recommendations_are_items_with_their_letters():
    text = (
        "Recommendations\n\n"
        "(a) The Board should seek assurance that the escalation policy is used.\n"
        "(b) Eastmere Police should audit return home interviews.\n"
        "c) Schools should record the child's views.\n"
    )
    assert recommendations_of(text) == [
        ("a", "The Board should seek assurance that the escalation policy is used.", 1),
        ("b", "Eastmere Police should audit return home interviews.", 1),
        ("c", "Schools should record the child's views.", 1),
    ]


def test_running_headers_and_footers_inside_a_wrapped_recommendation_are_left_out():
    pages = [
        f"DRAFT - CONFIDENTIAL\n\nBody text of page {number} about the family and the agencies involved.\n\n"
        f"Northshire SCP - Child A - Page {number} of 4\n"
        for number in (1, 2)
    ]
    pages.append(
        "DRAFT - CONFIDENTIAL\n\nRecommendations\n\n"
        "Recommendation 1: Northshire Police should ensure that the voice\n\n"
        "Northshire SCP - Child A - Page 3 of 4\n"
    )
    pages.append(
        "DRAFT - CONFIDENTIAL\n\nof the child is recorded in every assessment.\n"
        "Recommendation 2: The partnership should audit supervision.\n\n"
        "Northshire SCP - Child A - Page 4 of 4\n"
    )
    assert recommendations_of(*pages) == [
        (
            "1",
            "Northshire Police should ensure that the voice of the child is recorded in every assessment.",
            3,
        ),
        ("2", "The partnership should audit supervision.", 4),
    ]


def test_a_learning_event_is_not_a_list_of_findings():
    text = (
        "2 Learning Events\n\nThe following agencies took part:\n"
        "• Northshire Police\n• Northshire County Council Children's Social Care\n• Northshire GP practice\n\n"
        "3 Learning\n\n"
        "• Fathers were not included in assessments.\n"
        "• Chronologies were not used.\n"
    )
    findings, _ = findings_and_recommendations_of(text)
    assert findings == ["Fathers were not included in assessments.", "Chronologies were not used."]


def test_numbered_conclusions_are_the_findings_when_nothing_is_called_a_finding():
    text = (
        "Analysis of Agency Involvement\n\nThe agencies did not work together.\n\n"
        "Conclusions\n\n"
        "1. Assessments did not take account of the family history.\n"
        "2. Information about domestic incidents was not shared in time.\n\n"
        "Recommendations\n\nR1 The Board should audit assessments.\n"
    )
    findings, recommendations = findings_and_recommendations_of(text)
    assert findings == [
        "Assessments did not take account of the family history.",
        "Information about domestic incidents was not shared in time.",
    ]
    assert recommendations == [("1", "The Board should audit assessments.")]
