"""Documents built from synthetic page texts, and the evidence invariant every extraction must keep."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from extraction.document import Document, Page
from extraction.record import Evidence, ExtractionRecord

PAGE_SEPARATOR = "\n\f\n"


def make_document(pages: list[str], source: str = "synthetic.txt") -> Document:
    """A document whose pages are `pages` joined as the readers join them."""
    text = ""
    spans = []
    for number, page in enumerate(pages, start=1):
        if number > 1:
            text += PAGE_SEPARATOR
        spans.append(Page(number=number, start=len(text), end=len(text) + len(page)))
        text += page
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    return Document(source=source, sha256=digest, media_type="text/plain", text=text, pages=spans)


def assert_exact(document: Document, evidence: Iterable[Evidence]) -> None:
    for item in evidence:
        assert item.quote == document.text[item.start : item.end]
        assert item.quote.strip() == item.quote and item.quote
        assert item.page == document.page_at(item.start)


def assert_record_evidence_is_exact(document: Document, record: ExtractionRecord) -> None:
    for items in record.evidence.values():
        assert_exact(document, items)
