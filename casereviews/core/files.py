"""The file store: uploaded files kept by the SHA-256 of their content, checked by content on the way in.

Content addressing makes a second upload of the same bytes free and makes a stored file impossible to
change without changing its name. Files are never served from the store directly: views stream them
after checking who is asking.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from casereviews.core.errors import InvalidInput

# What an attachment may be, by content. Each entry: extensions it may carry, and a test of its bytes.
_ALLOWED = {
    "application/pdf": ({".pdf"}, lambda data: data.startswith(b"%PDF-")),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (
        {".docx"},
        lambda data: data.startswith(b"PK\x03\x04") and b"word/" in data[:65536],
    ),
    "image/png": ({".png"}, lambda data: data.startswith(b"\x89PNG\r\n\x1a\n")),
    "image/jpeg": ({".jpg", ".jpeg"}, lambda data: data.startswith(b"\xff\xd8\xff")),
    "text/plain": ({".txt"}, lambda data: _is_utf8_text(data)),
}


def _is_utf8_text(data: bytes) -> bool:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return "\x00" not in text


@dataclass(frozen=True)
class CheckedFile:
    filename: str
    media_type: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def size(self) -> int:
        return len(self.data)


def check_attachment(filename: str, data: bytes, *, max_bytes: int | None = None) -> CheckedFile:
    """Accept the file only if its content is what its extension claims and it is within the size limit."""
    limit = max_bytes if max_bytes is not None else settings.MAX_ATTACHMENT_BYTES
    name = os.path.basename(filename).strip() or "attachment"
    if len(data) == 0:
        raise InvalidInput(f"{name} is empty", field_errors={"attachments": [f"{name} is empty"]})
    if len(data) > limit:
        message = f"{name} is {len(data) / 1_048_576:.1f} MB; the limit is {limit / 1_048_576:.0f} MB"
        raise InvalidInput(message, field_errors={"attachments": [message]})
    extension = Path(name).suffix.lower()
    for media_type, (extensions, looks_like) in _ALLOWED.items():
        if extension in extensions:
            if not looks_like(data):
                message = f"{name} is not a {extension.lstrip('.').upper()} file: its content does not match its name"
                raise InvalidInput(message, field_errors={"attachments": [message]})
            return CheckedFile(filename=name, media_type=media_type, data=data)
    allowed = ", ".join(sorted({ext for exts, _ in _ALLOWED.values() for ext in exts}))
    message = f"{name} is not a type of file we accept ({allowed})"
    raise InvalidInput(message, field_errors={"attachments": [message]})


def blob_path(sha256: str) -> Path:
    root = Path(settings.FILE_STORE_ROOT)
    return root / sha256[:2] / sha256[2:4] / sha256


def store_blob(data: bytes) -> str:
    """Write the bytes under their hash (atomically: a crash never leaves a half-written file) and return it."""
    digest = hashlib.sha256(data).hexdigest()
    path = blob_path(digest)
    if path.exists():
        return digest
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as handle:
        handle.write(data)
        temporary = Path(handle.name)
    os.replace(temporary, path)
    return digest


def read_blob(sha256: str) -> bytes:
    return blob_path(sha256).read_bytes()
