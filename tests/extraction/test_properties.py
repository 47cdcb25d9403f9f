"""Properties of the extraction pipeline's text handling on arbitrary and hostile text (issue 7).

Nothing here may crash on any Unicode string, and every offset the pipeline returns must index into the
text it was given: a section's heading, an evidence quote and a PII finding are all exact slices. Text is
drawn from a mix of report-like words (so headings, facts and names are actually found) and arbitrary
characters, including the ones that have tripped text code before: byte-order marks, form feeds, U+FFFE,
soft hyphens, line and paragraph separators, characters that change length when lower-cased and digits
from other scripts.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extraction.cleanup import join_line_end_hyphens, remove_repeated_headers_footers
from extraction.errors import UnreadableDocument
from extraction.extract import extract_record
from extraction.facts.text import fold_for_search, split_sentences
from extraction.pii import PiiScanner
from extraction.readers import read_bytes
from extraction.sections import classify_heading, find_sections
from tests.extraction.facts.documents import assert_record_evidence_is_exact, make_document
from tests.hostile.hypothesis_profiles import examples

TRICKY = [
    "\ufeff", "\f", "\ufffe", "\u00ad", "\u2028", "\u2029", "\x85", "\x0b", "\x1c", "\r\n", "\r", "\t", "\u00a0",
    "İ", "ß", "ﬁ", "Σ", "ς", "٣", "²", "①", "𝟗", "\u200b", "\u0301", "😀", "\x00", "-", "-\n", "\n\n", " ",
]  # fmt: skip
REPORT_WORDS = [
    "1.", "2.", "3.1", "4.0", "Introduction", "BACKGROUND", "Terms of Reference", "Findings", "Recommendations",
    "Appendix A:", "Contents", "Recommendation 1", "Finding 2", "Child A", "Mother", "aged 3", "years old",
    "died", "seriously harmed", "domestic abuse", "neglect", "Police", "Health visiting", "school", "infor-",
    "mation", "multi-", "agency", "Page 3 of 9", "Northshire SCP", "The partnership should", "Mrs Patel",
    "born 12/03/2015", "SW1A 1AA", "jayden@example.org", "AB123456C", "943 476 5919", "Oak Street",
    "St Mary's Primary School", "Zara", "Jayden Smith", "was subject to a child protection plan", "looked after",
]  # fmt: skip
characters = st.characters(codec="utf-8", exclude_categories=["Cs"])
pieces = st.one_of(st.sampled_from(TRICKY), st.sampled_from(REPORT_WORDS), st.text(characters, max_size=12))
# Pieces are joined by nothing as well as by spaces, so that a word can meet a "-\n" or a marker directly.
joiners = st.sampled_from(["", " ", "\n"])
texts = st.builds(lambda joiner, parts: joiner.join(parts), joiners, st.lists(pieces, max_size=40))
lines_text = st.lists(
    st.builds(lambda joiner, parts: joiner.join(parts), st.sampled_from(["", " "]), st.lists(pieces, max_size=8)),
    max_size=25,
).map("\n".join)
pages_of_lines = st.lists(lines_text, min_size=1, max_size=5)


# -- cleanup ------------------------------------------------------------------------------------------------


@examples(200)
@given(text=texts)
def test_joining_line_end_hyphens_never_crashes_never_grows_and_leaves_no_pdfium_marker(text):
    joined = join_line_end_hyphens(text)
    assert len(joined) <= len(text)
    assert "\ufffe" not in joined


# Words broken at line ends, once or several times in a row, the way narrow columns break them.
breaks = st.sampled_from(["-\n", "\ufffe", "\u00ad\n", "- \n\t", "-\r\n", " ", "\n"])
words = st.one_of(
    st.sampled_from(["infor", "mation", "multi", "agency", "behav", "iour", "al", "Smith", "Jones"]),
    st.text(st.characters(categories=["L"]), min_size=1, max_size=6),
)
broken_words = st.lists(st.tuples(words, breaks), min_size=1, max_size=8).map(
    lambda parts: "".join(word + broken for word, broken in parts)
)


@examples(200)
@given(text=st.one_of(texts, broken_words))
def test_joining_line_end_hyphens_is_idempotent(text):
    once = join_line_end_hyphens(text)
    assert join_line_end_hyphens(once) == once


@examples(100)
@given(text=st.text(characters.filter(lambda c: c not in "-\ufffe\u00ad")))
def test_text_without_hyphens_or_markers_is_left_alone(text):
    assert join_line_end_hyphens(text) == text


@examples(150)
@given(pages=pages_of_lines)
def test_removing_headers_and_footers_keeps_every_page_and_cuts_only_whole_lines_at_its_edges(pages):
    cleaned = remove_repeated_headers_footers(pages)
    assert len(cleaned) == len(pages)
    for page, kept in zip(pages, cleaned, strict=True):
        lines = page.split("\n")
        kept_lines = kept.split("\n")
        runs = [lines[start : start + len(kept_lines)] for start in range(len(lines) - len(kept_lines) + 1)]
        assert kept_lines in runs or kept == ""
        # At most three non-blank lines go from each edge: the body of the page always stays.
        body = [line for line in lines if line.strip()][3:-3]
        assert all(line in kept_lines for line in body)


# -- sentences and search folding ---------------------------------------------------------------------------


@examples(200)
@given(text=texts)
def test_search_folding_keeps_the_length_so_offsets_line_up(text):
    assert len(fold_for_search(text)) == len(text)


@examples(200)
@given(text=texts)
def test_sentences_are_ordered_trimmed_slices_that_cover_every_visible_character(text):
    spans = split_sentences(text)
    previous_end = 0
    covered = set()
    for start, end in spans:
        assert previous_end <= start < end <= len(text)
        sentence = text[start:end]
        assert sentence == sentence.strip()
        covered.update(range(start, end))
        previous_end = end
    assert all(index in covered for index, char in enumerate(text) if not char.isspace())


# -- sections -----------------------------------------------------------------------------------------------


@examples(200)
@given(pages=pages_of_lines)
def test_sections_lie_inside_the_text_and_start_with_their_heading(pages):
    document = make_document(pages)
    sections = find_sections(document)
    for section in sections:
        assert 0 <= section.start < section.end <= len(document.text)
        # A heading wrapped over two lines is reported joined by a space; otherwise it is an exact slice.
        assert " ".join(document.text[section.start : section.end].split()).startswith(
            " ".join(section.heading.split())
        )
        assert document.text[section.start : section.start + len(section.heading)] == section.heading or (
            "\n" in document.text[section.start : section.end]
        )
    assert [section.start for section in sections] == sorted(section.start for section in sections)


@examples(100)
@given(prefix=st.text(st.sampled_from(["\ufeff", " ", "\t", "\u00a0"]), max_size=6))
def test_a_heading_after_byte_order_marks_and_spaces_is_found_where_it_is(prefix):
    document = make_document([f"{prefix}FINDINGS OF THE REVIEW\nThe plan was not reviewed."])
    sections = find_sections(document)
    assert sections, "the capitalised heading is a section"
    heading = sections[0]
    assert document.text[heading.start : heading.start + len(heading.heading)] == heading.heading


@examples(200)
@given(line=texts)
def test_classifying_any_line_as_a_heading_never_crashes(line):
    assert classify_heading(line) is None or isinstance(classify_heading(line), str)


# -- the extraction record ----------------------------------------------------------------------------------


@examples(60)
@given(pages=pages_of_lines)
def test_every_evidence_quote_is_the_exact_slice_of_the_text_it_points_to(pages):
    document = make_document(pages)
    record = extract_record(document, find_sections(document))
    assert_record_evidence_is_exact(document, record)
    for items in record.evidence.values():
        for item in items:
            assert 0 <= item.start < item.end <= len(document.text)
            assert 1 <= item.page <= document.page_count
    for recommendation in record.recommendations:
        assert 1 <= recommendation.page <= document.page_count


@examples(40)
@given(pages=pages_of_lines)
def test_extracting_twice_gives_the_same_record(pages):
    document = make_document(pages)
    assert extract_record(document).to_dict() == extract_record(document).to_dict()


# -- reading a text file ------------------------------------------------------------------------------------


@examples(150)
@given(text=st.one_of(texts, st.text(characters)))
def test_a_text_file_reads_back_exactly_or_is_refused_with_a_reason(text):
    try:
        document = read_bytes(text.encode("utf-8"), "review.txt")
    except UnreadableDocument as refusal:
        assert refusal.reason
        return
    assert document.text == text
    for page in document.pages:
        assert 0 <= page.start <= page.end <= len(text)


# -- PII ----------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def scanner() -> PiiScanner:
    return PiiScanner(deny_list=["Jayden Smith", "12 Oak Street", "İlkay Ünal"], allow_list=["Child A", "Zara"])


@examples(40)
@given(text=texts)
def test_pii_findings_are_ordered_disjoint_exact_slices(scanner, text):
    findings = scanner.scan(text)
    previous_end = 0
    for finding in findings:
        assert previous_end <= finding.start < finding.end <= len(text)
        assert text[finding.start : finding.end] == finding.text
        assert 0 <= finding.score <= 1
        previous_end = finding.end


@examples(40)
@given(deny=st.lists(texts, max_size=4), allow=st.lists(texts, max_size=4), text=texts)
def test_any_deny_and_allow_lists_are_accepted_and_a_denied_name_is_always_found(deny, allow, text):
    scanner = PiiScanner(deny_list=deny, allow_list=allow)
    findings = scanner.scan(text)
    for finding in findings:
        assert text[finding.start : finding.end] == finding.text
    for term in deny:
        words = term.split()
        name = term.strip()
        # A finding is trimmed to letters and digits (a span of only marks or punctuation is no name), so the
        # promise is about a term's first letter or digit, and holds for terms that have one.
        first_alnum = next((index for index, character in enumerate(name) if character.isalnum()), None)
        if first_alnum is not None and " ".join(words) in " ".join(text.split()) and name in text:
            at = text.index(name) + first_alnum
            assert any(f.start <= at < f.end for f in findings), term
