"""Why a document could not be read, in words a person uploading it can act on.

Every error carries a `reason`: one sentence, safe to show to the uploader (it never echoes file content).
Callers catch `UnreadableDocument` to handle them all.
"""

from __future__ import annotations


class UnreadableDocument(Exception):
    default_reason = "this document could not be read"

    def __init__(self, reason: str | None = None) -> None:
        self.reason = reason or self.default_reason
        super().__init__(self.reason)


class EncryptedDocument(UnreadableDocument):
    default_reason = "this document is protected by a password; upload a copy without the password"


class CorruptDocument(UnreadableDocument):
    default_reason = "this document is damaged and could not be opened"


class EmptyDocument(UnreadableDocument):
    default_reason = "this document is empty: it has no text"


class NeedsOcr(UnreadableDocument):
    default_reason = "this PDF has no text layer; it needs OCR"


class TooLarge(UnreadableDocument):
    default_reason = "this document is larger than the limit"


class WrongType(UnreadableDocument):
    default_reason = "the content of this file is not what its extension says"


class UnsupportedType(UnreadableDocument):
    default_reason = "this kind of file is not supported; upload a PDF, Word (.docx), HTML or plain text file"


class BadEncoding(UnreadableDocument):
    def __init__(self, byte_offset: int) -> None:
        self.byte_offset = byte_offset
        super().__init__(
            f"this text file is not valid UTF-8 (first bad byte at offset {byte_offset}); save it as UTF-8"
        )
