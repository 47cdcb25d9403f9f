"""Lay out a paginated report as a PDF with reportlab: Word-style single column or a designed two-column page.

The canonical pages are kept: every canonical page ends with a page break, and the content budget of a
page is set so that it fits. If a page still overflows, the whole document is laid out again with a
smaller type size, so that the PDF's page numbers (and the running footer's "Page 3 of 42") agree with
the canonical text. The page where each recommendation and finding was drawn is read back from the
layout (`afterFlowable`) rather than assumed.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Table,
    TableStyle,
)

from extraction.corpus.blocks import (
    CallOut,
    Heading,
    Item,
    Para,
    Row,
    Segments,
    Target,
    Unit,
    plain,
    with_tables_grouped,
)

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 2.2 * cm
ACCENT = colors.HexColor("#1d4f6e")
CALLOUT_FILL = colors.HexColor("#e4eef5")


class _Document(BaseDocTemplate):
    def __init__(self, buffer: io.BytesIO, **kwargs: Any) -> None:
        # invariant: no creation date or random document id, so the same report renders to the same bytes
        # (the library deduplicates by content hash).
        kwargs.setdefault("invariant", 1)
        super().__init__(buffer, **kwargs)
        self.placed: dict[Target, int] = {}

    def afterFlowable(self, flowable: Flowable) -> None:  # reportlab's hook name
        for target in getattr(flowable, "corpus_targets", ()):
            self.placed[target] = self.page


def render_pdf(
    pages: Sequence[Sequence[Unit]],
    *,
    header: str | None,
    footer: str | None,
    designed: bool,
    hyphenate: bool,
    title: str,
) -> tuple[bytes, dict[Target, int], int]:
    """The PDF bytes, the page each target was drawn on, and the PDF's page count."""
    scale = 1.0
    for _attempt in range(4):
        data, placed, page_count = _build(pages, header, footer, designed, hyphenate, title, scale)
        if page_count <= len(pages):
            break
        scale *= 0.9
    return data, placed, page_count


def _styles(designed: bool, hyphenate: bool, scale: float) -> dict[str, ParagraphStyle]:
    size = (9.5 if designed else 11) * scale
    body = ParagraphStyle(
        "body",
        fontName="Helvetica",
        fontSize=size,
        leading=size * 1.3,
        spaceAfter=size * 0.6,
        hyphenationLang="en_GB" if hyphenate else "",
        embeddedHyphenation=1 if hyphenate else 0,
        alignment=4 if designed else 0,
    )
    heading_colour = ACCENT if designed else colors.black
    return {
        "body": body,
        "quote": ParagraphStyle(
            "quote", parent=body, fontName="Helvetica-Oblique", leftIndent=18, rightIndent=18
        ),
        "finding": ParagraphStyle("finding", parent=body, fontName="Helvetica-Bold"),
        "toc": ParagraphStyle("toc", parent=body, spaceAfter=2),
        "cover": ParagraphStyle("cover", parent=body, fontSize=size * 1.2, leading=size * 1.6, spaceAfter=10),
        "title": ParagraphStyle(
            "title",
            parent=body,
            fontName="Helvetica-Bold",
            fontSize=26 * scale,
            leading=32 * scale,
            spaceBefore=120 * scale,
            spaceAfter=24,
            textColor=heading_colour,
        ),
        "subtitle": ParagraphStyle(
            "subtitle", parent=body, fontSize=16 * scale, leading=20 * scale, spaceAfter=30
        ),
        "h1": ParagraphStyle(
            "h1",
            parent=body,
            fontName="Helvetica-Bold",
            fontSize=size * 1.45,
            leading=size * 1.8,
            spaceBefore=8,
            spaceAfter=6,
            textColor=heading_colour,
        ),
        "h2": ParagraphStyle(
            "h2",
            parent=body,
            fontName="Helvetica-Bold",
            fontSize=size * 1.15,
            leading=size * 1.5,
            spaceBefore=6,
            spaceAfter=4,
            textColor=heading_colour,
        ),
        "item": ParagraphStyle(
            "item", parent=body, leftIndent=22, firstLineIndent=-22, spaceAfter=size * 0.4
        ),
        "cell": ParagraphStyle(
            "cell",
            parent=body,
            fontSize=size * 0.82,
            leading=size * 1.02,
            spaceAfter=0,
            alignment=0,
            hyphenationLang="",
        ),
        "callout_title": ParagraphStyle(
            "callout_title", parent=body, fontName="Helvetica-Bold", textColor=ACCENT, alignment=0
        ),
    }


def _markup(segments: Segments) -> str:
    return escape(plain(segments))


def _build(
    pages: Sequence[Sequence[Unit]],
    header: str | None,
    footer: str | None,
    designed: bool,
    hyphenate: bool,
    title: str,
    scale: float,
) -> tuple[bytes, dict[Target, int], int]:
    buffer = io.BytesIO()
    total = len(pages)
    document = _Document(
        buffer,
        pagesize=A4,
        title=title,
        author="Synthetic corpus",
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
    )

    def decorate(canvas: Canvas, doc: BaseDocTemplate) -> None:
        canvas.saveState()
        if designed:
            canvas.setFillColor(ACCENT)
            canvas.rect(0, PAGE_HEIGHT - 1.2 * cm, PAGE_WIDTH, 1.2 * cm, stroke=0, fill=1)
            canvas.setFillColor(colors.white if header else ACCENT)
        canvas.setFont("Helvetica", 8.5)
        if header:
            canvas.drawString(MARGIN, PAGE_HEIGHT - 0.8 * cm, header)
        if footer:
            canvas.setFillColor(colors.black)
            canvas.drawCentredString(PAGE_WIDTH / 2, 1.2 * cm, footer.format(page=doc.page, pages=total))
        canvas.restoreState()

    width = PAGE_WIDTH - 2 * MARGIN
    height = PAGE_HEIGHT - 2 * MARGIN
    gap = 0.8 * cm
    column = (width - gap) / 2 if designed else width
    cover = PageTemplate("cover", [Frame(MARGIN, MARGIN, width, height, id="cover")], onPage=decorate)
    if designed:
        frames = [
            Frame(MARGIN, MARGIN, column, height, id="left"),
            Frame(MARGIN + column + gap, MARGIN, column, height, id="right"),
        ]
    else:
        frames = [Frame(MARGIN, MARGIN, width, height, id="body")]
    body = PageTemplate("body", frames, onPage=decorate)
    document.addPageTemplates([cover, body])

    styles = _styles(designed, hyphenate, scale)
    story: list[Flowable] = [NextPageTemplate("body")]
    for number, units in enumerate(pages, start=1):
        story.extend(_page_flowables(units, styles, column))
        if number < total:
            story.append(PageBreak())
    document.build(story)
    return buffer.getvalue(), document.placed, document.page


def _page_flowables(
    units: Sequence[Unit], styles: dict[str, ParagraphStyle], column: float
) -> list[Flowable]:
    flowables: list[Flowable] = []
    for unit in with_tables_grouped(units):
        if isinstance(unit, Heading):
            flowables.append(Paragraph(escape(unit.text), styles["h1" if unit.level == 1 else "h2"]))
        elif isinstance(unit, Para):
            paragraph = Paragraph(_markup(unit.segments), styles.get(unit.style, styles["body"]))
            paragraph.corpus_targets = [unit.target] if unit.target else []
            flowables.append(paragraph)
        elif isinstance(unit, Item):
            item = Paragraph(escape(unit.label) + " " + _markup(unit.segments), styles["item"])
            item.corpus_targets = [unit.target] if unit.target else []
            flowables.append(item)
        elif isinstance(unit, list):
            flowables.append(_table(unit, styles, column))
        elif isinstance(unit, CallOut):
            flowables.append(_callout(unit, styles, column))
    return flowables


def _table(rows: list[Row], styles: dict[str, ParagraphStyle], column: float) -> Table:
    header = rows[0].header
    cell = styles["cell"]
    data: list[list[Paragraph]] = [[Paragraph(f"<b>{escape(name)}</b>", cell) for name in header]]
    data += [[Paragraph(_markup(segments), cell) for segments in row.cells] for row in rows]
    # The widest column (the event or the recommendation) takes what the short ones leave.
    lengths = [max(len(plain(row.cells[i])) for row in rows) for i in range(len(header))]
    wide = lengths.index(max(lengths))
    narrow = min(column * 0.27, 2.6 * cm)
    widths = [narrow] * len(header)
    widths[wide] = column - narrow * (len(header) - 1)
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dddddd")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    table.corpus_targets = [row.target for row in rows if row.target]
    return table


def _callout(unit: CallOut, styles: dict[str, ParagraphStyle], column: float) -> Flowable:
    content: list[Flowable] = [Paragraph(escape(unit.title), styles["callout_title"])]
    content += [Paragraph(_markup(paragraph), styles["body"]) for paragraph in unit.paragraphs]
    box = Table([[content]], colWidths=[column])
    box.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), CALLOUT_FILL),
                ("BOX", (0, 0), (-1, -1), 1, ACCENT),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("RIGHTPADDING", (0, 0), (-1, -1), 8),
            ]
        )
    )
    return box
