"""Find a report's sections (terms of reference, chronology, findings, ...) by their headings.

Reports word their headings in many ways ("3. Terms of Reference", "SCOPE OF THE REVIEW", "Lessons
learned"), so a heading is recognised by its shape and its words together:

* its shape: one short line (at most 12 words) with no closing full stop, comma or semicolon, not a table
  row, and not a contents entry ending in a page number;
* its words: the line names a kind of section (`SECTION_KINDS`). A line written as a heading - numbered,
  ALL CAPS or Title Case - may name the kind anywhere ("The Board's Response to the Review"); a line in
  sentence case must be a known heading phrase in full ("Scope of the review"), so that a sentence that
  merely contains "recommendations" is not a heading;
* headings that name no known kind are kept as `other` only when they are unmistakable: ALL CAPS, or
  numbered so that they continue the numbering of the headings already found ("7. Next steps" after
  "6. Findings"); a numbered list item ("1. Domestic abuse") does not continue it.

A section runs from its heading to the next heading of the same or a higher level, or to the end. The level
of "5.2 Supervision" is 2; numbered items of a section ("Recommendation 3", "Finding 2") are level 2; other
headings are level 1. A contents page lists headings too: lines from a "Contents" heading to the end of its
page, or to the first heading that repeats one already listed, are not sections.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass

from extraction.cleanup import remove_repeated_headers_footers
from extraction.document import Document, Section

_MAX_HEADING_WORDS = 12
_MAX_HEADING_LENGTH = 100

# Regular expressions over the lower-cased heading without its number. A heading written as a heading may
# put a few words before the kind's phrase (`_LEAD_IN`) and anything after it; a sentence-case line must be
# the phrase in full. The first kind that matches wins.
SECTION_KINDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("appendix", ("appendix", "appendices", "annex(?:e|es)?", "glossary", "references", "bibliography")),
    ("terms_of_reference", (
        "terms of reference", "scope(?: of (?:the )?review)?", "key lines of enquiry", "review questions",
    )),
    ("methodology", (
        "methodology", "methods?", "(?:the )?review process", "process of the review",
        "approach to the review", "family involvement", "involvement of (?:the )?family",
        "practitioner involvement", "limitations", "(?:practitioners?[’']? )?learning events?",
    )),
    ("introduction", ("introduction", "purpose of (?:the |this )?review", "preface", "foreword")),
    ("background", (
        "(?:family )?background", "family (?:history|composition|structure)", "pen picture", "context",
    )),
    ("chronology", (
        "chronology", "(?:summary of )?key events", "timeline", "case history", "narrative(?: of events)?",
        "summary of (?:the )?(?:case|events)", "what happened",
    )),
    ("analysis", ("analysis", "appraisal of practice", "key practice episodes", "evaluation of practice")),
    ("good_practice", ("(?:areas of |examples of )?good practice", "what went well", "strengths")),
    ("findings", (
        "findings?(?: and (?:recommendations|learning))?", "emerging themes", "issues", "themes",
    )),
    # "Learning disability" and "learning difficulties" are risk factors, not the review's learning.
    ("learning", (
        "learning(?! disabilit| difficult)(?: points?)?(?: and (?:recommendations|findings))?",
        "lessons?(?: (?:learned|learnt|to be learned))?",
    )),
    # A Welsh child practice review puts its learning and recommendations under this heading.
    ("recommendations", ("recommendations?", "improving systems and practice")),
    ("response", (
        "(?:board|partnership|partners|safeguarding partners|lscb|lscp)[’']?s?[’']? (?:written )?response",
        "response (?:of|from) the (?:board|partnership|safeguarding partners)",
        "(?:written )?response to (?:the|this) review",
        "action plan",
    )),
    ("conclusion", (
        "conclusions?(?: and (?:key )?(?:findings|learning|recommendations|lessons learn(?:ed|t)))?",
        "concluding (?:remarks|comments)", "final (?:comments|remarks)",
    )),
)  # fmt: skip
# Phrases that are headings only when they stand alone: "Strategy Discussion" and "Police Response" are not.
_KIND_ONLY_IN_FULL = {"analysis": ("discussion",), "response": ("(?:written )?response",)}

_LEAD_IN = (
    r"(?:(?:the|a|an|summary of|key|main|overall|review|agency|multi[- ]agency|single[- ]agency|further)\s+)*"
)
_QUALIFIER = r"(?:\s+(?:of|for|from|to|in)\s+(?:the|this)\s+(?:review|case|partnership|board))?"
_KIND_AT_START = [
    (kind, re.compile(rf"{_LEAD_IN}(?:{'|'.join(phrases)})\b")) for kind, phrases in SECTION_KINDS
]
# Most lines name no kind at all. Every kind's phrase holds a word that is neither short nor a joining word,
# so a line holding the start of none of those words is ruled out before each kind's expression is tried.
_KIND_STEMS = frozenset(
    word[:4]
    for kind, phrases in SECTION_KINDS
    for phrase in phrases + _KIND_ONLY_IN_FULL.get(kind, ())
    for word in re.findall(r"[a-z]{3,}", phrase)
    if word not in {"the", "and", "this", "from", "key"}
)
_KIND_IN_FULL = [
    (kind, re.compile(rf"{_LEAD_IN}(?:{'|'.join(phrases + _KIND_ONLY_IN_FULL.get(kind, ()))}){_QUALIFIER}"))
    for kind, phrases in SECTION_KINDS
]

_NUMBER = re.compile(
    r"^(?:(?P<word>section|part|chapter)\s+)?(?P<number>\d{1,2}(?:\.\d{1,2})*)"
    r"(?:\.(?!\d)|\)|(?(word)\s*[:\-–—]))?\s+(?P<title>\S.*)$",
    re.IGNORECASE,
)
_ROMAN_NUMBER = re.compile(r"^(?P<number>[ivxlc]{1,6})[.)]\s+(?P<title>\S.*)$", re.IGNORECASE)
_ITEM_HEADING = re.compile(r"^(?P<item>recommendation|finding|learning point|lesson)\s+\d+\b", re.IGNORECASE)
_ITEM_KINDS = {
    "recommendation": "recommendations",
    "finding": "findings",
    "learning point": "learning",
    "lesson": "learning",
}
_WORDS_BEFORE_A_NUMBER = {
    "appendix", "annex", "recommendation", "finding", "part", "section", "chapter", "phase", "stage",
    "lesson", "point", "theme", "episode", "table", "figure",
}  # fmt: skip
_TRAILING_PAGE_NUMBER = re.compile(r"(?P<gap>\.{2,}|…+|\t|\s{2,}|\s)\s*\(?\d{1,3}\)?$")
# "Appendix 2: Glossary of terms", "Annex A – Timeline": an appendix whatever the case of its title.
_APPENDIX_LABEL = re.compile(r"^(?:appendix|annex)(?:\s+[A-Z0-9]{1,3})?\s*(?:[:.–—-]|$)", re.IGNORECASE)
_LIST_ITEM = re.compile(r"^(\d{1,2})[.)]\s")
_CONTENTS = re.compile(r"^(?:table of )?contents$|^index$", re.IGNORECASE)
_MINOR_WORDS = {
    "a", "an", "and", "as", "at", "by", "for", "from", "in", "into", "of", "on", "or", "the", "to", "with",
    "its", "their", "our", "this",
}  # fmt: skip
_LETTERS = re.compile(r"[^\W\d_]")
_LINE_PADDING = re.compile(r"^[\s\ufeff]+")  # white space and byte-order marks before a line's text


@dataclass(frozen=True)
class _Line:
    start: int
    end: int
    text: str  # stripped of surrounding space and a byte-order mark


@dataclass(frozen=True)
class _Heading:
    line: _Line
    kind: str
    level: int
    number: tuple[int, ...] | None


def find_sections(document: Document) -> list[Section]:
    """The document's sections in order of appearance; subsections (level 2) are listed too."""
    headings = _headings(document)
    sections = []
    for index, heading in enumerate(headings):
        end = len(document.text)
        for later in headings[index + 1 :]:
            if later.level <= heading.level:
                end = later.line.start
                break
        sections.append(
            Section(kind=heading.kind, heading=heading.line.text, start=heading.line.start, end=end)
        )
    return sections


# Sections and the fact finders both ask for the furniture of the document in hand: worked out once.
_last_furniture: tuple[str, tuple[tuple[int, int], ...]] | None = None


def page_furniture(document: Document) -> list[tuple[int, int]]:
    """Spans of the running headers, footers and page numbers left in the text, in order.

    The PDF and Word readers remove them, but a text file is kept exactly as it is, so "DRAFT - NOT FOR
    PUBLICATION" and "Northshire SCP - Page 4 of 20" still sit at every page break. They are found the
    same way the readers find them (`extraction.cleanup`): lines at the edges of many pages.
    """
    global _last_furniture
    if _last_furniture is not None and _last_furniture[0] is document.text:
        return list(_last_furniture[1])
    pages = [document.text[page.start : page.end] for page in document.pages]
    if len(pages) < 2:
        return []
    spans = []
    for page, text, kept in zip(document.pages, pages, remove_repeated_headers_footers(pages), strict=True):
        if len(kept) == len(text):
            continue
        top = text.find(kept) if kept.strip() else len(text)
        if top > 0:
            spans.append((page.start, page.start + top))
        if top + len(kept) < len(text):
            spans.append((page.start + top + len(kept), page.end))
    _last_furniture = (document.text, tuple(spans))
    return spans


def classify_heading(text: str) -> str | None:
    """The kind of section a heading line names, or None when it names none or is not heading-shaped."""
    title, _ = _split_number(text.strip())
    if not _heading_shaped(text.strip()):
        return None
    return _kind(title, emphatic=_is_emphatic(text.strip(), title))


def _headings(document: Document) -> list[_Heading]:
    headings: list[_Heading] = []
    last_numbers: dict[int, tuple[int, ...]] = {}
    contents_until = -1
    contents_seen: set[str] = set()
    page_ends = [page.end for page in document.pages]
    furniture = page_furniture(document)
    furniture_starts = [start for start, _ in furniture]
    lines = [
        line
        for line in _lines(document.text)
        if (at := bisect.bisect_right(furniture_starts, line.start) - 1) < 0 or line.start >= furniture[at][1]
    ]
    skip_next = False
    list_number: int | None = None  # of the last numbered list item since the last heading
    for position, line in enumerate(lines):
        if skip_next:
            skip_next = False
            continue
        text = line.text
        if _CONTENTS.match(text.rstrip(":")):
            contents_until = _page_end_after(page_ends, line.start, len(document.text))
            contents_seen = set()
            continue
        if line.start < contents_until:
            key = _split_number(text)[0].lower()
            if key not in contents_seen:
                contents_seen.add(key)
                continue
            contents_until = -1  # the first heading listed twice is the body's own
        listed = _LIST_ITEM.match(text)
        if not _heading_shaped(text):
            list_number = int(listed.group(1)) if listed else list_number
            continue
        wrapped = _wrapped_heading(line, lines[position + 1] if position + 1 < len(lines) else None)
        heading = _heading(wrapped, last_numbers) if wrapped is not None else None
        if heading is not None:
            skip_next = True
        else:
            heading = _heading(line, last_numbers)
        if heading is not None and heading.kind == "other" and _continues_list(heading, list_number):
            heading = None
        if heading is None:
            list_number = int(listed.group(1)) if listed else list_number
            continue
        list_number = None
        if heading.number is not None:
            last_numbers[len(heading.number)] = heading.number
            for deeper in [depth for depth in last_numbers if depth > len(heading.number)]:
                del last_numbers[deeper]
        headings.append(heading)
    return headings


def _continues_list(heading: _Heading, list_number: int | None) -> bool:
    """Whether a numbered line that names no kind is the next item of a list ("5." after "4. ...")."""
    return heading.number is not None and list_number is not None and heading.number == (list_number + 1,)


def _wrapped_heading(line: _Line, following: _Line | None) -> _Line | None:
    """A heading set over two lines in a narrow column ("4 Improving Systems and" / "Practice"), or None.

    Only a first line that cannot end a heading (it ends in "and", "of", "the" ...) is joined to the next.
    """
    last_word = line.text.rsplit(None, 1)[-1].lower()
    if following is None or last_word not in _MINOR_WORDS or not _heading_shaped(following.text):
        return None
    if _split_number(following.text)[1] is not None or _ITEM_HEADING.match(following.text):
        return None
    joined = f"{line.text} {following.text}"
    return _Line(line.start, following.end, joined) if _heading_shaped(joined) else None


def _heading(line: _Line, last_numbers: dict[int, tuple[int, ...]]) -> _Heading | None:
    if _APPENDIX_LABEL.match(line.text):
        return _Heading(line, "appendix", 1, None)
    title, number = _split_number(line.text)
    kind = _kind(title, _is_emphatic(line.text, title))
    item = _ITEM_HEADING.match(title)
    if item:
        return _Heading(line, _ITEM_KINDS[item.group("item").lower()], 2, None)
    if kind is not None:
        if number is not None and not _continues(number, last_numbers, strictly_next=False):
            return None
        if number is None and kind != "appendix" and _numbered_so_far(last_numbers):
            # Where the report numbers its headings, an unnumbered one ("Good practice", a "Key learning"
            # box) sits inside the numbered section it follows rather than ending it.
            return _Heading(line, kind, max(last_numbers) + 1, None)
        return _Heading(line, kind, len(number) if number else 1, number)
    if number is not None and _continues(number, last_numbers, strictly_next=True):
        return _Heading(line, "other", len(number), number)
    if number is None and title.isupper() and len(title) > 3:
        return _Heading(line, "other", 1, None)
    return None


def _numbered_so_far(last: dict[int, tuple[int, ...]]) -> bool:
    top = last.get(1)
    return top is not None and top[0] >= 2


def _continues(number: tuple[int, ...], last: dict[int, tuple[int, ...]], strictly_next: bool) -> bool:
    """Whether a heading number fits the numbering of the headings so far.

    A heading that names a known kind needs only to be numbered higher than the previous heading at its
    depth under the same parent ("6. Learning", then "1. Learning about ..." is a list item). A heading
    that names no kind must be the very next number (5 after 4, 5.2 after 5.1, 5.1 after 5), and a first
    heading at the top depth cannot be one: a list starting at "1." is not a heading.
    """
    depth = len(number)
    parent = number[:-1]
    if depth > 1 and last.get(depth - 1) != parent:
        return not strictly_next
    previous = last.get(depth)
    if previous is None:
        return not strictly_next or (depth > 1 and number[-1] == 1)
    if strictly_next:
        return number[-1] == previous[-1] + 1
    return number[-1] > previous[-1]


def _kind(title: str, emphatic: bool) -> str | None:
    lowered = " ".join(title.lower().rstrip(":").split())
    if not any(stem in lowered for stem in _KIND_STEMS):
        return None
    if emphatic:
        return next((kind for kind, pattern in _KIND_AT_START if pattern.match(lowered)), None)
    return next((kind for kind, pattern in _KIND_IN_FULL if pattern.fullmatch(lowered)), None)


def _heading_shaped(text: str) -> bool:
    if not text or len(text) > _MAX_HEADING_LENGTH or not _LETTERS.search(text):
        return False
    if text[-1] in ".,;" or " | " in text or len(text.split()) > _MAX_HEADING_WORDS:
        return False
    return not _is_contents_entry(text)


def _is_contents_entry(text: str) -> bool:
    match = _TRAILING_PAGE_NUMBER.search(text)
    if match is None:
        return False
    if match.group("gap").strip(" ") and match.group("gap") not in (" ",):
        return True  # a dot leader or a tab before the number
    if len(match.group("gap")) > 1:
        return True
    words = text[: match.start()].split()
    return bool(words) and words[-1].lower().strip(":") not in _WORDS_BEFORE_A_NUMBER


def _split_number(text: str) -> tuple[str, tuple[int, ...] | None]:
    match = _NUMBER.match(text)
    if match:
        parts = [int(part) for part in match.group("number").split(".")]
        # "4.0 Analysis" is how many reports number a top-level heading whose subsections are 4.1, 4.2.
        while len(parts) > 1 and parts[-1] == 0:
            parts.pop()
        return match.group("title").strip(), tuple(parts)
    match = _ROMAN_NUMBER.match(text)
    if match and match.group("number").isupper() == text[: len(match.group("number"))].isupper():
        return match.group("title").strip(), (_roman_value(match.group("number")),)
    return text, None


def _is_emphatic(text: str, title: str) -> bool:
    if _split_number(text)[1] is not None:
        return True
    if title.isupper():
        return True
    words = [word for word in re.findall(r"[^\W\d_][\w’'-]*", title)]
    significant = [word for index, word in enumerate(words) if index == 0 or word.lower() not in _MINOR_WORDS]
    return bool(significant) and all(word[0].isupper() for word in significant)


def _lines(text: str) -> Iterator[_Line]:
    start = 0
    for raw in text.splitlines(keepends=True):
        # The padding is counted rather than searched for: a line's first character may also occur in its
        # padding ("\ufeff \ufeffFINDINGS"), and the offset must be the one the text is at.
        unpadded = _LINE_PADDING.sub("", raw, count=1)
        padding = len(raw) - len(unpadded)
        stripped = unpadded.rstrip()
        if stripped:
            yield _Line(start=start + padding, end=start + padding + len(stripped), text=stripped)
        start += len(raw)


def _page_end_after(page_ends: list[int], offset: int, text_length: int) -> int:
    for end in page_ends:
        if end >= offset:
            return end
    return text_length


def _roman_value(numeral: str) -> int:
    values = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}
    total = 0
    lowered = numeral.lower()
    for index, char in enumerate(lowered):
        value = values[char]
        following = values[lowered[index + 1]] if index + 1 < len(lowered) else 0
        total += -value if value < following else value
    return total
