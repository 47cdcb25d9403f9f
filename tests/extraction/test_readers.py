import hashlib
from pathlib import Path

import pytest

from extraction.errors import CorruptDocument, EmptyDocument, EncryptedDocument, NeedsOcr, TooLarge, WrongType
from extraction.readers import PAGE_SEPARATOR, read_bytes, read_document
from extraction.safety import DOCX, HTML, PDF, TEXT, Limits
from tests.extraction import fixtures_builders as build
from tests.shared_data import shared_data

REAL_FORM = shared_data("real-forms/150109DSP-Milw-505-90D.pdf")

REPORT_PAGES = [
    [
        "1. Introduction",
        "This review concerns Child A, who was seriously harmed in 2019. The health visitor shared infor-",
        "mation with the multi-",
        "agency safeguarding hub.",
    ],
    ["2. Background", "Child A lived with her mother and two older siblings.", "No concerns were noted."],
    ["3. Findings", "Professionals did not see the mother's new partner.", "The plan was not reviewed."],
]


@pytest.fixture(scope="module")
def report_pdf() -> bytes:
    return build.report_pdf(REPORT_PAGES)


def test_text_file_is_read_exactly_with_its_byte_order_mark_and_line_ends(tmp_path: Path) -> None:
    content = "\ufeffSerious Case Review\r\nChild A\r\n"
    path = tmp_path / "review.txt"
    path.write_bytes(content.encode("utf-8"))
    document = read_document(path)
    assert document.text == content
    assert document.media_type == TEXT
    assert document.source == str(path)
    assert document.sha256 == hashlib.sha256(content.encode("utf-8")).hexdigest()
    assert [(page.start, page.end) for page in document.pages] == [(0, len(content))]


def test_form_feeds_separate_the_pages_of_a_text_file_and_a_final_one_adds_no_page() -> None:
    content = "Page one text\fPage two text\f"
    document = read_bytes(content.encode(), "review.txt")
    assert document.text == content
    assert [document.page_text(number) for number in (1, 2)] == ["Page one text", "Page two text"]
    assert document.page_count == 2
    assert document.page_at(content.index("two")) == 2


def test_text_file_hyphens_and_repeated_lines_are_left_exactly_as_written() -> None:
    content = "infor-\nmation\nHeader\fHeader\fHeader\f"
    assert read_bytes(content.encode(), "review.txt").text == content


def test_pdf_pages_lose_running_headers_and_footers_and_broken_words_are_mended(report_pdf: bytes) -> None:
    document = read_bytes(report_pdf, "review.pdf")
    assert document.media_type == PDF
    assert document.page_count == 3
    assert "Northshire Safeguarding Children Partnership" not in document.text
    assert "Page 2 of 3" not in document.text
    assert "shared information with the multi-agency safeguarding hub." in document.page_text(1)
    assert document.page_text(2).startswith("2. Background")
    assert document.page_text(3).endswith("The plan was not reviewed.")
    assert document.text.count(PAGE_SEPARATOR) == 2
    assert document.page_at(document.text.index("new partner")) == 3


def test_pdf_ruled_table_is_rebuilt_row_by_row_in_reading_order() -> None:
    rows = [
        ["Agency", "Contacts", "Concern"],
        ["Health visiting", "12", "Weight loss"],
        ["Police", "3", "Domestic abuse"],
    ]
    data = build.table_pdf(
        rows, before="Agency involvement is summarised below.", after="The table shows twelve contacts."
    )
    document = read_bytes(data, "review.pdf")
    assert document.text.split("\n") == [
        "Agency involvement is summarised below.",
        "Agency | Contacts | Concern",
        "Health visiting | 12 | Weight loss",
        "Police | 3 | Domestic abuse",
        "The table shows twelve contacts.",
    ]


def test_pdf_page_without_rules_is_never_searched_for_table_cells(
    report_pdf: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("cells were looked for")

    monkeypatch.setattr("extraction.readers._find_cells", refuse)
    assert read_bytes(report_pdf, "review.pdf").page_count == 3


def test_a_call_out_box_with_a_title_rule_and_an_underlined_heading_is_not_a_table() -> None:
    data = build.callout_pdf(
        "Learning from this review",
        "Key learning",
        ["Professionals should ask who lives in the household.", "Escalation should be recorded."],
    )
    assert read_bytes(data, "review.pdf").text.split("\n") == [
        "Learning from this review",
        "Key learning",
        "Professionals should ask who lives in the household.",
        "Escalation should be recorded.",
    ]


def test_pdf_table_drawn_as_shaded_cells_without_lines_is_rebuilt_row_by_row() -> None:
    rows = [
        ["Agency", "Contacts", "Concern"],
        ["Police", "3", "Domestic abuse"],
        ["School", "7", "Attendance"],
    ]
    document = read_bytes(build.shaded_cells_pdf(rows), "review.pdf")
    assert document.text.split("\n") == [
        "Agency | Contacts | Concern",
        "Police | 3 | Domestic abuse",
        "School | 7 | Attendance",
    ]


def test_pdf_tables_side_by_side_in_two_columns_are_each_rebuilt_in_column_order() -> None:
    data = build.two_column_tables_pdf(
        [["Date", "Agency"], ["03/03/2021", "Police"], ["05/03/2021", "GP"]],
        [["Date", "Agency"], ["08/03/2021", "CAMHS"], ["09/03/2021", "School"]],
    )
    assert read_bytes(data, "review.pdf").text.split("\n") == [
        "Column 1 introduces its table.",
        "Date | Agency",
        "03/03/2021 | Police",
        "05/03/2021 | GP",
        "Date | Agency",
        "08/03/2021 | CAMHS",
        "09/03/2021 | School",
        "Column 2 continues below its table.",
    ]


def test_a_password_protected_pdf_is_refused_as_encrypted() -> None:
    with pytest.raises(EncryptedDocument, match="password"):
        read_bytes(build.encrypted_pdf("Confidential draft"), "draft.pdf")


def test_a_pdf_of_scanned_images_needs_ocr() -> None:
    with pytest.raises(NeedsOcr) as refused:
        read_bytes(build.image_only_pdf(), "scan.pdf")
    assert refused.value.reason == "this PDF has no text layer; it needs OCR"


def test_corrupt_pdf_bytes_are_refused_as_corrupt() -> None:
    with pytest.raises(CorruptDocument):
        read_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage without a cross-reference table", "x.pdf")


def test_zero_bytes_are_an_empty_document() -> None:
    with pytest.raises(EmptyDocument):
        read_bytes(b"", "review.pdf")


def test_a_text_file_of_only_white_space_is_an_empty_document() -> None:
    with pytest.raises(EmptyDocument):
        read_bytes(b" \n\n\t", "review.txt")


def test_pdf_bytes_named_docx_are_refused_before_parsing(report_pdf: bytes) -> None:
    with pytest.raises(WrongType):
        read_bytes(report_pdf, "review.docx")


def test_a_pdf_over_the_page_limit_is_refused(report_pdf: bytes) -> None:
    with pytest.raises(TooLarge, match="3 pages; the limit is 2"):
        read_bytes(report_pdf, "review.pdf", Limits(max_pages=2))


def test_a_text_over_the_length_limit_is_refused() -> None:
    with pytest.raises(TooLarge, match="characters"):
        read_bytes(b"x" * 200, "review.txt", Limits(max_text_chars=100))


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_bytes(b"x" * 2000)
    with pytest.raises(TooLarge, match="MB"):
        read_document(path, Limits(max_bytes=1000))


def test_docx_lists_are_numbered_tables_are_rows_and_headers_are_left_out() -> None:
    document = read_bytes(build.report_docx(), "review.docx")
    assert document.media_type == DOCX
    assert document.page_text(1).split("\n") == [
        "Recommendations",
        "The review makes the following recommendations:",
        "1. The partnership should review its escalation policy",
        "2. Health agencies should record who lives in the household",
        "3. Schools should share attendance concerns promptly",
        "• Learning is shared across agencies",
        "Agency | Contacts | Concern",
        "Health visiting | 12 | Weight loss",
        "End of the first page.",
    ]
    assert "Header Text" not in document.text
    assert "Footer Text" not in document.text


def test_an_explicit_page_break_in_a_docx_starts_a_new_page() -> None:
    document = read_bytes(build.report_docx(), "review.docx")
    assert document.page_count == 2
    assert document.page_text(2) == "Appendix text on the second page."


def test_html_keeps_visible_text_with_blocks_lists_and_tables_on_their_own_lines() -> None:
    html = """<!DOCTYPE html><html><head><title>SCR Child A</title><style>p {color: red}</style></head>
    <body><header>Northshire SCP home | Contact us</header><nav><a href="/">Home</a></nav>
    <main><h1>Serious Case Review: Child A</h1>
    <p>The review considered   the period from <b>January 2018</b> to March 2019.</p>
    <script>trackVisitor();</script>
    <h2>Recommendations</h2>
    <ol><li>Share information about new partners.</li><li>Review the escalation policy.</li></ol>
    <ul><li>Learning briefing</li></ul>
    <table><tr><th>Agency</th><th>Contacts</th></tr><tr><td>Police</td><td>3</td></tr></table>
    <p hidden>Draft note</p><div style="display: none">Hidden</div>
    </main><footer>© Northshire SCP</footer></body></html>"""
    document = read_bytes(html.encode(), "review.html")
    assert document.media_type == HTML
    assert document.text.split("\n") == [
        "Serious Case Review: Child A",
        "The review considered the period from January 2018 to March 2019.",
        "Recommendations",
        "1. Share information about new partners.",
        "2. Review the escalation policy.",
        "• Learning briefing",
        "Agency | Contacts",
        "Police | 3",
    ]
    assert document.page_count == 1


def test_the_real_published_review_form_reads_with_its_form_text() -> None:
    document = read_document(REAL_FORM)
    assert document.page_count == 2
    assert document.warnings == []
    assert "Case Tracking Number: 150109-DSP-Milw-505" in document.text
    assert "Date of Incident: 01/09/2015" in document.text
    assert "Race or Ethnicity: African American/Black" in document.text
    assert "\ufffe" not in document.text and "\r" not in document.text
