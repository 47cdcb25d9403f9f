"""The document as the fact finders read it: a search copy of the text, its sentences, the regions to skip.

Every finder matches its phrases against `TextIndex.folded`, a copy of the text that is lower-cased, has
typographic quotes and dashes made plain and every whitespace character made a space, *without changing
its length*, so that an offset found in the copy is the same offset in `Document.text` and evidence
quotes are slices of the original. Sentences are found once, with a regular expression rather than a
tokenizer, because ingestion must stay nearly free apart from named-entity recognition.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final, Generic, TypeVar

from extraction.document import Document, Section
from extraction.record import Evidence
from extraction.sections import page_furniture

T = TypeVar("T")

# A quote longer than this is cut to a window around the matched words: a "sentence" in a badly read
# table can run for pages, and evidence must stay readable.
MAX_QUOTE_CHARS: Final = 400
QUOTE_CONTEXT_CHARS: Final = 150
# A contents entry is one short line: "3. Domestic abuse ........ 12".
MAX_TOC_LINE_CHARS: Final = 200
# How far either side of a match its sentence is read for negation and attachment.
CONTEXT_CHARS: Final = 180

# Text whose lines are mostly shorter than this was wrapped to a page or column width (a PDF, a text file
# from pdftotext); longer lines are whole paragraphs (a Word document, most text files).
MAX_WRAPPED_LINE_CHARS: Final = 130
# In wrapped text a line that ends a sentence ends its paragraph when it stops this far short of the width.
PARAGRAPH_END_SHARE: Final = 0.8

# Section kinds (from `extraction.sections`) whose words say nothing about the case itself.
EXCLUDED_SECTION_KINDS: Final = frozenset({"contents", "table_of_contents", "references", "bibliography"})
# A glossary explains terms ("MARAC: Multi-Agency Risk Assessment Conference"); it says nothing about the case.
_GLOSSARY_HEADING: Final = re.compile(r"glossary|abbreviations|acronyms", re.IGNORECASE)
# Section kinds where a report introduces its subject child (age, sex, ethnicity).
EARLY_SECTION_KINDS: Final = frozenset(
    {"introduction", "background", "summary", "executive_summary", "overview", "case_summary", "the_child"}
)
# Without sections, the opening of the report stands in for them.
EARLY_FRACTION: Final = 0.25
EARLY_MINIMUM_CHARS: Final = 8000

_FOLD: Final = str.maketrans(
    {
        "’": "'",
        "‘": "'",
        "ʼ": "'",
        "`": "'",
        "“": '"',
        "”": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\ufffe": "-",
        "\u00ad": "-",
        "\n": " ",
        "\r": " ",
        "\t": " ",
        "\f": " ",
        "\v": " ",
        "\u00a0": " ",
        "\u2007": " ",
        "\u2009": " ",
        "\u202f": " ",
        "\u2028": " ",
        "\u2029": " ",
        "\x85": " ",
    }
)

# A sentence ends at terminal punctuation followed by whitespace, at a blank line, or before a bulleted
# or numbered line ("1.2 The ..."); a closing quote or bracket after the full stop stays with its sentence.
_SENTENCE_BREAK: Final = re.compile(
    r"[.!?]+[\"'”’)\]]*(?=\s)|\n[ \t]*\n\s*|\n(?=[ \t]*(?:[•▪●◦■➢*]|\d{1,2}(?:\.\d{1,2})*\.?)[ \t]+[A-Z])"
)
# A heading line ends its own sentence: short, starting with a capital or a number, not ending in punctuation
# or a word that carries a sentence on ("and", "the"), and followed by a line that starts with a capital.
# Without this a finding quoted as evidence would begin with the heading above it ("Introduction This…").
_HEADING_LINE_END: Final = re.compile(
    r"^[ \t\f]*[A-Z0-9][^\n]{0,58}(?<![.,;:!?\-–—(/&])(?<!\band)(?<!\bthe)(?<!\bof)(?<!\bto)(?<!\ba)(?<!\bin)"
    r"(?<!\bfor)(?<!\bor)(?<!\bwith)(?<!\bby)(?<!\bChild)[ \t]*\n(?=[ \t]*[A-Z])",
    re.MULTILINE,
)
_WORD_BEFORE_STOP: Final = re.compile(r"([A-Za-z]+(?:\.[A-Za-z]+)*)$")
_ABBREVIATIONS: Final = frozenset(
    {
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "st",
        "no",
        "nos",
        "vs",
        "e.g",
        "i.e",
        "cf",
        "al",
        "para",
        "paras",
        "ref",
    }
)
_TOC_LINE: Final = re.compile(r"(?:\.{3,}|…+|(?:\. ){3,}|\t)\s*\d{1,3}\s*$")
_REFERENCES_HEADING: Final = re.compile(
    r"^[ \t\f]*(?:\d{1,2}(?:\.\d{1,2})*\.?[ \t]+)?(?:references|bibliography|sources)[ \t]*:?[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)
_APPENDIX_HEADING: Final = re.compile(r"^[ \t\f]*(?:appendix|annex)\b", re.IGNORECASE | re.MULTILINE)
# A literal space outside a character class, unless it is made optional (" ?") on purpose.
_SPACE_OUTSIDE_CLASS: Final = re.compile(r"\[[^\]]*\]| (?![?*])")


@dataclass(frozen=True)
class Fact(Generic[T]):
    """A value found in the text with the passages that state it."""

    value: T
    evidence: tuple[Evidence, ...]


def fold_for_search(text: str) -> str:
    """Lower-case `text` and make punctuation plain without changing its length or any offset."""
    lowered = text.lower()
    if len(lowered) != len(text):
        # A few characters ("İ") lower-case to two; keep those as they are so offsets still line up.
        lowered = "".join(lower if len(lower := char.lower()) == 1 else char for char in text)
    return lowered.translate(_FOLD)


def phrase_pattern(alternatives: Iterable[str]) -> str:
    """Join lower-case phrase patterns into one alternation in which a space matches any run of spaces.

    Patterns are written with single spaces; text read from PDFs often has two. The result carries no
    leading word-boundary assertion, because a pattern that starts with literals lets the regular
    expression engine skip quickly to candidate positions; callers check the left boundary themselves
    with `starts_word`.
    """
    flexible = [
        _SPACE_OUTSIDE_CLASS.sub(lambda m: " +" if m.group() == " " else m.group(), p) for p in alternatives
    ]
    return "(?:" + "|".join(flexible) + r")(?![a-z0-9])"


def starts_word(folded: str, offset: int) -> bool:
    return offset == 0 or not folded[offset - 1].isalnum()


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Spans of the sentences of `text`, trimmed of surrounding whitespace, in order."""
    breaks = {
        match.end()
        for match in _SENTENCE_BREAK.finditer(text)
        if not (match.group()[0] == "." and _is_abbreviation(text, match.start()))
    }
    breaks.update(match.end() for match in _HEADING_LINE_END.finditer(text))
    spans: list[tuple[int, int]] = []
    start = 0
    for end in sorted(breaks):
        _append_trimmed(text, start, end, spans)
        start = end
    _append_trimmed(text, start, len(text), spans)
    return spans


def _wrap_width(text: str) -> int | None:
    """The width lines were wrapped to (the 80th percentile of line lengths), or None for unwrapped text."""
    lengths = sorted(
        len(stripped)
        for line in text.split("\n")
        if (stripped := line.strip()) and "|" not in stripped and "\t" not in stripped
    )
    if len(lengths) < 10:
        return None if not lengths or lengths[-1] > MAX_WRAPPED_LINE_CHARS else max(lengths)
    width = lengths[len(lengths) * 4 // 5]
    return width if width <= MAX_WRAPPED_LINE_CHARS else None


def _is_abbreviation(text: str, stop: int) -> bool:
    word = _WORD_BEFORE_STOP.search(text, max(0, stop - 12), stop)
    if word is None:
        return False
    token = word.group(1)
    return token.lower() in _ABBREVIATIONS or (len(token) == 1 and token.isupper())


def _append_trimmed(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))


class TextIndex:
    """One document prepared once for every fact finder."""

    def __init__(self, document: Document, sections: Sequence[Section] = ()) -> None:
        self.document = document
        self.text = document.text
        self.folded = fold_for_search(document.text)
        self.sections = list(sections)
        spans = split_sentences(document.text)
        self._sentence_starts = [start for start, _ in spans]
        self._sentence_ends = [end for _, end in spans]
        excluded = sorted(
            (section.start, section.end)
            for section in self.sections
            if section.kind in EXCLUDED_SECTION_KINDS or _GLOSSARY_HEADING.search(section.heading)
        )
        if not any(section.kind in EXCLUDED_SECTION_KINDS for section in self.sections):
            excluded.extend(self._references_by_heading())
        self._excluded_starts = [start for start, _ in excluded]
        self._excluded_ends = [end for _, end in excluded]
        self._early_spans = [
            (section.start, section.end) for section in self.sections if section.kind in EARLY_SECTION_KINDS
        ]
        self._early_limit = max(int(len(self.text) * EARLY_FRACTION), EARLY_MINIMUM_CHARS)
        furniture = page_furniture(document)
        self._furniture_starts = [start for start, _ in furniture]
        self._furniture_ends = [end for _, end in furniture]
        self.wrap_width = _wrap_width(document.text)

    def is_furniture(self, offset: int) -> bool:
        """True inside a running header, footer or page number left in the text."""
        index = bisect.bisect_right(self._furniture_starts, offset) - 1
        return index >= 0 and offset < self._furniture_ends[index]

    def ends_paragraph(self, line: str) -> bool:
        """Whether a line of the text is the last of its paragraph, judged from the line alone.

        A paragraph of a Word document or a text file is one line. Wrapped text (a PDF) breaks lines at
        the column's width, so there a paragraph ends at a line that finishes a sentence short of it.
        """
        if self.wrap_width is None:
            return True
        stripped = line.strip()
        return stripped.rstrip("\"'”’)]").endswith((".", "!", "?")) and (
            len(stripped) < self.wrap_width * PARAGRAPH_END_SHARE
        )

    @property
    def sentence_count(self) -> int:
        return len(self._sentence_starts)

    def sentences(self) -> Iterable[tuple[int, int]]:
        return zip(self._sentence_starts, self._sentence_ends, strict=True)

    def sentence_at(self, offset: int) -> tuple[int, int]:
        """The span of the sentence holding `offset` (or the nearest one before it)."""
        index = bisect.bisect_right(self._sentence_starts, offset) - 1
        if index < 0:
            return (0, len(self.text)) if not self._sentence_starts else (0, self._sentence_starts[0])
        return self._sentence_starts[index], max(self._sentence_ends[index], offset)

    def context_span(self, start: int, end: int | None = None) -> tuple[int, int]:
        """The sentence around a match, clipped to `CONTEXT_CHARS` either side.

        Every per-match test (negation, who a phrase is attached to) reads this span: reading the whole
        sentence would make text without full stops (a table, a damaged PDF) quadratic to process.
        """
        end = start if end is None else end
        sentence_start, sentence_end = self.sentence_at(start)
        return max(sentence_start, start - CONTEXT_CHARS), min(max(sentence_end, end), end + CONTEXT_CHARS)

    def is_excluded(self, offset: int) -> bool:
        """True inside a table of contents or the references: mentions there say nothing about the case."""
        index = bisect.bisect_right(self._excluded_starts, offset) - 1
        if index >= 0 and offset < self._excluded_ends[index]:
            return True
        line_start = self.text.rfind("\n", max(0, offset - MAX_TOC_LINE_CHARS), offset) + 1
        line_end = self.text.find("\n", offset, offset + MAX_TOC_LINE_CHARS)
        no_start_nearby = line_start == 0 and offset > MAX_TOC_LINE_CHARS
        no_end_nearby = line_end < 0 and offset + MAX_TOC_LINE_CHARS < len(self.text)
        if no_start_nearby or no_end_nearby:
            return False  # a line this long is running text, not a contents entry
        line = self.text[line_start : len(self.text) if line_end < 0 else line_end]
        return _TOC_LINE.search(line) is not None

    def is_early(self, offset: int) -> bool:
        """True in the opening sections, where a report introduces the child."""
        return offset < self._early_limit or any(start <= offset < end for start, end in self._early_spans)

    def evidence(self, start: int, end: int) -> Evidence:
        """Evidence quoting exactly `text[start:end]`, trimmed of surrounding whitespace."""
        start, end = max(0, start), min(len(self.text), end)
        while start < end and self.text[start].isspace():
            start += 1
        while end > start and self.text[end - 1].isspace():
            end -= 1
        return Evidence(page=self.document.page_at(start), start=start, end=end, quote=self.text[start:end])

    def sentence_evidence(self, match_start: int, match_end: int) -> Evidence:
        """Evidence quoting the sentence that holds a match, or a window around it when that is very long."""
        start, end = self.sentence_at(match_start)
        end = max(end, match_end)
        if end - start > MAX_QUOTE_CHARS:
            window_start = max(start, match_start - QUOTE_CONTEXT_CHARS)
            window_end = min(end, match_end + QUOTE_CONTEXT_CHARS)
            if window_start > start:
                space = self.text.find(" ", window_start, match_start)
                window_start = space + 1 if space >= 0 else window_start
            if window_end < end:
                space = self.text.rfind(" ", match_end, window_end)
                window_end = space if space >= 0 else window_end
            start, end = window_start, window_end
        return self.evidence(start, end)

    def _references_by_heading(self) -> list[tuple[int, int]]:
        """The references list of a report read without sections: from its heading to an appendix or the"
        " end."""
        headings = [m for m in _REFERENCES_HEADING.finditer(self.text) if m.start() >= len(self.text) // 2]
        if not headings:
            return []
        start = headings[-1].start()
        appendix = _APPENDIX_HEADING.search(self.text, headings[-1].end())
        return [(start, appendix.start() if appendix else len(self.text))]
