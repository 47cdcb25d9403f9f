"""Undo what page layout did to the text of a PDF, DOCX or HTML document.

Two repairs, both safe to run on text that does not need them:

* Running headers and footers ("Northshire SCR Child A – Page 3", "- 12 -") repeat on most pages and
  split sentences that run across a page break. A line is one only when it sits in the first or last few
  lines of a page *and* the same line, with its digits ignored, sits there on many pages.
* Words broken across lines. PDFium replaces a hyphen at the end of a line with U+FFFE and drops the line
  break ("infor\\ufffemation", and just as well "multi\\ufffeagency"); other extractors leave "infor-\\n".
  Whether the hyphen belongs to the word is decided the same way for both:

  1. the left part is a compound prefix (multi, inter, non, self, ...): keep the hyphen, unless the joined
     word is a common word ("inter-vention" -> "intervention");
  2. the pair is a hyphenated compound common in safeguarding reports ("child-centred", "follow-up"): keep;
  3. both parts are capitalised ("Smith-Jones", "Anglo-Saxon"): keep;
  4. the joined word is a common word ("information"): join;
  5. both parts are words on their own ("decision-making", "two-year-old"): keep;
  6. otherwise the break was the typesetter's, inside a word ("behav-iour"): join.

  Words are looked up in pyspellchecker's English frequency list (bundled with the package, so it works
  offline). It is American English, so British spellings are also tried in their American form.
  A soft hyphen (U+00AD) at a line end is by definition a break inside a word and is always joined.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from functools import cache

from spellchecker import SpellChecker

# Header and footer lines sit within this many non-blank lines of the top or bottom of a page.
_EDGE_LINES = 3
# ... and repeat on at least this share of pages (odd and even pages often carry different headers).
_REPEAT_SHARE = 0.4
_MAX_HEADER_LENGTH = 150

_DIGITS = re.compile(r"\d+")
_SPACES = re.compile(r"\s+")
_PAGE_NUMBER_LINE = re.compile(
    r"^\W*(?:page\s*)?(\d+)(?:\s*(?:of|/)\s*\d+)?\W*(?:page|p\s?a\s?g\s?e)?\W*$", re.IGNORECASE
)

_LETTERS = r"[^\W\d_]+"
_PDFIUM_HYPHEN = "\ufffe"
_SOFT_HYPHEN_AT_LINE_END = re.compile(r"\u00ad[ \t]*\r?\n[ \t]*")
# \b makes the engine try each word once, not each letter of it: ten times faster on a long text. The right
# part is only looked at, not consumed, so that it can be the left part of the next break when a word is
# broken twice ("behav-", "iour-", "al"): one pass then mends it all, and mending again changes nothing.
_PDFIUM_BROKEN_WORD = re.compile(rf"\b({_LETTERS}){_PDFIUM_HYPHEN}(?=({_LETTERS}))")
_LINE_END_BROKEN_WORD = re.compile(rf"\b({_LETTERS})-[ \t]*\r?\n[ \t]*(?=({_LETTERS}))")

# A frequency at or above this in pyspellchecker's list marks a word in common use; rarer entries include
# run-together compounds such as "followup" and "nonattendance".
_COMMON_WORD_FREQUENCY = 100

COMPOUND_PREFIXES = frozenset(
    {
        "all", "anti", "ante", "co", "counter", "cross", "ex", "extra", "full", "half", "inter", "intra",
        "long", "mid", "multi", "non", "over", "part", "post", "pre", "pro", "re", "self", "semi", "short",
        "step", "sub", "under", "well",
    }
)  # fmt: skip

HYPHENATED_COMPOUNDS = frozenset(
    {
        "child-centred", "child-centered", "child-focused", "child-led", "family-led", "follow-up",
        "follow-ups", "check-up", "check-ups", "joined-up", "drop-in", "start-up", "look-up", "sign-off",
        "hand-over", "age-appropriate", "evidence-based", "strengths-based", "trauma-informed",
        "risk-taking", "record-keeping", "information-sharing", "decision-making", "care-giver",
        "in-depth", "up-to-date", "face-to-face", "one-to-one", "day-to-day", "out-of-hours",
    }
)  # fmt: skip

_BRITISH_TO_AMERICAN = (
    ("isation", "ization"),
    ("ise", "ize"),
    ("yse", "yze"),
    ("our", "or"),
    ("tre", "ter"),
    ("ae", "e"),
    ("oe", "e"),
    ("ogue", "og"),
    ("ence", "ense"),
)


def remove_repeated_headers_footers(pages: list[str]) -> list[str]:
    """The pages without their running headers, footers and page numbers; body lines are kept."""
    page_lines = [page.split("\n") for page in pages]
    edges = [(_top_edge(lines), _bottom_edge(lines)) for lines in page_lines]
    needed = max(2, math.ceil(len(pages) * _REPEAT_SHARE))
    running_top = _running_signatures([top for top, _ in edges], needed)
    running_bottom = _running_signatures([bottom for _, bottom in edges], needed)

    cleaned = []
    for page_number, (lines, (top, bottom)) in enumerate(zip(page_lines, edges, strict=True), start=1):
        drop_top = _running_lines(top, running_top, page_number)
        drop_bottom = _running_lines(list(reversed(bottom)), running_bottom, page_number)
        cleaned.append(_without_edges(lines, drop_top, drop_bottom))
    return cleaned


def join_line_end_hyphens(text: str) -> str:
    """The text with words broken at line ends made whole, keeping the hyphen of real compounds."""
    text = _SOFT_HYPHEN_AT_LINE_END.sub("", text)
    text = _PDFIUM_BROKEN_WORD.sub(_rejoin, text)
    text = _LINE_END_BROKEN_WORD.sub(_rejoin, text)
    # A marker with no letter after it ends a page or precedes a number: it stands for a plain hyphen.
    return text.replace(_PDFIUM_HYPHEN, "-")


def keeps_hyphen(left: str, right: str) -> bool:
    """Whether `left` and `right`, broken at a line-end hyphen, form a hyphenated compound."""
    left_lower, right_lower = left.lower(), right.lower()
    joined = left_lower + right_lower
    if left_lower in COMPOUND_PREFIXES:
        return _frequency(joined) < _COMMON_WORD_FREQUENCY
    if f"{left_lower}-{right_lower}" in HYPHENATED_COMPOUNDS:
        return True
    if left[0].isupper() and right[0].isupper():
        return True
    if _frequency(joined) >= _COMMON_WORD_FREQUENCY:
        return False
    return _frequency(left_lower) > 0 and _frequency(right_lower) > 0


def _rejoin(match: re.Match[str]) -> str:
    left, right = match.group(1), match.group(2)  # the right part stays in the text after the match
    return f"{left}-" if keeps_hyphen(left, right) else left


@cache
def _word_frequencies() -> Mapping[str, int]:
    return SpellChecker(language="en", distance=1).word_frequency.dictionary


@cache
def _frequency(word: str) -> int:
    frequencies = _word_frequencies()
    best = frequencies.get(word, 0)
    for british, american in _BRITISH_TO_AMERICAN:
        if british in word:
            variant = word.replace(british, american)
            best = max(best, frequencies.get(variant, 0))
    return best


def _signature(line: str) -> str:
    return _SPACES.sub(" ", _DIGITS.sub("#", line.strip().lower()))


def _top_edge(lines: list[str]) -> list[str]:
    return [line for line in lines if line.strip()][:_EDGE_LINES]


def _bottom_edge(lines: list[str]) -> list[str]:
    return [line for line in lines if line.strip()][-_EDGE_LINES:]


def _running_signatures(edges: list[list[str]], needed: int) -> set[str]:
    """Signatures of lines that repeat at the same edge of enough pages to be running headers or footers.

    Digits are ignored in the signature so that "Page 3 of 40" matches "Page 4 of 40", but then the
    numbers must behave like page numbers (rise with the page) or stay the same, so that chronology lines
    such as "12/03/2019 Home visit" at the top of several pages are not taken for a header.
    """
    numbers_by_signature: dict[str, list[tuple[int, list[int]]]] = {}
    for page_number, edge in enumerate(edges, start=1):
        for line in edge:
            if len(line.strip()) > _MAX_HEADER_LENGTH or _is_sentence(line):
                continue
            seen = numbers_by_signature.setdefault(_signature(line), [])
            if not seen or seen[-1][0] != page_number:
                seen.append((page_number, [int(number) for number in _DIGITS.findall(line)]))
    return {
        signature
        for signature, occurrences in numbers_by_signature.items()
        if len(occurrences) >= needed and _numbers_follow_pages(occurrences)
    }


def _numbers_follow_pages(occurrences: list[tuple[int, list[int]]]) -> bool:
    if all(numbers == occurrences[0][1] for _, numbers in occurrences):
        return True
    positions = len(occurrences[0][1])
    return any(
        len({numbers[position] - page_number for page_number, numbers in occurrences}) == 1
        for position in range(positions)
    )


def _running_lines(edge: list[str], running: set[str], page_number: int) -> int:
    """How many of the edge lines, from the page edge inwards, are running headers or footers."""
    dropped = 0
    for line in edge:
        if not (_signature(line) in running or _is_own_page_number(line, page_number)):
            break
        dropped += 1
    return dropped


def _is_sentence(line: str) -> bool:
    # Running headers and footers are titles and labels; a repeated sentence is the report's own words.
    stripped = line.strip()
    return stripped.endswith((".", "!", "?")) and len(stripped.split()) > 3


def _is_own_page_number(line: str, page_number: int) -> bool:
    # A lone page number that matches the page is a footer even where too few pages carry one to count. A long
    # line is not one, and is not tried: the pattern takes time growing with the square of a line's length.
    if len(line.strip()) > _MAX_HEADER_LENGTH:
        return False
    match = _PAGE_NUMBER_LINE.match(line.strip())
    return match is not None and int(match.group(1)) == page_number


def _without_edges(lines: list[str], drop_top: int, drop_bottom: int) -> str:
    if not drop_top and not drop_bottom:
        return "\n".join(lines)
    content = [index for index, line in enumerate(lines) if line.strip()]
    first = content[drop_top] if drop_top < len(content) else len(lines)
    last = content[len(content) - drop_bottom - 1] if drop_bottom < len(content) else -1
    kept_top = first if drop_top else 0
    kept_end = last + 1 if drop_bottom else len(lines)
    return "\n".join(lines[kept_top:kept_end])
