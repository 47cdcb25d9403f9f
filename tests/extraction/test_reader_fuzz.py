"""Fuzzing the PDF, Word and HTML readers, bounded for the test suite (issue 7).

Every input must either read or be refused with an `UnreadableDocument`; never another exception, never a
crash of the process, never longer than `TIME_LIMIT` seconds. Each input is read in a worker process
(`tests.hostile.fuzzing.ReaderWorker`) so that a hang or a crash in PDFium is reported, not suffered. The
longer run is `scripts/fuzz_readers.py --seconds N`.

The regression tests below rebuild, at run time, the inputs the fuzzer found crashing the readers.
"""

from __future__ import annotations

import io
import re
import struct
import time
import zipfile

import docx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from extraction.cleanup import remove_repeated_headers_footers
from extraction.errors import CorruptDocument, UnreadableDocument
from extraction.readers import read_bytes
from tests.extraction import fixtures_builders as build
from tests.hostile.fuzzing import MUTATIONS, ReaderWorker, Seed, seeds
from tests.hostile.hypothesis_profiles import examples

# Generous: the suite shares two cores with other work, and the slowest fuzzed input here reads in about 3 s.
TIME_LIMIT = 30


@pytest.fixture(scope="module")
def worker():
    with ReaderWorker(TIME_LIMIT) as reader:
        yield reader


def suffix_of(seed: Seed) -> str:
    return seed.filename[seed.filename.rfind(".") :]


@examples(300)
@given(data=st.data())
def test_every_mutated_document_reads_or_is_refused_with_a_reason_in_bounded_time(worker, data):
    seed = data.draw(st.sampled_from(seeds()), label="seed")
    mutated = seed.data
    for _ in range(data.draw(st.integers(min_value=1, max_value=3), label="rounds")):
        mutation = data.draw(st.sampled_from(MUTATIONS[suffix_of(seed)]), label="mutation")
        mutated = mutation(mutated, data.draw(st.randoms(use_true_random=False), label="random"))
    outcome = worker.read(mutated, seed.filename)
    assert outcome.acceptable, outcome.detail


@pytest.mark.parametrize("seed", seeds(), ids=lambda seed: seed.name)
def test_every_seed_reads(worker, seed):
    assert worker.read(seed.data, seed.filename).kind in {"read", "refused"}
    if seed.name != "image.pdf":  # a scan without a text layer is refused: it needs OCR
        assert worker.read(seed.data, seed.filename).kind == "read"


# -- regressions: each rebuilds an input the fuzzer found crashing a reader -----------------------------------


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def _zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _with_member(data: bytes, name: str, change) -> bytes:
    members = _members(data)
    members[name] = change(members[name])
    return _zipped(members)


def test_a_word_file_whose_compressed_text_is_damaged_is_refused_as_damaged():
    # zlib.error from inflating the damaged member used to escape the reader.
    data = build.report_docx()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo("word/document.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    damaged = data[:start] + b"\xff" * 16 + data[start + 16 :]  # block type 3 does not exist in deflate
    with pytest.raises(CorruptDocument):
        read_bytes(damaged, "review.docx")


@pytest.mark.parametrize("where", ["central directory", "compression method"])
def test_a_word_file_zipped_with_features_python_cannot_read_is_refused_as_damaged(where):
    # NotImplementedError ("zip file version 14.8", "compression method not supported") used to escape.
    data = bytearray(build.report_docx())
    for match in re.finditer(rb"PK\x01\x02", bytes(data)):
        if where == "central directory":
            struct.pack_into("<H", data, match.start() + 6, 148)  # version needed to extract: 14.8
        else:
            struct.pack_into("<H", data, match.start() + 10, 99)  # compression method 99
    for match in re.finditer(rb"PK\x03\x04", bytes(data)):
        if where == "compression method":
            struct.pack_into("<H", data, match.start() + 8, 99)
    with pytest.raises(CorruptDocument):
        read_bytes(bytes(data), "review.docx")


def test_a_word_file_without_a_numbering_part_reads():
    # Word documents without lists may have no numbering.xml; python-docx cannot make one, and raised
    # NotImplementedError.
    document = docx.Document()
    document.add_paragraph("The review found no concerns about the school.")
    buffer = io.BytesIO()
    document.save(buffer)
    members = _members(buffer.getvalue())
    del members["word/numbering.xml"]
    members["word/_rels/document.xml.rels"] = re.sub(
        rb"<Relationship [^>]*numbering[^>]*/>", b"", members["word/_rels/document.xml.rels"]
    )
    members["[Content_Types].xml"] = re.sub(rb"<Override [^>]*numbering[^>]*/>", b"", members["[Content_Types].xml"])
    assert b"numbering" not in members["word/_rels/document.xml.rels"]
    read = read_bytes(_zipped(members), "review.docx")
    assert read.text == "The review found no concerns about the school."


def test_a_word_file_whose_main_part_is_not_a_document_is_refused_as_damaged():
    # The body was read without checking it was there: AttributeError.
    wordprocessing = b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    data = _with_member(
        build.report_docx(), "word/document.xml", lambda xml: xml.replace(wordprocessing, b'xmlns:w="urn:x"', 1)
    )
    with pytest.raises(CorruptDocument):
        read_bytes(data, "review.docx")


def test_a_word_file_whose_relationships_are_not_relationships_is_refused_as_damaged():
    # python-docx met a plain element where it expected its own and raised AttributeError.
    relationships = b'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"'
    data = _with_member(
        build.report_docx(),
        "word/_rels/document.xml.rels",
        lambda xml: xml.replace(relationships, b'xmlns="urn:x"', 1),
    )
    with pytest.raises(CorruptDocument):
        read_bytes(data, "review.docx")


def test_a_word_file_with_a_relationship_that_names_no_target_is_refused_as_damaged():
    # python-docx joined the missing target into a path: TypeError.
    data = _with_member(
        build.report_docx(),
        "word/_rels/document.xml.rels",
        lambda xml: xml.replace(b' Target="settings.xml"', b"", 1),
    )
    with pytest.raises(CorruptDocument):
        read_bytes(data, "review.docx")


@pytest.mark.parametrize("compression", [zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
def test_a_word_file_whose_bzip2_or_lzma_compressed_text_is_damaged_is_refused_as_damaged(compression):
    # bz2's "Invalid data stream" (an OSError) and LZMAError escaped, as zlib's errors did.
    members = _members(build.report_docx())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    data = buffer.getvalue()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo("word/document.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    damaged = data[:start] + b"\x00" * 16 + data[start + 16 :]
    with pytest.raises(CorruptDocument):
        read_bytes(damaged, "review.docx")


def test_a_word_file_whose_styles_are_not_xml_reads_its_text_without_list_styles():
    # The styles part was asked for its styles though python-docx had loaded it as plain bytes: AttributeError.
    styles = b"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"
    data = _with_member(build.report_docx(), "[Content_Types].xml", lambda xml: xml.replace(styles, b"image/png", 1))
    assert data != build.report_docx()
    document = read_bytes(data, "review.docx")
    assert "The partnership should review its escalation policy" in document.text


@pytest.mark.parametrize("value", ["x", "²", "--5", "99", "-1", "9" * 5000, "999999999", ""])
def test_list_numbering_with_hostile_numbers_reads_with_sensible_labels(value):
    # int() of "x", "²" or 5000 digits raised ValueError; a level of 99 raised IndexError; a start of a
    # billion made a label of millions of letters.
    def hostile(xml: bytes) -> bytes:
        xml = re.sub(rb'w:ilvl="\d+"', f'w:ilvl="{value}"'.encode(), xml)
        xml = re.sub(rb'<w:start w:val="\d+"', f'<w:start w:val="{value}"'.encode(), xml)
        return re.sub(rb'<w:numFmt w:val="\w+"', b'<w:numFmt w:val="lowerLetter"', xml)

    data = _with_member(build.report_docx(), "word/numbering.xml", hostile)
    document = read_bytes(data, "review.docx")
    assert "The partnership should review its escalation policy" in document.text
    assert max(len(line) for line in document.text.splitlines()) < 200


def test_a_pdf_page_that_cannot_be_loaded_is_missing_with_a_warning_and_the_rest_reads():
    # PdfiumError ("Failed to load page") escaped when a page tree names an object that is not a page.
    data = build.report_pdf([["Page one text."], ["Page two text."]], header=None, footer=None)
    data = data.replace(b"/Kids [ 3 0 R 4 0 R ]", b"/Kids [ 3 0 R 99 0 R ]")
    assert data.count(b"99 0 R") == 1
    document = read_bytes(data, "review.pdf")
    assert document.warnings == ["page 2 could not be read; its text is missing"]
    assert "Page one text." in document.text


@pytest.mark.parametrize("tag", ["div", "ol", "li", "blockquote", "span"])
def test_html_nested_thousands_deep_reads_with_its_text(worker, tag):
    # The text writer recursed once per level and ran out of stack (RecursionError).
    html = f"<html><body><p>Before.</p>{f'<{tag}>' * 20_000}Deep text{f'</{tag}>' * 20_000}<p>After.</p>"
    outcome = worker.read(html.encode(), "page.html")
    assert outcome.kind == "read", outcome.detail
    document = read_bytes(html.encode(), "page.html")
    assert "Deep text" in document.text
    assert document.text.startswith("Before.") and document.text.endswith("After.")


@pytest.mark.parametrize("start", ["--5", "²", "9" * 5000, "  7 "])
def test_html_list_with_a_start_that_is_not_a_number_counts_from_one(start):
    document = read_bytes(f'<html><body><ol start="{start}"><li>One</li></ol>'.encode(), "page.html")
    assert document.text in {"1. One", "7. One"}


def test_a_page_that_is_one_huge_number_reads():
    # int() of a 5000-digit line, taken for a page number, raised ValueError.
    document = read_bytes(b"<html><body><p>" + b"9" * 5000 + b"</p><p>Page " + b"1" * 5000 + b"</p>", "page.html")
    assert "9" * 5000 in document.text


def test_a_long_line_of_punctuation_at_a_page_edge_is_checked_in_linear_time():
    # The page-number pattern backtracked quadratically: 50,000 dashes took about a minute.
    line = "1" + "-" * 50_000 + "x"
    started = time.monotonic()
    assert remove_repeated_headers_footers([line, line]) == [line, line]
    assert time.monotonic() - started < 5


def test_the_fuzz_harness_reports_a_crash_a_hang_and_a_dead_process_as_failures():
    # A harness that could not see failures would pass anything: check it sees each kind, and carries on.
    with ReaderWorker(time_limit=3, target="tests.hostile.fuzzing:misbehaving_reader") as reader:
        assert reader.read(b"plain text", "notes.txt").kind == "read"
        assert reader.read(b"", "notes.txt").kind == "refused"
        crash = reader.read(b"crash", "notes.txt")
        assert crash.kind == "crash" and not crash.acceptable
        assert crash.signature == "crash: ValueError at fuzzing.py:" + crash.signature.rsplit(":", 1)[1]
        assert reader.read(b"hang", "notes.txt").kind == "timeout"
        assert reader.read(b"die", "notes.txt").kind == "died"
        assert reader.read(b"plain text again", "notes.txt").kind == "read"


def test_unreadable_document_is_what_every_refusal_is():
    with pytest.raises(UnreadableDocument):
        read_bytes(b"PK\x03\x04 damaged", "review.docx")
