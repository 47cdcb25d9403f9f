import pytest

from extraction.document import Document, Page
from extraction.sections import classify_heading, find_sections


def document_of(*pages: str) -> Document:
    text = "\f".join(pages)
    spans = []
    start = 0
    for number, page in enumerate(pages, start=1):
        spans.append(Page(number=number, start=start, end=start + len(page)))
        start += len(page) + 1
    return Document(source="test.txt", sha256="0" * 64, media_type="text/plain", text=text, pages=spans)


@pytest.mark.parametrize(
    ("heading", "kind"),
    [
        ("3. Terms of Reference", "terms_of_reference"),
        ("TERMS OF REFERENCE", "terms_of_reference"),
        ("Scope of the review", "terms_of_reference"),
        ("Background", "background"),
        ("Family background", "background"),
        ("Chronology", "chronology"),
        ("Summary of key events", "chronology"),
        ("4.0 Analysis", "analysis"),
        ("Key findings", "findings"),
        ("FINDINGS AND RECOMMENDATIONS", "findings"),
        ("Lessons learned", "learning"),
        ("Learning", "learning"),
        ("Recommendations", "recommendations"),
        ("Good practice", "good_practice"),
        ("Areas of good practice", "good_practice"),
        ("The Board's response", "response"),
        ("Partnership response", "response"),
        ("1. Introduction", "introduction"),
        ("Methodology", "methodology"),
        ("Conclusions", "conclusion"),
        ("Appendix 1: Terms of Reference", "appendix"),
        ("IV. Conclusions", "conclusion"),
    ],
)
def test_headings_are_classified_however_the_report_words_them(heading: str, kind: str) -> None:
    assert classify_heading(heading) == kind


@pytest.mark.parametrize(
    "line",
    [
        "This review makes six recommendations.",
        "The review makes the following recommendations:",
        "Strategy Discussion",
        "Police Response",
        "Parental Learning Disability",
        "Post-mortem Findings",
        "Recommendations ........ 14",
        "Findings\t12",
        "Agency | Findings | Date",
    ],
)
def test_sentences_subheadings_and_contents_entries_are_not_section_headings(line: str) -> None:
    assert classify_heading(line) is None


NUMBERED_REPORT = """Serious Case Review: Child A
1. Introduction
This review was commissioned by the Northshire Safeguarding Children Partnership.
2. Terms of Reference
The review considered the period from January 2018 to March 2019.
3. Findings
3.1 Information sharing
Information held by the hospital was not shared.
1. Domestic abuse
2. Parental mental health
3.2 Professional curiosity
Practitioners accepted the mother's account.
4. Recommendations
Recommendation 1
The partnership should review its escalation policy.
Recommendation 2
Agencies should record who lives in the household.
5. Next steps
The partnership will publish the report.
"""


def test_numbered_sections_end_at_the_next_heading_of_the_same_level() -> None:
    document = document_of(NUMBERED_REPORT)
    sections = {section.heading: section for section in find_sections(document)}
    findings = sections["3. Findings"]
    assert findings.kind == "findings"
    assert document.text[findings.start : findings.end].startswith("3. Findings\n3.1 Information sharing")
    assert document.text[findings.end :].startswith("4. Recommendations")
    subsection = sections["3.1 Information sharing"]
    assert subsection.kind == "other"
    assert document.text[subsection.end :].startswith("3.2 Professional curiosity")


def test_numbered_list_items_do_not_become_headings_but_the_next_numbered_heading_does() -> None:
    headings = [section.heading for section in find_sections(document_of(NUMBERED_REPORT))]
    assert "1. Domestic abuse" not in headings
    assert "2. Parental mental health" not in headings
    assert "5. Next steps" in headings


def test_recommendation_items_are_subsections_of_the_recommendations_section() -> None:
    document = document_of(NUMBERED_REPORT)
    sections = find_sections(document)
    recommendations = next(section for section in sections if section.heading == "4. Recommendations")
    items = [section for section in sections if section.heading.startswith("Recommendation ")]
    assert [item.kind for item in items] == ["recommendations", "recommendations"]
    assert all(recommendations.start < item.start < item.end <= recommendations.end for item in items)
    assert "Agencies should record" in document.text[recommendations.start : recommendations.end]


def test_unnumbered_headings_in_capitals_and_sentence_case_are_found() -> None:
    text = (
        "SCOPE OF THE REVIEW\nThe review covers two years.\n"
        "Family background\nChild B lived with his father.\n"
        "Summary of key events\nIn May the school raised a concern.\n"
        "The review makes the following recommendations:\n"
        "Lessons learned\nEarly help was not offered.\n"
    )
    sections = find_sections(document_of(text))
    assert [(section.kind, section.heading) for section in sections] == [
        ("terms_of_reference", "SCOPE OF THE REVIEW"),
        ("background", "Family background"),
        ("chronology", "Summary of key events"),
        ("learning", "Lessons learned"),
    ]
    assert sections[-1].end == len(text)


def test_a_contents_page_is_not_taken_for_sections() -> None:
    contents = "Contents\n1. Introduction 3\n2. Background 4\n3. Findings 6\nAppendix A\n"
    body = (
        "1. Introduction\nThis review concerns Child C.\n"
        "2. Background\nChild C was 14.\n"
        "3. Findings\nThe school escalated concerns.\n"
    )
    document = document_of(contents, body)
    sections = find_sections(document)
    assert [section.heading for section in sections] == ["1. Introduction", "2. Background", "3. Findings"]
    assert all(section.start > len(contents) for section in sections)


def test_a_contents_list_without_page_numbers_ends_where_its_first_heading_repeats() -> None:
    text = (
        "Table of contents\nIntroduction\nBackground\nRecommendations\n"
        "Introduction\nThis review concerns Child D.\n"
        "Background\nChild D was two years old.\n"
        "Recommendations\nShare information.\n"
    )
    document = document_of(text)
    sections = find_sections(document)
    assert [section.kind for section in sections] == ["introduction", "background", "recommendations"]
    assert document.text[sections[0].start :].startswith("Introduction\nThis review")


def test_a_byte_order_mark_does_not_hide_the_first_heading_and_offsets_stay_exact() -> None:
    text = "\ufeffIntroduction\nText.\n"
    sections = find_sections(document_of(text))
    assert sections[0].kind == "introduction"
    assert text[sections[0].start : sections[0].start + len("Introduction")] == "Introduction"


def test_headings_numbered_with_a_trailing_zero_are_top_level() -> None:
    text = "3.0 Findings\n3.1 Supervision\nText.\n3.2 Escalation\nText.\n4.0 Recommendations\nText.\n"
    document = document_of(text)
    findings = find_sections(document)[0]
    assert findings.heading == "3.0 Findings"
    assert document.text[findings.end :].startswith("4.0 Recommendations")


@pytest.mark.parametrize(
    ("heading", "kind"),
    [
        ("Section 5: Recommendations", "recommendations"),
        ("Section 6: Learning and recommendations", "learning"),
        ("Part 3 – Findings", "findings"),
        ("Improving Systems and Practice", "recommendations"),
        ("Conclusions and key findings", "conclusion"),
        ("Findings and recommendations", "findings"),
        ("Learning Events", "methodology"),
    ],
)
def test_section_labels_combined_headings_and_the_welsh_template_heading_are_classified(
    heading: str, kind: str
) -> None:
    assert classify_heading(heading) == kind


def test_a_heading_wrapped_over_two_lines_in_a_narrow_column_is_one_heading() -> None:
    text = (
        "3 Practice and organisational learning\nText.\n"
        "4 Improving Systems and\nPractice\n1. The Regional Board should audit referrals.\n"
        "5 Statement by Reviewer(s)\nText.\n"
    )
    sections = find_sections(document_of(text))
    assert ("recommendations", "4 Improving Systems and Practice") in [
        (section.kind, section.heading) for section in sections
    ]


def test_the_next_item_of_a_numbered_list_is_not_taken_for_the_next_heading() -> None:
    text = (
        "4 Improving Systems and Practice\n"
        "1. The Regional Board should commission a review.\n"
        "2. The Regional Board should promote the use of\n"
        "chronologies.\n"
        "3. Northshire Police should review its procedures.\n"
        "4. Northshire Adult Mental Health Service should\n"
        "ensure that the voice of the child is heard.\n"
        "5. The Probation Service (Northshire area) should\n"
        "strengthen reflective supervision.\n"
        "5 Statement by Reviewer(s)\n"
        "Reviewer 1: Jane Doe.\n"
    )
    headings = [section.heading for section in find_sections(document_of(text))]
    assert headings == ["4 Improving Systems and Practice", "5 Statement by Reviewer(s)"]


def test_running_headers_in_capitals_are_not_sections() -> None:
    pages = [
        f"DRAFT – CONFIDENTIAL – NOT FOR PUBLICATION\nSection {number}: {title}\nText of the section.\n"
        f"Northshire SCP – Page {number} of 3"
        for number, title in ((1, "Introduction"), (2, "Background"), (3, "Recommendations"))
    ]
    sections = find_sections(document_of(*pages))
    assert [section.kind for section in sections] == ["introduction", "background", "recommendations"]


def test_an_unnumbered_box_inside_numbered_sections_does_not_end_the_section() -> None:
    text = (
        "Section 4: What happened\nText.\n"
        "Section 5: Analysis\nText.\nKey learning\nSee the child alone.\nMore analysis.\n"
        "Section 6: Recommendations\n1. Train staff.\n"
    )
    document = document_of(text)
    analysis = next(section for section in find_sections(document) if section.heading == "Section 5: Analysis")
    assert document.text[analysis.end :].startswith("Section 6: Recommendations")


@pytest.mark.parametrize("heading", ["Appendix: Glossary of terms", "Appendix 2: Timeline of events", "ANNEX A"])
def test_an_appendix_label_starts_an_appendix_whatever_the_case_of_its_title(heading: str) -> None:
    sections = find_sections(document_of(f"Analysis\nText.\n{heading}\nMARAC | Multi-Agency Risk Assessment\n"))
    assert [(section.kind, section.heading) for section in sections][-1] == ("appendix", heading)
