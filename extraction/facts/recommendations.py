"""The review's recommendations: number, full text and page of each.

The region is the "recommendations" section when sections are given; otherwise the lines under each
"Recommendations" heading (a heading alone on its line, not a contents entry) up to the next heading. A
report often lists its recommendations twice (executive summary and body), so the region with the most
items is read, the later one on a tie.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from extraction.document import Section
from extraction.facts.items import Item, label_runs, read_items, region_from_sections, regions_by_heading
from extraction.facts.text import TextIndex

SECTION_KINDS: Final = frozenset({"recommendations"})
# "Findings and recommendations", "Conclusions and recommendations": one section, both kinds of item.
HEADING_WORDS: Final = re.compile(r"recommendation", re.IGNORECASE)
_HEADING_NUMBER: Final = r"^[ \t\f]*(?:(?:\d{1,2}(?:\.\d{1,2})*|[IVX]+)\.?[ \t]+)?"
_HEADING: Final = re.compile(
    _HEADING_NUMBER + r"(?:summary of |list of |the review'?s |key |our )?recommendations?"
    r"(?:[ \t]+(?:for|to|and)[ \t]+[^\n.]{0,60})?[ \t]*:?[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)
# Headings that end a recommendations list, alone on a short line (not "Finding 2: ...", an item's label).
NEXT_HEADING: Final = re.compile(
    _HEADING_NUMBER + r"(?:appendix|appendices|annex|conclusions?|concluding|references|bibliography|glossary"
    r"|acknowledgements?|action plan|next steps|findings|key findings|learning|terms of reference"
    r"|introduction"
    r"|background|methodology|analysis|summary|good practice|family involvement|signed)\b(?![ \t]*\d)"
    r"[^\n.]{0,60}$",
    re.IGNORECASE | re.MULTILINE,
)
KEYWORD: Final = r"recommendation|rec\.?"


def find_recommendations(index: TextIndex, sections: Sequence[Section] = ()) -> list[Item]:
    regions = region_from_sections(sections, SECTION_KINDS, index.text, HEADING_WORDS) or regions_by_heading(
        index, _HEADING, NEXT_HEADING
    )
    return best_region_items(index, [*regions, *label_runs(index, KEYWORD, sections, NEXT_HEADING)], KEYWORD)


def best_region_items(
    index: TextIndex, regions: list[tuple[int, int]], keyword: str, *, statements: bool = False
) -> list[Item]:
    """The items of the region with the most, the later one on a tie."""
    best: list[Item] = []
    for start, end in sorted(regions):
        items = read_items(index, start, end, keyword, statements=statements)
        if len(items) >= len(best) and items:
            best = items
    return best
