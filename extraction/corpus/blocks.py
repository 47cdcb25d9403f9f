"""The layout-neutral content of a synthetic report, and its canonical plain-text rendering.

A report is a list of units (headings, paragraphs, list items, table rows, call-out boxes). Text inside a
unit is a list of segments: plain strings, `Tagged` personal data (its PII type travels with it) and
`Mark`s that open and close an evidence span. The canonical text is rendered here, page by page, with the
running header and footer of each page and a form feed between pages; it is the `.txt` rendering of the
report and the text every truth offset points into. The PDF and Word renderers lay out the same pages.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple


class Tagged(NamedTuple):
    """Personal data: `kind` is a PII type such as PERSON or POSTCODE."""

    text: str
    kind: str
    category: str  # "case": identifies the family; "professional": names a practitioner or reviewer


class Mark(NamedTuple):
    """Opens or closes the evidence span for `key` (a field name such as "outcome" or a code)."""

    key: str
    opening: bool


Segment = str | Tagged | Mark
Segments = list[Segment]


def plain(segments: Iterable[Segment]) -> str:
    return "".join(
        part if isinstance(part, str) else part.text if isinstance(part, Tagged) else "" for part in segments
    )


def count_words(segments: Iterable[Segment]) -> int:
    # Counting spaces is an order of magnitude faster than split() and close enough for page filling.
    return sum(part.count(" ") for part in segments if isinstance(part, str)) + 1


# What a list item or table row is, when the truth has to know where it was rendered.
Target = tuple[str, int]  # ("recommendation" | "finding", index into the truth list)


@dataclass(slots=True)
class Heading:
    text: str
    level: int = 1


@dataclass(slots=True)
class Para:
    segments: Segments
    style: str = "body"  # body, quote, caption, title, subtitle, cover, toc
    target: Target | None = None
    # Characters of the paragraph before the target's own text starts ("Finding 1: ").
    target_skip: int = 0


@dataclass(slots=True)
class Item:
    """One entry of a numbered, lettered or bulleted list."""

    list_id: int
    label: str  # "1.", "(a)", "•", "Recommendation 3:"
    segments: Segments
    word_numbering: bool = False  # a Word renderer numbers it itself instead of writing the label
    target: Target | None = None


@dataclass(slots=True)
class Row:
    table_id: int
    header: tuple[str, ...]
    cells: list[Segments]
    target: Target | None = None
    target_cell: int = 0


@dataclass(slots=True)
class CallOut:
    title: str
    paragraphs: list[Segments]


@dataclass(slots=True)
class PageBreak:
    pass


Unit = Heading | Para | Item | Row | CallOut | PageBreak


def with_tables_grouped(units: Sequence[Unit]) -> list[Unit | list[Row]]:
    """The units of a page with each run of rows of one table gathered into a list, as renderers draw them."""
    grouped: list[Unit | list[Row]] = []
    for unit in units:
        previous = grouped[-1] if grouped else None
        if isinstance(unit, Row) and isinstance(previous, list) and previous[0].table_id == unit.table_id:
            previous.append(unit)
        else:
            grouped.append([unit] if isinstance(unit, Row) else unit)
    return grouped


def unit_weight(unit: Unit) -> int:
    """Roughly how many words' worth of page space a unit takes (space between blocks included)."""
    if isinstance(unit, Heading):
        return 20
    if isinstance(unit, Para):
        return count_words(unit.segments) + (40 if unit.style == "title" else 4)
    if isinstance(unit, Item):
        return count_words(unit.segments) + 6
    if isinstance(unit, Row):
        # Narrow cells wrap, so a row costs more than its words.
        return max(sum(count_words(cell) for cell in unit.cells) * 3 // 2, 14)
    if isinstance(unit, CallOut):
        return sum(count_words(paragraph) for paragraph in unit.paragraphs) * 3 // 2 + 30
    return 0


def paginate(units: Sequence[Unit], page_words: int) -> list[list[Unit]]:
    """Fill pages greedily; a heading never ends a page and `PageBreak` starts a new one."""
    pages: list[list[Unit]] = [[]]
    used = 0
    for unit in units:
        if isinstance(unit, PageBreak):
            if pages[-1]:
                pages.append([])
                used = 0
            continue
        weight = unit_weight(unit)
        if pages[-1] and used + weight > page_words:
            carried: list[Unit] = []
            while pages[-1] and isinstance(pages[-1][-1], Heading):
                carried.insert(0, pages[-1].pop())
            pages.append(carried)
            used = sum(unit_weight(moved) for moved in carried)
        pages[-1].append(unit)
        used += weight
    if not pages[-1]:
        pages.pop()
    return pages


@dataclass
class PiiSpan:
    start: int
    end: int
    text: str
    type: str
    category: str


@dataclass
class Placed:
    """Where a target's text landed in the canonical text."""

    page: int
    start: int
    end: int
    text: str


@dataclass
class Canonical:
    text: str
    page_spans: list[tuple[int, int]]
    pii: list[PiiSpan]
    evidence: dict[str, list[Placed]]
    targets: dict[Target, Placed]


@dataclass
class _Writer:
    """Appends text while remembering offsets; joining once at the end keeps rendering linear."""

    parts: list[str] = field(default_factory=list)
    position: int = 0
    page: int = 1
    pii: list[PiiSpan] = field(default_factory=list)
    evidence: dict[str, list[Placed]] = field(default_factory=dict)
    open_marks: dict[str, int] = field(default_factory=dict)

    def write(self, text: str) -> None:
        self.parts.append(text)
        self.position += len(text)

    def write_segments(self, segments: Segments) -> None:
        for part in segments:
            if isinstance(part, str):
                self.parts.append(part)
                self.position += len(part)
            elif isinstance(part, Tagged):
                start = self.position
                self.write(part.text)
                self.pii.append(PiiSpan(start, self.position, part.text, part.kind, part.category))
            elif part.opening:
                self.open_marks[part.key] = self.position
            else:
                start = self.open_marks.pop(part.key)
                self.evidence.setdefault(part.key, []).append(Placed(self.page, start, self.position, ""))


def render_canonical(pages: Sequence[Sequence[Unit]], header: str | None, footer: str | None) -> Canonical:
    """The `.txt` rendering. `footer` may hold `{page}` and `{pages}`."""
    writer = _Writer()
    targets: dict[Target, Placed] = {}
    page_spans: list[tuple[int, int]] = []
    total = len(pages)
    for number, units in enumerate(pages, start=1):
        writer.page = number
        page_start = writer.position
        if header:
            writer.write(header + "\n\n")
        previous: Unit | None = None
        for unit in units:
            previous = _write_unit(writer, unit, previous, targets)
        if isinstance(previous, (Item, Row)):
            writer.write("\n")
        if footer:
            writer.write(footer.format(page=number, pages=total) + "\n")
        page_spans.append((page_start, writer.position))
        if number < total:
            writer.write("\f")
    text = "".join(writer.parts)
    for places in writer.evidence.values():
        for place in places:
            place.text = text[place.start : place.end]
    return Canonical(text, page_spans, writer.pii, writer.evidence, targets)


def _write_unit(writer: _Writer, unit: Unit, previous: Unit | None, targets: dict[Target, Placed]) -> Unit:
    same_list = isinstance(previous, Item) and isinstance(unit, Item) and previous.list_id == unit.list_id
    same_table = isinstance(previous, Row) and isinstance(unit, Row) and previous.table_id == unit.table_id
    if isinstance(previous, (Item, Row)) and not (same_list or same_table):
        writer.write("\n")
    if isinstance(unit, Heading):
        writer.write(unit.text + "\n\n")
    elif isinstance(unit, Para):
        start = writer.position + unit.target_skip
        writer.write_segments(unit.segments)
        if unit.target is not None:
            targets[unit.target] = Placed(
                writer.page, start, writer.position, plain(unit.segments)[unit.target_skip :]
            )
        writer.write("\n\n")
    elif isinstance(unit, Item):
        writer.write(unit.label + " ")
        start = writer.position
        writer.write_segments(unit.segments)
        if unit.target is not None:
            targets[unit.target] = Placed(writer.page, start, writer.position, plain(unit.segments))
        writer.write("\n")
    elif isinstance(unit, Row):
        if not same_table:
            writer.write("\t".join(unit.header) + "\n")
        for index, cell in enumerate(unit.cells):
            if index:
                writer.write("\t")
            start = writer.position
            writer.write_segments(cell)
            if unit.target is not None and index == unit.target_cell:
                targets[unit.target] = Placed(writer.page, start, writer.position, plain(cell))
        writer.write("\n")
    elif isinstance(unit, CallOut):
        writer.write(unit.title + "\n")
        for paragraph in unit.paragraphs:
            writer.write_segments(paragraph)
            writer.write("\n")
        writer.write("\n")
    return unit
