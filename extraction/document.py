"""A read document: its whole text and where each page lies in it.

Every offset the pipeline reports (evidence, PII findings, sections) indexes into `Document.text`.
For a `.txt` input that text is the file's own characters, unchanged.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Page:
    number: int  # 1-based
    start: int  # offset of the page's first character in Document.text
    end: int  # offset just past the page's last character


@dataclass(frozen=True)
class Section:
    kind: str  # terms_of_reference, background, chronology, analysis, findings, learning, ...
    heading: str
    start: int
    end: int


@dataclass
class Document:
    source: str
    sha256: str
    media_type: str
    text: str
    pages: list[Page]
    warnings: list[str] = field(default_factory=list)

    def page_at(self, offset: int) -> int:
        """The 1-based page number holding the character at `offset`."""
        if not self.pages:
            return 1
        starts = [page.start for page in self.pages]
        index = bisect.bisect_right(starts, offset) - 1
        return self.pages[max(index, 0)].number

    def page_text(self, number: int) -> str:
        page = self.pages[number - 1]
        return self.text[page.start : page.end]

    @property
    def page_count(self) -> int:
        return len(self.pages)
