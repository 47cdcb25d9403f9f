"""The review's findings: each "Finding 1: ...", numbered or bulleted item, or else each paragraph.

The regions are sections of the findings and learning kinds when sections are given; otherwise the lines
under a "Findings", "Key findings", "Learning" or "Lessons learned" heading up to the next heading. As
with recommendations, the region with the most items is read.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from extraction.document import Section
from extraction.facts.items import Item, paragraphs, region_from_sections, regions_by_heading
from extraction.facts.recommendations import best_region_items
from extraction.facts.text import TextIndex

SECTION_KINDS: Final = frozenset({"findings", "key_findings", "learning", "lessons", "learning_points"})
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
KEYWORD: Final = r"finding|key finding|learning point|lesson"


def find_findings(index: TextIndex, sections: Sequence[Section] = ()) -> list[Item]:
    regions = region_from_sections(sections, SECTION_KINDS, index.text) or regions_by_heading(
        index, _HEADING, _NEXT_HEADING
    )
    items = best_region_items(index, regions, KEYWORD)
    if items:
        return items
    return max((paragraphs(index, start, end) for start, end in regions), key=len, default=[])
