"""The review's findings: each "Finding 1: ...", numbered or bulleted item, or else each paragraph.

Reports call them findings, learning, key learning, lessons learned or learning points, and number them
("Finding 3:", "Learning point 2:") or list them under such a heading. The regions read are the sections
of the findings and learning kinds, or whose heading names them ("Findings and recommendations"), and
every run of labelled findings wherever it stands (a Welsh child practice review puts them in its
analysis); without sections, the lines under such a heading. The region with the most items is read.
Only when none has items are the numbered conclusions, and then the paragraphs of a findings section,
taken instead.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from extraction.document import Section
from extraction.facts.items import Item, label_runs, paragraphs, region_from_sections, regions_by_heading
from extraction.facts.recommendations import best_region_items
from extraction.facts.text import TextIndex

SECTION_KINDS: Final = frozenset({"findings", "learning"})
# "Learning disability" and "learning difficulties" are risk factors, not the review's learning, and a
# "learning event" is how the review was done.
HEADING_WORDS: Final = re.compile(
    r"\b(?:findings?|learning(?! disabilit| difficult| events?)|lessons?)\b", re.IGNORECASE
)
CONCLUSION_KINDS: Final = frozenset({"conclusion"})
_HEADING: Final = re.compile(
    r"^[ \t\f]*(?:(?:\d{1,2}(?:\.\d{1,2})*|[IVX]+)\.?[ \t]+)?(?:key |summary of |the )?(?:findings|learning"
    r"|lessons"
    r" learn(?:ed|t)|learning points|findings and learning|learning and findings|key learning)"
    r"(?:[ \t]+(?:for|from|and)[ \t]+[^\n.]{0,60})?[ \t]*:?[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)
_NEXT_HEADING: Final = re.compile(
    r"^[ \t\f]*(?:(?:\d{1,2}(?:\.\d{1,2})*|[IVX]+)\.?[ \t]+)?(?:appendix|appendices|annex|conclusions?"
    r"|concluding"
    r"|references|bibliography|glossary|acknowledgements?|action plan|next steps|recommendations?|terms of"
    r" reference|introduction|background|methodology|good practice|family involvement|signed)\b(?![ \t]*\d)"
    r"[^\n.]{0,60}$",
    re.IGNORECASE | re.MULTILINE,
)
KEYWORD: Final = r"(?:key )?finding|(?:key )?learning point|learning|lesson"


def find_findings(index: TextIndex, sections: Sequence[Section] = ()) -> list[Item]:
    regions = region_from_sections(sections, SECTION_KINDS, index.text, HEADING_WORDS) or regions_by_heading(
        index, _HEADING, _NEXT_HEADING
    )
    # Findings the report labels ("Finding 2:", "Learning point 3:") are its findings wherever they stand.
    labelled = best_region_items(
        index, label_runs(index, KEYWORD, sections, _NEXT_HEADING), KEYWORD, statements=True
    )
    if len(labelled) >= 2:
        return labelled
    items = best_region_items(index, regions, KEYWORD, statements=True)
    if items:
        return items
    items = best_region_items(index, region_from_sections(sections, CONCLUSION_KINDS, index.text), KEYWORD)
    if items:
        return items
    return max((paragraphs(index, start, end) for start, end in regions), key=len, default=[])
