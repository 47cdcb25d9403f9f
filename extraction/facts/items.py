"""Numbered, bulleted and tabled items under a heading: the shared reader of recommendations and findings.

A region of the text (a section from `extraction.sections`, or the lines under a heading found here) is
read line by line. An item starts at a keyword ("Recommendation 3:", "Finding 1 -"), a number ("1.",
"2)", "(3)", "4.2", "R5"), a table row ("1 | text | owner"), or, when nothing in the region is numbered,
a bullet. Wrapped lines join the item they continue; after a blank line a paragraph joins only when the
item's sentence is plainly unfinished (no closing punctuation, next line in lower case), because page
breaks split items but rationales and headings follow them. Bullets inside a numbered item are its parts.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from extraction.document import Section
from extraction.facts.text import TextIndex

# A region found by its heading ends at the next heading or after this many characters.
MAX_REGION_CHARS: Final = 40_000
MIN_PARAGRAPH_CHARS: Final = 40

_NUMBER: Final = r"(?P<number>\d{1,2}(?:\.\d{1,2}){0,2}[a-z]?)"
_BULLET: Final = re.compile(r"^[ \t\f]*[•▪●◦■➢*·o\-–][ \t]+(?P<text>.*)$")
_LETTERED_PART: Final = re.compile(r"^[ \t\f]*\(?[a-h]\)[ \t]+")
# Lettered items, when a list is lettered rather than numbered: "(a) ...", "b) ...", "c. ...".
_LETTERED_ITEM: Final = re.compile(
    r"^[ \t\f]*(?:\((?P<letter>[a-z])\)|(?P<letter2>[a-z])[.)])[ \t]+(?P<text>\S.*)$"
)
# The label of any kind of item a review lists; see `read_items`.
_OTHER_LABEL: Final = re.compile(
    r"^[ \t\f]*(?:recommendation|(?:key )?finding|learning point|lesson)[ \t]*(?:no\.?[ \t]*)?\d{1,2}[a-z]?\b",
    re.IGNORECASE,
)
_TABLE_ROW: Final = re.compile(rf"^[ \t\f]*\|?[ \t]*{_NUMBER}\.?[ \t]*\|[ \t]*(?P<text>[^|]*)(?:\|.*)?$")
_TAB_ROW: Final = re.compile(rf"^[ \t\f]*{_NUMBER}\.?\t+(?P<text>[^\t]*)(?:\t.*)?$")
_NUMBERED: Final = re.compile(
    # A bare number starts an item only when dotted ("7.1"): wrapped text often starts "12 weeks later".
    rf"^[ \t\f]*(?:\(?{_NUMBER}[.)]|(?P<number2>\d{{1,2}}\.\d{{1,2}}(?:\.\d{{1,2}})?)(?=[ \t])"
    rf"|R(?P<number3>\d{{1,2}})[:.)]?)"
    r"[ \t]+(?P<text>\S.*)$"
)
_SENTENCE_DONE: Final = (".", "!", "?", ":", ";")
_CONTINUATION_HYPHENS: Final = ("\ufffe", "\u00ad")


@dataclass(frozen=True)
class Item:
    number: str | None
    text: str
    start: int
    end: int


def region_from_sections(
    sections: Sequence[Section],
    kinds: frozenset[str],
    text: str,
    heading_words: re.Pattern[str] | None = None,
) -> list[tuple[int, int]]:
    """The bodies of the sections of these kinds, or whose heading has these words ("Findings and
    recommendations" is a findings section that holds recommendations too).

    A section starts at its heading line ("4. Recommendations"), which is not an item of its own, so each
    region starts after that line. Sections headed by an item's label ("Finding 2: ...") are left to
    `label_runs`: the label line is the item.
    """
    regions = []
    for section in sections:
        named = heading_words is not None and heading_words.search(section.heading) is not None
        if (section.kind not in kinds and not named) or _OTHER_LABEL.match(section.heading):
            continue
        line_end = text.find("\n", section.start, section.end)
        regions.append((section.end if line_end == -1 else line_end + 1, section.end))
    return regions


def label_runs(
    index: TextIndex, keyword: str, sections: Sequence[Section], next_heading: re.Pattern[str]
) -> list[tuple[int, int]]:
    """Regions holding runs of labelled items ("Recommendation 1:", "Recommendation 2:" ...) wherever they
    are, whatever the heading above them says. A run ends where the numbering starts again, and its region
    at the first heading after its last label that is not a label itself (a section's, or else one that
    `next_heading` matches)."""
    label = re.compile(
        rf"^[ \t\f]*(?:{keyword})[ \t]*(?:no\.?[ \t]*)?(?P<number>\d{{1,2}})[a-z]?"
        r"(?:[ \t]*[:.)\-–—]|[ \t]*$)",
        re.IGNORECASE | re.MULTILINE,
    )
    runs: list[list[re.Match[str]]] = []
    for match in label.finditer(index.text):
        if index.is_excluded(match.start()):
            continue
        if runs and int(match.group("number")) > int(runs[-1][-1].group("number")):
            runs[-1].append(match)
        else:
            runs.append([match])
    heading_starts = sorted(section.start for section in sections if not _OTHER_LABEL.match(section.heading))
    regions = []
    for run in runs:
        last = run[-1].end()
        following = bisect.bisect_right(heading_starts, last)
        limit = min(len(index.text), last + MAX_REGION_CHARS // 4)
        end = min(heading_starts[following], limit) if following < len(heading_starts) else limit
        heading = next_heading.search(index.text, last, end)
        end = heading.start() if heading else end
        regions.append((run[0].start(), end))
    return regions


def regions_by_heading(
    index: TextIndex, heading: re.Pattern[str], next_heading: re.Pattern[str]
) -> list[tuple[int, int]]:
    """Regions from each matching heading line (not a contents line) to the next heading."""
    regions = []
    for match in heading.finditer(index.text):
        if index.is_excluded(match.start()):
            continue
        body_start = match.end()
        limit = min(len(index.text), body_start + MAX_REGION_CHARS)
        following = next_heading.search(index.text, body_start, limit)
        regions.append((body_start, following.start() if following else limit))
    return regions


def read_items(
    index: TextIndex, start: int, end: int, keyword: str, *, statements: bool = False
) -> list[Item]:
    """The items in `text[start:end]`; `keyword` is a regular expression for the item label ("recommendation").

    A line labelled as another kind of item ("Finding 2:" among recommendations) ends the item before it
    and starts none: reports often follow each finding with the recommendations that answer it. With
    `statements`, a labelled item is the statement after its label, which ends with its first sentence
    that ends a line: a finding is often set as a bold sentence above its discussion, and in wrapped text
    nothing else marks where the two meet.
    """
    text = index.text
    labelled = _labelled(keyword)
    lines = []
    offset = start
    for line in text[start:end].split("\n"):
        if not index.is_furniture(offset + len(line) - len(line.lstrip())):
            lines.append((offset, offset + len(line)))
        offset += len(line) + 1
    # Where items are labelled ("Finding 1:"), numbered paragraphs ("8.1 The family moved") are discussion.
    labelled_region = any(labelled.match(text[s:e]) for s, e in lines)
    starts = [
        _item_start(text[s:e], labelled, bullets=False, letters=False, labelled_only=labelled_region)
        for s, e in lines
    ]
    numbered_region = any(started is not None for started in starts)
    lettered_region = not numbered_region and (
        sum(_LETTERED_ITEM.match(text[s:e]) is not None for s, e in lines) >= 2
    )
    items: list[_OpenItem] = []
    boundary_before = False
    for (line_start, line_end), started_numbered in zip(lines, starts, strict=True):
        line = text[line_start:line_end]
        if not line.strip():
            boundary_before = True
            continue
        started = started_numbered or (
            None
            if numbered_region
            else _item_start(line, labelled, bullets=not lettered_region, letters=lettered_region)
        )
        if started is not None:
            number, first_text = started
            items.append(_OpenItem(number, [first_text] if first_text else [], line_start, line_end))
        elif _OTHER_LABEL.match(line) and not labelled.match(line):
            if items:
                items[-1].closed = True
        elif items and _continues(items[-1], line, boundary_before):
            items[-1].parts.append(_continuation_text(line))
            items[-1].end = line_end
        elif items and boundary_before:
            items[-1].closed = True
        boundary_before = index.ends_paragraph(line) or (
            statements and labelled_region and _ends_sentence(line)
        )
    return [item.finish(index) for item in items if item.parts]


def _ends_sentence(line: str) -> bool:
    return line.rstrip().rstrip("\"'”’)]").endswith((".", "!", "?"))


def _labelled(keyword: str) -> re.Pattern[str]:
    return re.compile(
        rf"^[ \t\f]*(?:{keyword})[ \t]*(?:no\.?[ \t]*)?(?P<number>\d{{1,2}}[a-z]?|(?-i:[A-Z]))\b["
        rf" \t]*[:.)\-–—]?"
        r"[ \t]*(?P<text>.*)$",
        re.IGNORECASE,
    )


def _item_start(
    line: str, labelled: re.Pattern[str], *, bullets: bool, letters: bool, labelled_only: bool = False
) -> tuple[str | None, str] | None:
    for pattern in (labelled,) if labelled_only else (labelled, _TABLE_ROW, _TAB_ROW, _NUMBERED):
        match = pattern.match(line)
        if match is not None:
            groups = match.groupdict()
            number = groups.get("number") or groups.get("number2") or groups.get("number3")
            return number, match.group("text").strip()
    if letters:
        lettered = _LETTERED_ITEM.match(line)
        if lettered is not None:
            return lettered.group("letter") or lettered.group("letter2"), lettered.group("text").strip()
    if bullets:
        bullet = _BULLET.match(line)
        if bullet is not None:
            return None, bullet.group("text").strip()
    return None


@dataclass
class _OpenItem:
    number: str | None
    parts: list[str]
    start: int
    end: int
    closed: bool = False

    def finish(self, index: TextIndex) -> Item:
        evidence = index.evidence(self.start, self.end)
        return Item(self.number, _join(self.parts), evidence.start, evidence.end)


def _continues(item: _OpenItem, line: str, boundary_before: bool) -> bool:
    """Whether a line that starts no item continues the open one.

    Within a paragraph it does. After a paragraph ends (a blank line, or a line that finishes a sentence
    short of the width) only a sentence left plainly unfinished, a lettered part or a bullet carries on:
    page breaks split items, but the discussion, rationale and headings that follow an item are not it.
    """
    if item.closed:
        return False
    if not boundary_before or not item.parts:
        return True
    stripped = _continuation_text(line)
    unfinished = not item.parts[-1].rstrip().endswith(_SENTENCE_DONE)
    return (
        (unfinished and stripped[:1].islower())
        or _LETTERED_PART.match(line) is not None
        or _BULLET.match(line) is not None
    )


def _continuation_text(line: str) -> str:
    bullet = _BULLET.match(line)
    if bullet is not None:
        return bullet.group("text").strip()
    if "|" in line:
        cells = [cell.strip() for cell in line.split("|")]
        return next((cell for cell in cells if cell), "")
    return line.strip()


def _join(parts: Iterable[str]) -> str:
    joined = ""
    for part in parts:
        if joined.endswith(_CONTINUATION_HYPHENS):
            joined = joined[:-1] + part
        else:
            joined = f"{joined} {part}" if joined else part
    return " ".join(joined.split())


def paragraphs(index: TextIndex, start: int, end: int) -> list[Item]:
    """Blank-line separated paragraphs long enough to be a finding, for regions with no numbered items."""
    items = []
    for match in re.finditer(r"\S(?:.|\n(?![ \t]*\n))*", index.text[start:end]):
        text = " ".join(match.group().split())
        if len(text) >= MIN_PARAGRAPH_CHARS:
            evidence = index.evidence(start + match.start(), start + match.end())
            items.append(Item(None, text, evidence.start, evidence.end))
    return items
