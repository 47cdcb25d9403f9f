"""Check an upload by its content before any parser sees it.

The extension says what the uploader believes the file is; the first bytes say what it is. A file is
accepted only when they agree, when it is within the size limits, and, for a DOCX (a zip archive), when
its central directory promises no decompression bomb. The zip directory is read without extracting
anything: Python's zipfile never returns more bytes than a member's declared size, so the declared sizes
checked here also bound what the DOCX reader will later inflate.

The page limit needs a parsed document, so the readers check it.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from extraction.errors import (
    BadEncoding,
    CorruptDocument,
    EmptyDocument,
    EncryptedDocument,
    TooLarge,
    UnsupportedType,
    WrongType,
)

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
HTML = "text/html"
TEXT = "text/plain"

MEBIBYTE = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 50 * MEBIBYTE
    max_pages: int = 400
    max_uncompressed_bytes: int = 200 * MEBIBYTE
    max_ratio: float = 100.0
    # A real DOCX has a few dozen parts (a few hundred with many images); thousands is an attack.
    max_zip_members: int = 2000
    # A 400-page report is about 1.5 million characters; far beyond that the text is not a report.
    max_text_chars: int = 20_000_000


_EXTENSION_TYPES = {
    ".pdf": PDF,
    ".docx": DOCX,
    ".html": HTML,
    ".htm": HTML,
    ".txt": TEXT,
}

_DESCRIPTIONS = {PDF: "a PDF", DOCX: "a Word (.docx) document", HTML: "HTML", TEXT: "plain text"}

# Word's own styles compress about 25 times, so small files can exceed the ratio without any danger:
# the ratio only counts once the archive expands to more than this.
_RATIO_CHECK_FLOOR = 10 * MEBIBYTE

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
# What reading a damaged zip directory raises: NotImplementedError for a zip version or feature it cannot read.
_ZIP_DIRECTORY_ERRORS = (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError)
# Legacy Word (.doc) files and password-protected Office files are both OLE compound files.
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OLE_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
_OTHER_BINARY_MAGIC = {
    b"\x89PNG\r\n\x1a\n": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"II*\x00": "a TIFF image",
    b"MM\x00*": "a TIFF image",
    b"{\\rtf": "an RTF document",
}

# Acrobat accepts a PDF header anywhere in the first kilobyte, and so does PDFium.
_PDF_HEADER_WINDOW = 1024
_SNIFF_WINDOW = 8192
_HTML_START = re.compile(
    rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)[\s>]",
    re.IGNORECASE | re.DOTALL,
)


def sniff_media_type(data: bytes) -> str | None:
    """The media type the content itself shows, or None when it is none of the supported kinds."""
    if b"%PDF-" in data[:_PDF_HEADER_WINDOW]:
        return PDF
    if data.startswith(_ZIP_MAGIC):
        return DOCX if _is_docx_archive(data) else None
    head = data[:_SNIFF_WINDOW]
    if b"\x00" in head or _binary_description(data) is not None:
        return None
    if _HTML_START.match(head.removeprefix(b"\xef\xbb\xbf")):
        return HTML
    # The window may cut a multi-byte character in two: only an error before its last 3 bytes counts.
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(head) - 3 or len(head) == len(data):
            return None
    return TEXT


def check_upload(data: bytes, filename: str, limits: Limits) -> str:
    """The media type of an acceptable upload; raises an `UnreadableDocument` saying why it is not."""
    if not data:
        raise EmptyDocument("this file is empty (0 bytes)")
    if len(data) > limits.max_bytes:
        raise TooLarge(
            f"this file is {len(data) / MEBIBYTE:.1f} MB; the limit is {limits.max_bytes / MEBIBYTE:.0f} MB"
        )
    extension = PurePath(filename).suffix.lower()
    claimed = _EXTENSION_TYPES.get(extension)
    if claimed is None:
        name = f"files ending {extension}" if extension else "files without an extension"
        raise UnsupportedType(
            f"{name} are not supported; upload a PDF, Word (.docx), HTML or plain text file"
        )
    if claimed == DOCX and data.startswith(_OLE_MAGIC):
        if _OLE_ENCRYPTED_STREAM in data:
            raise EncryptedDocument()
        raise WrongType("this file is named .docx but is an older Word (.doc) file; save it as .docx")
    if claimed == DOCX and data.startswith(_ZIP_MAGIC):
        _check_archive(data, limits)
    actual = sniff_media_type(data)
    if claimed in (TEXT, HTML):
        # Plain text and HTML are both text: a .txt holding markup is read as the text it is, and an
        # HTML fragment without <html> is still parsed as HTML. Only binary content is the wrong type.
        binary = _binary_description(data)
        if actual in (PDF, DOCX) or binary is not None:
            raise WrongType(f"this file is named {extension} but is {binary or _DESCRIPTIONS[str(actual)]}")
        if claimed == TEXT:
            decode_utf8_text(data)
        return claimed
    if actual != claimed:
        found = _binary_description(data) or _DESCRIPTIONS.get(
            str(actual), "not a recognised kind of document"
        )
        raise WrongType(f"this file is named {extension} but its content is {found}")
    return claimed


def decode_utf8_text(data: bytes) -> str:
    """The file's characters, exactly: a byte-order mark stays as U+FEFF so offsets match the file.

    No newline translation either: every offset the pipeline reports indexes into this string.
    """
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadEncoding(error.start) from None


def _is_docx_archive(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except _ZIP_DIRECTORY_ERRORS:
        return False
    return "[Content_Types].xml" in names and "word/document.xml" in names


def _check_archive(data: bytes, limits: Limits) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except _ZIP_DIRECTORY_ERRORS:
        raise CorruptDocument("this Word document is damaged: its zip directory cannot be read") from None
    if len(members) > limits.max_zip_members:
        raise TooLarge(f"this Word document has {len(members)} parts; the limit is {limits.max_zip_members}")
    uncompressed = sum(member.file_size for member in members)
    compressed = sum(member.compress_size for member in members)
    if uncompressed > limits.max_uncompressed_bytes:
        raise TooLarge(
            f"this Word document expands to {uncompressed / MEBIBYTE:.0f} MB; "
            f"the limit is {limits.max_uncompressed_bytes / MEBIBYTE:.0f} MB"
        )
    if uncompressed > _RATIO_CHECK_FLOOR and uncompressed > limits.max_ratio * max(compressed, 1):
        raise TooLarge(
            f"this Word document expands {uncompressed / max(compressed, 1):.0f} times when unpacked; "
            f"the limit is {limits.max_ratio:.0f} (a possible decompression bomb)"
        )


def _binary_description(data: bytes) -> str | None:
    if data.startswith(_ZIP_MAGIC):
        return "a zip archive" if not _is_docx_archive(data) else _DESCRIPTIONS[DOCX]
    if data.startswith(_OLE_MAGIC):
        return "an older Microsoft Office file"
    for magic, description in _OTHER_BINARY_MAGIC.items():
        if data.startswith(magic):
            return description
    return None
