import io
import zipfile

import pytest

from extraction.errors import (
    BadEncoding,
    CorruptDocument,
    EmptyDocument,
    EncryptedDocument,
    TooLarge,
    UnsupportedType,
    WrongType,
)
from extraction.safety import DOCX, HTML, PDF, TEXT, Limits, check_upload, sniff_media_type
from tests.extraction import fixtures_builders as build

LIMITS = Limits()


@pytest.fixture(scope="module")
def docx_bytes() -> bytes:
    return build.report_docx()


@pytest.fixture(scope="module")
def pdf_bytes() -> bytes:
    return build.report_pdf([["1. Introduction", "This review concerns Child A."]])


def test_content_is_sniffed_as_pdf_docx_html_or_text(pdf_bytes: bytes, docx_bytes: bytes) -> None:
    assert sniff_media_type(pdf_bytes) == PDF
    assert sniff_media_type(docx_bytes) == DOCX
    assert sniff_media_type(b"\xef\xbb\xbf<!DOCTYPE html><html><body>x</body></html>") == HTML
    assert sniff_media_type(b"<!-- saved page -->\n<html lang='en'>") == HTML
    assert sniff_media_type("Serious case review: Child A – summary".encode()) == TEXT


def test_zips_that_are_not_docx_and_binary_content_are_not_sniffed_as_anything() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("content.xml", "<office:document/>")
    assert sniff_media_type(buffer.getvalue()) is None
    assert sniff_media_type(b"\x89PNG\r\n\x1a\n\x00\x00") is None
    assert sniff_media_type("café".encode("latin-1")) is None


def test_a_text_prefix_cut_inside_a_multibyte_character_is_still_text() -> None:
    data = ("a" * 8191 + "é" + "b" * 10).encode()
    assert sniff_media_type(data) == TEXT


def test_each_supported_extension_is_accepted_when_the_content_agrees(pdf_bytes: bytes, docx_bytes: bytes) -> None:
    assert check_upload(pdf_bytes, "Child A overview report.PDF", LIMITS) == PDF
    assert check_upload(docx_bytes, "report.docx", LIMITS) == DOCX
    assert check_upload(b"<html><body><p>Findings</p></body></html>", "report.htm", LIMITS) == HTML
    assert check_upload(b"Findings", "report.txt", LIMITS) == TEXT


def test_an_empty_file_is_refused_as_empty() -> None:
    with pytest.raises(EmptyDocument, match="0 bytes"):
        check_upload(b"", "report.pdf", LIMITS)


def test_a_file_over_the_size_limit_is_refused(pdf_bytes: bytes) -> None:
    with pytest.raises(TooLarge) as refused:
        check_upload(pdf_bytes, "report.pdf", Limits(max_bytes=100))
    assert "limit" in refused.value.reason


def test_unsupported_extensions_are_refused_by_name(pdf_bytes: bytes) -> None:
    with pytest.raises(UnsupportedType, match=r"\.rtf"):
        check_upload(b"{\\rtf1 Child A}", "report.rtf", LIMITS)
    with pytest.raises(UnsupportedType, match="without an extension"):
        check_upload(pdf_bytes, "report", LIMITS)


def test_pdf_bytes_named_docx_are_the_wrong_type(pdf_bytes: bytes) -> None:
    with pytest.raises(WrongType) as refused:
        check_upload(pdf_bytes, "report.docx", LIMITS)
    assert refused.value.reason == "this file is named .docx but its content is a PDF"


def test_a_word_document_named_pdf_is_the_wrong_type(docx_bytes: bytes) -> None:
    with pytest.raises(WrongType, match="Word"):
        check_upload(docx_bytes, "report.pdf", LIMITS)


def test_binary_content_named_txt_is_the_wrong_type(pdf_bytes: bytes) -> None:
    with pytest.raises(WrongType, match="PNG image"):
        check_upload(b"\x89PNG\r\n\x1a\nrest", "notes.txt", LIMITS)
    with pytest.raises(WrongType, match="a PDF"):
        check_upload(pdf_bytes, "notes.txt", LIMITS)


def test_markup_in_a_txt_file_is_accepted_as_text() -> None:
    assert check_upload(b"<html><body>Child A</body></html>", "notes.txt", LIMITS) == TEXT


def test_latin_1_text_is_refused_with_the_offset_of_the_first_bad_byte() -> None:
    data = "The family lived in Bromsgrove. Café visits were recorded.".encode("latin-1")
    with pytest.raises(BadEncoding) as refused:
        check_upload(data, "notes.txt", LIMITS)
    bad_byte = data.index(b"\xe9")
    assert refused.value.byte_offset == bad_byte
    assert f"offset {bad_byte}" in refused.value.reason


def test_a_docx_hiding_a_highly_compressed_run_of_zeros_is_refused_as_a_bomb() -> None:
    bomb = build.docx_bomb(zero_bytes=20 * 1024 * 1024)
    assert len(bomb) < 100_000
    with pytest.raises(TooLarge, match="decompression bomb"):
        check_upload(bomb, "report.docx", LIMITS)


def test_a_small_archive_may_compress_well_without_being_a_bomb() -> None:
    assert check_upload(build.docx_bomb(zero_bytes=2 * 1024 * 1024), "report.docx", LIMITS) == DOCX


def test_a_docx_expanding_beyond_the_uncompressed_limit_is_refused() -> None:
    bomb = build.docx_bomb(zero_bytes=3 * 1024 * 1024)
    with pytest.raises(TooLarge, match="expands to 3 MB"):
        check_upload(bomb, "report.docx", Limits(max_uncompressed_bytes=2 * 1024 * 1024, max_ratio=10_000))


def test_a_zip_with_too_many_members_is_refused() -> None:
    with pytest.raises(TooLarge, match="2102 parts"):
        check_upload(build.zip_with_members(2100), "report.docx", LIMITS)


def test_an_ordinary_docx_is_well_within_the_bomb_limits(docx_bytes: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(docx_bytes)) as archive:
        members = archive.infolist()
    ratio = sum(member.file_size for member in members) / sum(member.compress_size for member in members)
    assert ratio < LIMITS.max_ratio / 2


def test_a_damaged_zip_named_docx_is_corrupt(docx_bytes: bytes) -> None:
    with pytest.raises(CorruptDocument):
        check_upload(docx_bytes[: len(docx_bytes) // 2], "report.docx", LIMITS)


def test_a_password_protected_word_file_is_encrypted_and_a_legacy_doc_is_the_wrong_type() -> None:
    ole_header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    with pytest.raises(EncryptedDocument):
        check_upload(ole_header + "EncryptedPackage".encode("utf-16-le"), "report.docx", LIMITS)
    with pytest.raises(WrongType, match=r"older Word \(\.doc\)"):
        check_upload(ole_header + "WordDocument".encode("utf-16-le"), "report.docx", LIMITS)
