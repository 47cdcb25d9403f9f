"""Write a paginated report as a Word document with python-docx.

Numbered lists use Word's own numbering (the "List Number" style with a fresh numbering instance per
list, restarted at 1), so the numbers are not in the paragraph text, as in real reports. Each canonical
page ends with an explicit page break; the running header is the section header, and the footer uses
PAGE and NUMPAGES fields.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Sequence

from docx import Document
from docx.document import Document as WordDocument
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.text.paragraph import Paragraph

from extraction.corpus.blocks import CallOut, Heading, Item, Para, Row, Unit, plain, with_tables_grouped

_PARAGRAPH_STYLES = {"title": "Title", "subtitle": "Subtitle", "quote": "Quote"}


def render_docx(
    pages: Sequence[Sequence[Unit]], *, header: str | None, footer: str | None, title: str
) -> bytes:
    document = Document()
    document.core_properties.title = title
    # Fixed document dates, so the same report has the same content. The zip container still stamps the time it
    # was written, so DOCX bytes differ between runs; the demo loader therefore skips reports by file name.
    document.core_properties.created = document.core_properties.modified = datetime.datetime(2024, 1, 1)
    document.styles["Normal"].font.name = "Arial"
    document.styles["Normal"].font.size = Pt(11)
    section = document.sections[0]
    if header:
        section.header.paragraphs[0].text = header
    if footer:
        _footer_with_fields(section.footer.paragraphs[0], footer)

    numbering_for_list: dict[int, int] = {}
    for number, units in enumerate(pages, start=1):
        for unit in with_tables_grouped(units):
            if isinstance(unit, Heading):
                document.add_heading(unit.text, level=unit.level)
            elif isinstance(unit, Para):
                _paragraph(document, unit)
            elif isinstance(unit, Item):
                _item(document, unit, numbering_for_list)
            elif isinstance(unit, list):
                _table(document, unit)
            elif isinstance(unit, CallOut):
                _callout(document, unit)
        if number < len(pages):
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _paragraph(document: WordDocument, unit: Para) -> None:
    text = plain(unit.segments)
    if unit.style == "finding":
        document.add_paragraph().add_run(text).bold = True
    elif unit.style == "cover":
        document.add_paragraph().add_run(text).font.size = Pt(14)
    else:
        document.add_paragraph(text, style=_PARAGRAPH_STYLES.get(unit.style))


def _item(document: WordDocument, unit: Item, numbering_for_list: dict[int, int]) -> None:
    if not unit.word_numbering:
        style = "List Bullet" if unit.label in ("•", "-", "o") else None
        text = plain(unit.segments) if style else f"{unit.label} {plain(unit.segments)}"
        document.add_paragraph(text, style=style)
        return
    paragraph = document.add_paragraph(plain(unit.segments), style="List Number")
    if unit.list_id not in numbering_for_list:
        numbering_for_list[unit.list_id] = _restarted_numbering(document)
    properties = paragraph._p.get_or_add_pPr()
    number_properties = properties.get_or_add_numPr()
    number_properties.get_or_add_ilvl().val = 0
    number_properties.get_or_add_numId().val = numbering_for_list[unit.list_id]


def _restarted_numbering(document: WordDocument) -> int:
    """A new instance of the "List Number" list definition that starts again at 1."""
    style_number = document.styles["List Number"].element.pPr.numPr.numId.val
    numbering = document.part.numbering_part.numbering_definitions._numbering
    abstract = next(num.abstractNumId.val for num in numbering.num_lst if num.numId == style_number)
    instance = numbering.add_num(abstract)
    instance.add_lvlOverride(ilvl=0).add_startOverride(1)
    return int(instance.numId)


def _table(document: WordDocument, rows: list[Row]) -> None:
    table = document.add_table(rows=1, cols=len(rows[0].header))
    table.style = "Table Grid"
    for cell, name in zip(table.rows[0].cells, rows[0].header, strict=True):
        cell.paragraphs[0].add_run(name).bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, segments in zip(cells, row.cells, strict=True):
            cell.text = plain(segments)
    document.add_paragraph()


def _callout(document: WordDocument, unit: CallOut) -> None:
    box = document.add_table(rows=1, cols=1)
    box.style = "Table Grid"
    cell = box.rows[0].cells[0]
    cell.paragraphs[0].add_run(unit.title).bold = True
    for paragraph in unit.paragraphs:
        cell.add_paragraph(plain(paragraph))
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:fill"), "E4EEF5")
    cell._tc.get_or_add_tcPr().append(shading)
    document.add_paragraph()


def _footer_with_fields(paragraph: Paragraph, footer: str) -> None:
    """Write the footer with live PAGE and NUMPAGES fields where the template says {page} and {pages}."""
    rest = footer
    while rest:
        positions = [
            (rest.find(token), token, field)
            for token, field in (("{page}", "PAGE"), ("{pages}", "NUMPAGES"))
            if token in rest
        ]
        if not positions:
            paragraph.add_run(rest)
            break
        position, token, field = min(positions)
        if position:
            paragraph.add_run(rest[:position])
        _field(paragraph, field)
        rest = rest[position + len(token) :]


def _field(paragraph: Paragraph, instruction: str) -> None:
    run = paragraph.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    code = OxmlElement("w:instrText")
    code.set(qn("xml:space"), "preserve")
    code.text = f" {instruction} "
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    shown = OxmlElement("w:t")
    shown.text = "1"
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    for element in (begin, code, separate, shown, end):
        run._r.append(element)
