"""Report metadata: title, partnership, year published, framework, review type and methodology.

- Title: the first heading-like lines of the first page, skipping the partnership's name and dates.
- Partnership: "<Place> Safeguarding Children Partnership", "<Place> Local Safeguarding Children Board" and
  their variants; the name used most often, ties going to the first.
- Year published: "Published: March 2021", "Date of publication ...", else a date on the first page.
- Framework and review type, from the first kind of review the report names: "serious case review" (with a
  Safeguarding Children Board: England under Working Together 2015), "local child safeguarding practice
  review" (England 2018/2023), "(concise|extended) child practice review" (Wales), "learning review" (with a
  Child Protection Committee: Scotland), "partnership review".
- Methodology: SCIE Learning Together, SILP, Significant Event Analysis, or "hybrid" when the report says
  so; a named method that is none of these ("systems approach", "appreciative inquiry") is "other". A
  systems approach is not taken for Learning Together: many methods call themselves systemic.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Final

from extraction.facts.codes import MAX_EVIDENCE_PER_CODE, compile_triggers, scan
from extraction.facts.negation import Scope
from extraction.facts.text import Fact, TextIndex, phrase_pattern, starts_word
from extraction.record import Evidence

EARLIEST_YEAR: Final = 1945
LATEST_YEAR: Final = 2100
MAX_TITLE_LINES: Final = 3
MAX_TITLE_LINE_CHARS: Final = 120
# The cover and the opening page: where a report names itself.
OPENING_CHARS: Final = 3000

_PARTNERSHIP: Final = re.compile(
    r"((?:[A-Z][A-Za-z'’.-]+[ \t]+(?:(?:and|upon|on|of|in|&)[ \t]+)?){1,5}?)"
    r"(Local Safeguarding Children(?:'s)? Board|Safeguarding Children(?:'s)? (?:Partnership|Board)"
    r"|Children(?:'s)? Safeguarding (?:Partnership|Board)|Safeguarding (?:Children )?Partnership"
    r"|Child Protection Committee)"
)
_NUMBERED_HEADING: Final = re.compile(r"\d{1,2}(?:\.\d{1,2})*\.?\s+\S")
_NOT_PLACE_WORDS: Final = frozenset(
    {"The", "This", "A", "An", "By", "For", "Of", "To", "On", "In", "And", "Local"}
)

_MONTH_NAMES: Final = (
    "January|February|March|April|May|June|July|August|September|October|November|December"
    "|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
_PUBLISHED: Final = re.compile(
    r"(?:published|publication date|date of publication|date published|publication)[ \t]*(?:on|in)?[ \t]*:?["
    r" \t]*"
    rf"(?:\d{{1,2}}(?:st|nd|rd|th)?[ \t]+)?(?:(?:{_MONTH_NAMES})[ \t,]+)?(?P<year>(?:19|20)\d{{2}})",
    re.IGNORECASE,
)
_COVER_DATE: Final = re.compile(
    rf"(?:(?:{_MONTH_NAMES})[ \t,]+|\d{{1,2}}/\d{{1,2}}/)(?P<year>(?:19|20)\d{{2}})(?!\d)", re.IGNORECASE
)

_REVIEW_TYPES: Final = (
    ("child_practice_review_concise", "wales", r"concise (?:child practice review|cpr|review)"),
    ("child_practice_review_extended", "wales", r"extended (?:child practice review|cpr|review)"),
    (None, "wales", r"child practice review"),
    ("lcspr", "england_2023", r"local child safeguarding practice review|lcspr"),
    ("scr", None, r"serious case review|scr"),
    ("learning_review", None, r"(?:significant case |multi-agency )?learning review"),
    ("partnership_review", None, r"partnership review"),
)
_REVIEW_TYPE: Final = re.compile(
    "|".join(
        f"(?P<r{number}>{phrase_pattern([pattern])})" for number, (_, _, pattern) in enumerate(_REVIEW_TYPES)
    )
)
_LSCB: Final = re.compile(r"local safeguarding children(?:'s)? board|lscb|safeguarding children(?:'s)? board")
_CHILD_PROTECTION_COMMITTEE: Final = re.compile(r"child protection committee")

METHODOLOGY_TRIGGERS: Final[dict[str, tuple[str, ...]]] = {
    "hybrid": (r"hybrid (?:model|methodology|approach|method|review)", r"(?:a |the )?hybrid of"),
    "learning_together": (
        r"learning together",
        r"scie(?:'s)? (?:systems )?(?:model|methodology|approach|method)",
        r"social care institute for excellence(?:'s)? (?:systems )?(?:model|methodology|approach)",
    ),
    "silp": (r"significant incident learning process", r"silp"),
    "significant_event_analysis": (r"significant event analysis", r"sea methodology"),
    "other": (
        r"systems (?:approach|methodology|model|based approach)",
        r"appreciative inquiry",
        r"root cause analysis",
    ),
}
_METHODOLOGIES: Final = compile_triggers(METHODOLOGY_TRIGGERS)


@dataclass(frozen=True)
class Metadata:
    title: Fact[str] | None
    partnership: Fact[str] | None
    year_published: Fact[int] | None
    framework: Fact[str] | None
    review_type: Fact[str] | None
    methodology: Fact[str] | None


def find_metadata(index: TextIndex) -> Metadata:
    framework, review_type = find_framework_and_review_type(index)
    return Metadata(
        title=find_title(index),
        partnership=find_partnership(index),
        year_published=find_year_published(index),
        framework=framework,
        review_type=review_type,
        methodology=find_methodology(index),
    )


def _first_page_span(index: TextIndex) -> tuple[int, int]:
    pages = index.document.pages
    if pages:
        return pages[0].start, pages[0].end
    return 0, min(len(index.text), OPENING_CHARS)


def find_title(index: TextIndex) -> Fact[str] | None:
    """Up to three heading-like lines opening the first page, without the partnership's name or dates.

    Cover pages put one phrase per line with blank lines between ("Local Child Safeguarding Practice
    Review", "Child A"), so blank lines do not end the title; running text, a date or a numbered heading do.
    """
    page_start, page_end = _first_page_span(index)
    block: list[tuple[int, int]] = []
    offset = page_start
    for raw_line in index.text[page_start:page_end].split("\n"):
        start, end = offset, offset + len(raw_line)
        offset = end + 1
        line = raw_line.strip()
        if not line:
            continue
        if _is_heading_like(line):
            block.append((start, end))
            if len(block) == MAX_TITLE_LINES:
                break
        elif block or _NUMBERED_HEADING.match(line):
            break
    if not block:
        return None
    evidence = index.evidence(block[0][0], block[-1][1])
    title = " ".join(" ".join(index.text[start:end].split()) for start, end in block)
    return Fact(title, (evidence,))


def _is_heading_like(line: str) -> bool:
    """A title line: short, with letters, not running text; the partnership's name and dates are left out."""
    if len(line) > MAX_TITLE_LINE_CHARS or not any(char.isalpha() for char in line):
        return False
    if _PARTNERSHIP.fullmatch(line) or _COVER_DATE.search(line) or _PUBLISHED.search(line):
        return False
    if _NUMBERED_HEADING.match(line):
        return False
    lowered = line.lower()
    if lowered.startswith(
        ("page ", "contents", "author", "prepared by", "written by", "confidential", "draft")
    ):
        return False
    # Running text ends its lines mid-sentence or with a full stop; a heading does neither.
    return not line.endswith((".", ",", ";")) and len(line.split()) <= 16


def find_partnership(index: TextIndex) -> Fact[str] | None:
    names: Counter[str] = Counter()
    evidence: dict[str, list[Evidence]] = {}
    for match in _PARTNERSHIP.finditer(index.text):
        if index.is_excluded(match.start()):
            continue
        place_words = match.group(1).split()
        while place_words and place_words[0] in _NOT_PLACE_WORDS:
            place_words.pop(0)
        while place_words and place_words[-1].lower() in ("and", "upon", "on", "of", "in", "&"):
            place_words.pop()
        if not place_words:
            continue
        name = " ".join([*place_words, *match.group(2).split()]).replace("’", "'")
        names[name] += 1
        if len(evidence.setdefault(name, [])) < MAX_EVIDENCE_PER_CODE:
            prefix_start = match.start(1) + match.group(1).index(place_words[0])
            evidence[name].append(index.evidence(prefix_start, match.end()))
    if not names:
        return None
    name = names.most_common(1)[0][0]
    return Fact(name, tuple(evidence[name]))


def find_year_published(index: TextIndex) -> Fact[int] | None:
    for match in _PUBLISHED.finditer(index.text):
        year = int(match.group("year"))
        if EARLIEST_YEAR <= year <= LATEST_YEAR and not index.is_excluded(match.start()):
            return Fact(year, (index.evidence(match.start(), match.end()),))
    page_start, page_end = _first_page_span(index)
    for match in _COVER_DATE.finditer(index.text, page_start, page_end):
        year = int(match.group("year"))
        if EARLIEST_YEAR <= year <= LATEST_YEAR:
            return Fact(year, (index.evidence(match.start(), match.end()),))
    return None


def find_framework_and_review_type(index: TextIndex) -> tuple[Fact[str] | None, Fact[str] | None]:
    """The framework and review type from the first kind of review the report names."""
    folded = index.folded
    for match in _REVIEW_TYPE.finditer(folded):
        if not starts_word(folded, match.start()) or index.is_excluded(match.start()):
            continue
        review_type, framework, _ = _REVIEW_TYPES[int(str(match.lastgroup)[1:])]
        evidence = (index.sentence_evidence(match.start(), match.end()),)
        if review_type == "scr" and _LSCB.search(folded):
            framework = "england_2015"
        if review_type == "learning_review" and _CHILD_PROTECTION_COMMITTEE.search(folded):
            framework = "scotland"
        return (
            Fact(framework, evidence) if framework else None,
            Fact(review_type, evidence) if review_type else None,
        )
    return None, None


def find_methodology(index: TextIndex) -> Fact[str] | None:
    """The named method; "hybrid" when said; otherwise the method named most often, ties to the first."""
    found = scan(index, _METHODOLOGIES, Scope.THEME)
    if not found:
        return None
    if "hybrid" in found:
        code = "hybrid"
    else:
        named = {code: hits for code, hits in found.items() if code != "other"} or found
        code = max(named, key=lambda name: (named[name].count, -named[name].evidence[0].start))
    return Fact(code, tuple(found[code].evidence))
