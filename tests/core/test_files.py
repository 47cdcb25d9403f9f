"""Attachments are checked by what their bytes are, not by what their names claim, and stored by content."""

from __future__ import annotations

import hashlib
import io
import zipfile

import docx
import pypdfium2
import pytest
from PIL import Image

from casereviews.core.errors import InvalidInput
from casereviews.core.files import blob_path, check_attachment, read_blob, store_blob


def pdf_bytes() -> bytes:
    document = pypdfium2.PdfDocument.new()
    document.new_page(595, 842)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def docx_bytes() -> bytes:
    document = docx.Document()
    document.add_paragraph("Chronology of agency contact with Child A, March 2025.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, format="JPEG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("filename", "make", "media_type"),
    [
        ("chronology.pdf", pdf_bytes, "application/pdf"),
        (
            "Agency report.DOCX",
            docx_bytes,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("body-map.png", png_bytes, "image/png"),
        ("photo.jpeg", jpeg_bytes, "image/jpeg"),
        ("notes.txt", lambda: "Health visitor’s notes – Zoë’s 6–8 week check.\n".encode(), "text/plain"),
    ],
)
def test_a_real_file_whose_content_matches_its_extension_is_accepted(filename, make, media_type):
    data = make()
    checked = check_attachment(filename, data, max_bytes=10_000_000)
    assert checked.media_type == media_type
    assert checked.filename == filename
    assert checked.size == len(data)
    assert checked.sha256 == hashlib.sha256(data).hexdigest()


def test_the_path_part_of_an_uploaded_name_is_dropped():
    checked = check_attachment("../../etc/report.pdf", pdf_bytes(), max_bytes=10_000_000)
    assert checked.filename == "report.pdf"


def refusal(filename: str, data: bytes, max_bytes: int = 10_000_000) -> str:
    with pytest.raises(InvalidInput) as refused:
        check_attachment(filename, data, max_bytes=max_bytes)
    assert list(refused.value.field_errors) == ["attachments"]
    return refused.value.message


def test_pdf_bytes_named_docx_are_refused_as_not_what_the_name_claims():
    message = refusal("report.docx", pdf_bytes())
    assert message == "report.docx is not a DOCX file: its content does not match its name"


def test_a_zip_that_is_not_a_word_document_is_refused_as_docx():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.exe", b"MZ")
    assert "not a DOCX file" in refusal("report.docx", buffer.getvalue())


def test_a_text_file_in_latin_1_is_refused():
    assert "not a TXT file" in refusal("notes.txt", "Zoë's notes from the café".encode("latin-1"))


def test_an_empty_file_is_refused():
    assert refusal("empty.pdf", b"") == "empty.pdf is empty"


def test_a_file_over_the_limit_is_refused_with_its_size_and_the_limit():
    data = pdf_bytes() + b"\0" * (2 * 1_048_576)
    assert refusal("big.pdf", data, max_bytes=1_048_576).startswith("big.pdf is 2.")
    assert "the limit is 1 MB" in refusal("big.pdf", data, max_bytes=1_048_576)


def test_a_file_exactly_at_the_limit_is_accepted():
    data = pdf_bytes()
    assert check_attachment("exact.pdf", data, max_bytes=len(data)).size == len(data)


def test_an_unknown_extension_is_refused_with_the_list_of_accepted_types():
    message = refusal("script.exe", b"MZ\x90\x00")
    assert message.startswith("script.exe is not a type of file we accept")
    assert ".docx" in message and ".pdf" in message


def test_the_default_limit_comes_from_settings(settings):
    settings.MAX_ATTACHMENT_BYTES = 10
    with pytest.raises(InvalidInput, match="limit"):
        check_attachment("notes.txt", b"more than ten bytes")


def test_a_stored_blob_is_named_by_its_sha256_and_reads_back(settings, tmp_path):
    settings.FILE_STORE_ROOT = tmp_path
    data = docx_bytes()
    digest = store_blob(data)
    assert digest == hashlib.sha256(data).hexdigest()
    assert blob_path(digest) == tmp_path / digest[:2] / digest[2:4] / digest
    assert read_blob(digest) == data


def test_storing_the_same_bytes_twice_keeps_one_file(settings, tmp_path):
    settings.FILE_STORE_ROOT = tmp_path
    data = pdf_bytes()
    assert store_blob(data) == store_blob(data)
    stored = [path for path in tmp_path.rglob("*") if path.is_file()]
    assert len(stored) == 1  # and no temporary file left behind


def test_different_bytes_are_stored_separately(settings, tmp_path):
    settings.FILE_STORE_ROOT = tmp_path
    first, second = store_blob(b"first"), store_blob(b"second")
    assert first != second
    assert read_blob(first) == b"first" and read_blob(second) == b"second"
