"""Read an uploaded report (PDF, DOCX, HTML or plain text) into a `Document`.

Every reader returns the text page by page; the pages are joined with `PAGE_SEPARATOR` (a form feed on a
line of its own, so every page starts at the start of a line) and each `Page` records where its text lies.

* `.txt`: the file's characters exactly (strict UTF-8, a byte-order mark kept as U+FEFF, no newline
  translation), because DESIGN.md promises that offsets index into exactly that text. Form feeds separate
  pages. Nothing is cleaned.
* PDF: PDFium's text per page, with line ends normalised to "\\n". Ruled tables are rebuilt row by row
  ("cell | cell"): cells are found among the horizontal and vertical rules PDFium reports (drawn lines or
  the edges of shaded cells), and each cell's text is PDFium's text inside it. Only grids of at least two
  rows and two columns count, so call-out boxes, underlines and rules under headings stay plain text;
  unruled, space-aligned tables stay as PDFium gives them. (pdfplumber, which this replaced, read about 4
  pages/s against PDFium's 400.)
* DOCX: the body in order, paragraphs and tables; list numbers rebuilt from the numbering definitions;
  headers, footers, text boxes and deleted text left out. Pages are the ones Word last rendered
  (w:lastRenderedPageBreak) when the file records them, else the explicit page and section breaks.
* HTML: the visible text; each block on its own line, list items with their bullet or number, table rows
  as "cell | cell". One page.

PDF, DOCX and HTML text then loses its running headers and footers and has words broken at line ends
made whole (`extraction.cleanup`).
"""

from __future__ import annotations

import ctypes
import hashlib
import io
import lzma
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import docx
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from bs4 import BeautifulSoup
from bs4.element import Comment, Declaration, Doctype, NavigableString, ProcessingInstruction, Tag
from docx.document import Document as WordDocument
from docx.exceptions import PythonDocxError
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.opc.exceptions import OpcError
from docx.opc.part import XmlPart
from docx.oxml.ns import qn
from lxml import etree

from extraction.cleanup import join_line_end_hyphens, remove_repeated_headers_footers
from extraction.document import Document, Page
from extraction.errors import CorruptDocument, EmptyDocument, EncryptedDocument, NeedsOcr, TooLarge
from extraction.safety import DOCX, MEBIBYTE, PDF, TEXT, Limits, check_upload, decode_utf8_text

PAGE_SEPARATOR = "\n\f\n"
DEFAULT_LIMITS = Limits()


def read_document(path: Path, limits: Limits = DEFAULT_LIMITS) -> Document:
    """Read the file at `path`; raises an `UnreadableDocument` subclass saying why when it cannot."""
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise TooLarge(
            f"this file is {size / MEBIBYTE:.1f} MB; the limit is {limits.max_bytes / MEBIBYTE:.0f} MB"
        )
    return _read(path.read_bytes(), path.name, limits, source=str(path))


def read_bytes(data: bytes, filename: str, limits: Limits = DEFAULT_LIMITS) -> Document:
    """Read an upload held in memory; `filename` gives the extension the uploader claims."""
    return _read(data, filename, limits, source=filename)


def _read(data: bytes, filename: str, limits: Limits, source: str) -> Document:
    media_type = check_upload(data, filename, limits)
    warnings: list[str] = []
    if media_type == TEXT:
        text = decode_utf8_text(data)
        spans = _text_file_pages(text)
    else:
        if media_type == PDF:
            raw_pages = _read_pdf(data, limits, warnings)
        elif media_type == DOCX:
            raw_pages = _read_docx(data)
        else:
            raw_pages = [_read_html(data)]
        pages = [join_line_end_hyphens(page) for page in remove_repeated_headers_footers(raw_pages)]
        text, spans = _join_pages(pages)
    if len(spans) > limits.max_pages:
        raise TooLarge(f"this document has {len(spans)} pages; the limit is {limits.max_pages}")
    if len(text) > limits.max_text_chars:
        raise TooLarge(
            f"this document has {len(text):,} characters of text; the limit is {limits.max_text_chars:,}"
        )
    if not text.strip():
        raise EmptyDocument()
    return Document(
        source=source,
        sha256=hashlib.sha256(data).hexdigest(),
        media_type=media_type,
        text=text,
        pages=spans,
        warnings=warnings,
    )


def _join_pages(pages: list[str]) -> tuple[str, list[Page]]:
    spans: list[Page] = []
    offset = 0
    for number, page_text in enumerate(pages, start=1):
        spans.append(Page(number=number, start=offset, end=offset + len(page_text)))
        offset += len(page_text) + len(PAGE_SEPARATOR)
    return PAGE_SEPARATOR.join(pages), spans


def _text_file_pages(text: str) -> list[Page]:
    """Pages of a text file: form feeds separate them, and the text itself stays exactly as it is.

    Text after the last form feed that is only white space is the end of the file, not a page: tools
    that print pages (pdftotext among them) end every page with a form feed.
    """
    spans: list[Page] = []
    start = 0
    for number, page_text in enumerate(text.split("\f"), start=1):
        spans.append(Page(number=number, start=start, end=start + len(page_text)))
        start += len(page_text) + 1
    if len(spans) > 1 and not text[spans[-1].start : spans[-1].end].strip():
        spans.pop()
    return spans


# --- PDF --------------------------------------------------------------------------------------------

_LINE_ENDS = re.compile(r"\r\n?")
_MAX_FORM_DEPTH = 15
# Rules closer than this (points) are one rule: a cell's border drawn twice, or both long edges of a thin
# filled rectangle used as a rule. Rule ends this close join, and a rule this near another crosses it.
# These are pdfplumber's default tolerances, whose table rows the reader used to take.
_SNAP = 3.0
# Shorter straight segments are glyph strokes or dashes, not rules.
_RULE_MIN_LENGTH = 3.0
# More rule crossings than this on one page is a chart or a drawing, not a report's table; looking for
# cells among them could take seconds.
_MAX_CROSSINGS = 5000


@dataclass(frozen=True)
class _Matrix:
    """A PDF transformation matrix: (x, y) becomes (a·x + c·y + e, b·x + d·y + f)."""

    a: float = 1.0
    b: float = 0.0
    c: float = 0.0
    d: float = 1.0
    e: float = 0.0
    f: float = 0.0

    def then(self, outer: _Matrix) -> _Matrix:
        """This matrix followed by `outer` (an object's matrix, then its form's)."""
        return _Matrix(
            a=self.a * outer.a + self.b * outer.c,
            b=self.a * outer.b + self.b * outer.d,
            c=self.c * outer.a + self.d * outer.c,
            d=self.c * outer.b + self.d * outer.d,
            e=self.e * outer.a + self.f * outer.c + outer.e,
            f=self.e * outer.b + self.f * outer.d + outer.f,
        )

    def apply(self, x: float, y: float) -> tuple[float, float]:
        return self.a * x + self.c * y + self.e, self.b * x + self.d * y + self.f


@dataclass(frozen=True)
class _Rule:
    """A straight horizontal or vertical line: `at` is its y (horizontal) or x (vertical), in points."""

    at: float
    start: float
    end: float


@dataclass
class _PageGraphics:
    """Images and ruling lines on a page, found through PDFium's C API, in page coordinates (y upwards).

    pypdfium2's `get_objects` builds a Python object for every text run (thousands on a dense page) and
    costs as much as the text extraction; asking each object's type directly costs a tenth of that.
    Every straight horizontal or vertical segment of a path counts as a rule, whether the path is stroked
    or filled: a cell's border, the edge of a shaded cell, a thin filled bar.
    """

    has_images: bool = False
    horizontal: list[_Rule] = field(default_factory=list)
    vertical: list[_Rule] = field(default_factory=list)

    def visit(self, parent: Any, form: bool, matrix: _Matrix = _Matrix(), depth: int = 0) -> None:
        count = pdfium_c.FPDFFormObj_CountObjects(parent) if form else pdfium_c.FPDFPage_CountObjects(parent)
        for index in range(count):
            page_object = (
                pdfium_c.FPDFFormObj_GetObject(parent, index)
                if form
                else pdfium_c.FPDFPage_GetObject(parent, index)
            )
            kind = pdfium_c.FPDFPageObj_GetType(page_object)
            if kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
                self.has_images = True
            elif kind == pdfium_c.FPDF_PAGEOBJ_PATH:
                self._add_rules(page_object, _object_matrix(page_object).then(matrix))
            elif kind == pdfium_c.FPDF_PAGEOBJ_FORM and depth < _MAX_FORM_DEPTH:
                self.visit(page_object, True, _object_matrix(page_object).then(matrix), depth + 1)

    def _add_rules(self, path_object: Any, matrix: _Matrix) -> None:
        x, y = ctypes.c_float(), ctypes.c_float()
        current = subpath_start = (0.0, 0.0)
        for index in range(pdfium_c.FPDFPath_CountSegments(path_object)):
            segment = pdfium_c.FPDFPath_GetPathSegment(path_object, index)
            pdfium_c.FPDFPathSegment_GetPoint(segment, ctypes.byref(x), ctypes.byref(y))
            point = matrix.apply(x.value, y.value)
            kind = pdfium_c.FPDFPathSegment_GetType(segment)
            if kind == pdfium_c.FPDF_SEGMENT_MOVETO:
                subpath_start = point
            elif kind == pdfium_c.FPDF_SEGMENT_LINETO:
                self._add_line(current, point)
            # A curve's end point only moves the pen: rounded corners are not rules.
            if pdfium_c.FPDFPathSegment_GetClose(segment):
                self._add_line(point, subpath_start)
            current = point

    def _add_line(self, start: tuple[float, float], end: tuple[float, float]) -> None:
        (x0, y0), (x1, y1) = start, end
        if abs(y1 - y0) <= _SNAP / 3 and abs(x1 - x0) >= _RULE_MIN_LENGTH:
            self.horizontal.append(_Rule(at=(y0 + y1) / 2, start=min(x0, x1), end=max(x0, x1)))
        elif abs(x1 - x0) <= _SNAP / 3 and abs(y1 - y0) >= _RULE_MIN_LENGTH:
            self.vertical.append(_Rule(at=(x0 + x1) / 2, start=min(y0, y1), end=max(y0, y1)))


def _object_matrix(page_object: Any) -> _Matrix:
    raw = pdfium_c.FS_MATRIX()
    if not pdfium_c.FPDFPageObj_GetMatrix(page_object, ctypes.byref(raw)):
        return _Matrix()
    return _Matrix(raw.a, raw.b, raw.c, raw.d, raw.e, raw.f)


@dataclass(frozen=True)
class _Cell:
    left: float
    bottom: float
    right: float
    top: float


@dataclass(frozen=True)
class _Table:
    left: float
    bottom: float
    right: float
    top: float  # PDF coordinates: y grows upwards
    rows: list[str]


def _read_pdf(data: bytes, limits: Limits, warnings: list[str]) -> list[str]:
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        if error.err_code == pdfium_c.FPDF_ERR_PASSWORD:
            raise EncryptedDocument() from None
        raise CorruptDocument("this PDF is damaged and could not be opened") from None
    try:
        page_count = len(pdf)
        if page_count > limits.max_pages:
            raise TooLarge(f"this PDF has {page_count} pages; the limit is {limits.max_pages}")
        texts: list[str] = []
        image_only: list[int] = []
        for index in range(page_count):
            text, has_images = _read_pdf_page(pdf, index, warnings)
            texts.append(text)
            if has_images and not text.strip():
                image_only.append(index + 1)
        if image_only and not any(text.strip() for text in texts):
            raise NeedsOcr()
        if image_only:
            warnings.append(
                f"pages {_page_list(image_only)} have no text layer (scanned images); their text is missing"
            )
        return texts
    finally:
        pdf.close()


def _read_pdf_page(pdf: pdfium.PdfDocument, index: int, warnings: list[str]) -> tuple[str, bool]:
    """The page's text, ruled tables rebuilt row by row, and whether the page shows images."""
    try:
        page = pdf[index]
    except pdfium.PdfiumError:
        warnings.append(f"page {index + 1} could not be read; its text is missing")
        return "", False
    try:
        graphics = _PageGraphics()
        graphics.visit(page.raw, form=False)
        textpage = page.get_textpage()
        try:
            tables = _find_tables(graphics, textpage)
            if tables:
                return _page_text_with_tables(page, textpage, tables), graphics.has_images
            return _normalise_pdf_text(textpage.get_text_range()), graphics.has_images
        finally:
            textpage.close()
    except pdfium.PdfiumError:
        warnings.append(f"page {index + 1} could not be read; its text is missing")
        return "", False
    finally:
        page.close()


def _find_tables(graphics: _PageGraphics, textpage: pdfium.PdfTextPage) -> list[_Table]:
    """Ruled tables on the page, top first: grids of at least two rows and two columns of cells.

    Cells are found as pdfplumber's "lines" strategy finds them, and a table is a group of cells that
    share corners; so a call-out box (one cell), rules under headings, and a frame around the page are
    not tables.
    """
    if len(graphics.horizontal) < 3 or len(graphics.vertical) < 3:
        return []  # two rows and two columns need three rules each way
    horizontal = _merge_rules(graphics.horizontal)
    vertical = _merge_rules(graphics.vertical)
    crossings = {
        (across.at, down.at)
        for across in horizontal
        for down in vertical
        if across.start - _SNAP <= down.at <= across.end + _SNAP
        and down.start - _SNAP <= across.at <= down.end + _SNAP
    }
    if len(crossings) > _MAX_CROSSINGS:
        return []
    tables = []
    for cells in _group_cells(_find_cells(crossings, horizontal, vertical)):
        table = _table_from_cells(cells, textpage)
        if table is not None:
            tables.append(table)
    return sorted(tables, key=lambda table: -table.top)


def _merge_rules(rules: list[_Rule]) -> list[_Rule]:
    """Rules snapped to shared positions, with touching or overlapping rules at a position joined."""
    rules = sorted(rules, key=lambda rule: rule.at)
    snapped: list[_Rule] = []
    group = [rules[0]]
    for rule in rules[1:]:
        if rule.at - group[-1].at > _SNAP:
            snapped.extend(_snap(group))
            group = []
        group.append(rule)
    snapped.extend(_snap(group))
    merged: list[_Rule] = []
    for rule in sorted(snapped, key=lambda rule: (rule.at, rule.start)):
        last = merged[-1] if merged else None
        if last is not None and last.at == rule.at and rule.start <= last.end + _SNAP:
            merged[-1] = _Rule(last.at, last.start, max(last.end, rule.end))
        else:
            merged.append(rule)
    return merged


def _snap(group: list[_Rule]) -> list[_Rule]:
    at = sum(rule.at for rule in group) / len(group)
    return [_Rule(at, rule.start, rule.end) for rule in group]


def _covers(rules: dict[float, list[tuple[float, float]]], at: float, low: float, high: float) -> bool:
    return any(start - _SNAP <= low and high <= end + _SNAP for start, end in rules.get(at, ()))


def _find_cells(
    crossings: set[tuple[float, float]], horizontal: list[_Rule], vertical: list[_Rule]
) -> list[_Cell]:
    """The smallest rectangles whose four sides are drawn, from each crossing as a top-left corner."""
    across: dict[float, list[tuple[float, float]]] = {}
    down: dict[float, list[tuple[float, float]]] = {}
    for rule in horizontal:
        across.setdefault(rule.at, []).append((rule.start, rule.end))
    for rule in vertical:
        down.setdefault(rule.at, []).append((rule.start, rule.end))
    xs_at_y: dict[float, list[float]] = {}
    ys_at_x: dict[float, list[float]] = {}
    for y, x in crossings:
        xs_at_y.setdefault(y, []).append(x)
        ys_at_x.setdefault(x, []).append(y)
    cells = []
    for top, left in crossings:
        # Walk away from the corner only as far as its rules run: a side must be drawn to be a side.
        belows = _reached(sorted((y for y in ys_at_x[left] if y < top), reverse=True), down, left, top)
        rights = _reached(sorted(x for x in xs_at_y[top] if x > left), across, top, left)
        cell = next(
            (
                _Cell(left, bottom, right, top)
                for bottom in belows
                for right in rights
                if (bottom, right) in crossings
                and _covers(across, bottom, left, right)
                and _covers(down, right, bottom, top)
            ),
            None,
        )
        if cell is not None:
            cells.append(cell)
    return cells


def _reached(
    positions: list[float], rules: dict[float, list[tuple[float, float]]], at: float, corner: float
) -> list[float]:
    """The positions, nearest first, that a rule at `at` runs to unbroken from `corner`."""
    reached = []
    for position in positions:
        if not _covers(rules, at, min(position, corner), max(position, corner)):
            break
        reached.append(position)
    return reached


def _group_cells(cells: list[_Cell]) -> list[list[_Cell]]:
    """Cells joined into tables: cells that share a corner belong to the same table."""
    tables: list[tuple[set[tuple[float, float]], list[_Cell]]] = []
    for cell in sorted(cells, key=lambda cell: (-cell.top, cell.left)):
        corners = {(x, y) for x in (cell.left, cell.right) for y in (cell.bottom, cell.top)}
        touching = [table for table in tables if table[0] & corners]
        for table in touching:
            tables.remove(table)
            corners |= table[0]
        tables.append((corners, [cell for table in touching for cell in table[1]] + [cell]))
    return [table_cells for _, table_cells in tables]


def _table_from_cells(cells: list[_Cell], textpage: pdfium.PdfTextPage) -> _Table | None:
    """The table's rows as "cell | cell" lines, or None for a one-row or one-column frame."""
    columns = sorted({cell.left for cell in cells})
    if len(columns) < 2:
        return None
    cells_by_top: dict[float, dict[float, _Cell]] = {}
    for cell in cells:
        cells_by_top.setdefault(cell.top, {})[cell.left] = cell
    rows = []
    for top in sorted(cells_by_top, reverse=True):
        row = cells_by_top[top]
        # A cell merged across columns leaves the columns it covers empty, as pdfplumber did.
        line = " | ".join(_pdf_cell_text(textpage, row[left]) if left in row else "" for left in columns)
        if line.strip(" |"):
            rows.append(line)
    if len(rows) < 2:
        return None
    return _Table(
        left=min(cell.left for cell in cells),
        bottom=min(cell.bottom for cell in cells),
        right=max(cell.right for cell in cells),
        top=max(cell.top for cell in cells),
        rows=rows,
    )


def _pdf_cell_text(textpage: pdfium.PdfTextPage, cell: _Cell) -> str:
    return " ".join(textpage.get_text_bounded(cell.left, cell.bottom, cell.right, cell.top).split())


def _normalise_pdf_text(text: str) -> str:
    return _LINE_ENDS.sub("\n", text).replace("\x00", "")


def _page_text_with_tables(page: pdfium.PdfPage, textpage: pdfium.PdfTextPage, tables: list[_Table]) -> str:
    """The page's text with each table's region replaced by its rows, in reading order.

    Tables side by side (one in each column of a two-column layout) share a band of the page; the band is
    read as strips left to right, each table's strip holding the text above it, its rows and the text below.
    """
    width, height = page.get_size()
    pieces: list[str] = []
    region_top = height
    for band in _bands(tables):
        band_top, band_bottom = max(table.top for table in band), min(table.bottom for table in band)
        pieces.append(textpage.get_text_bounded(0, band_top, width, region_top))
        strip_left = 0.0
        for table in band:
            pieces.append(textpage.get_text_bounded(strip_left, band_bottom, table.left, band_top))
            pieces.append(textpage.get_text_bounded(table.left, table.top, table.right, band_top))
            pieces.extend(table.rows)
            pieces.append(textpage.get_text_bounded(table.left, band_bottom, table.right, table.bottom))
            strip_left = table.right
        pieces.append(textpage.get_text_bounded(strip_left, band_bottom, width, band_top))
        region_top = band_bottom
    pieces.append(textpage.get_text_bounded(0, 0, width, region_top))
    return "\n".join(_normalise_pdf_text(piece) for piece in pieces if piece.strip())


def _bands(tables: list[_Table]) -> list[list[_Table]]:
    """Tables (given top first) grouped into bands of tables beside each other, each band left to right.

    A table that overlaps another of its band left to right as well as top to bottom cannot be read in
    strips; it is left out, and its text is read as part of the band.
    """
    bands: list[list[_Table]] = []
    for table in tables:
        band = bands[-1] if bands else []
        if band and table.top > min(other.bottom for other in band):
            if all(table.left >= other.right or table.right <= other.left for other in band):
                band.append(table)
        else:
            bands.append([table])
    return [sorted(band, key=lambda table: table.left) for band in bands]


def _page_list(numbers: list[int]) -> str:
    return ", ".join(str(number) for number in numbers)


# --- DOCX -------------------------------------------------------------------------------------------

_NAMESPACES = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}
_W_BODY = qn("w:body")
_W_P = qn("w:p")
_W_TBL = qn("w:tbl")
_W_TR = qn("w:tr")
_W_TC = qn("w:tc")
_W_R = qn("w:r")
_W_T = qn("w:t")
_W_TAB = qn("w:tab")
_W_BR = qn("w:br")
_W_CR = qn("w:cr")
_W_NO_BREAK_HYPHEN = qn("w:noBreakHyphen")
_W_RENDERED_BREAK = qn("w:lastRenderedPageBreak")
_W_SDT = qn("w:sdt")
_W_SDT_CONTENT = qn("w:sdtContent")
_W_TYPE = qn("w:type")
_W_VAL = qn("w:val")
# Run containers whose text is part of the paragraph. Deleted text (w:del, w:moveFrom), text boxes and
# alternate content (which repeats a text box as a fallback) are deliberately not among them.
_RUN_CONTAINERS = frozenset(
    qn(tag)
    for tag in ("w:hyperlink", "w:ins", "w:moveTo", "w:smartTag", "w:customXml", "w:fldSimple", "w:sdt")
) | {_W_SDT_CONTENT}
_BODY_CONTAINERS = frozenset({_W_SDT, _W_SDT_CONTENT, qn("w:customXml")})


def _xpath(element: etree._Element, expression: str, **variables: str) -> Any:
    # python-docx's own elements know the "w:" prefix but the rest of the tree does not: lxml's xpath,
    # called directly, serves both.
    return etree._Element.xpath(element, expression, namespaces=_NAMESPACES, **variables)


class _PageBreak:
    """Marks where a new page starts inside a paragraph's text."""


_PAGE_BREAK = _PageBreak()


# How a damaged package fails to open: a bad zip directory or member (zlib's, bz2's OSError, LZMA's and EOFError
# from inflating damaged data; NotImplementedError for an unknown compression method or zip version), a missing
# part, bad XML,
# and XML of the wrong shape (python-docx's own errors; AttributeError or TypeError where it expects one of its
# elements or an attribute, such as a relationship without a target).
_DOCX_OPEN_ERRORS = (
    OpcError, PythonDocxError, KeyError, ValueError, AttributeError, TypeError, zipfile.BadZipFile, zlib.error,
    OSError, lzma.LZMAError, EOFError, NotImplementedError, etree.XMLSyntaxError,
)  # fmt: skip


def _read_docx(data: bytes) -> list[str]:
    try:
        document = docx.Document(io.BytesIO(data))
    except _DOCX_OPEN_ERRORS:
        raise CorruptDocument("this Word document is damaged and could not be opened") from None
    # The main part opened, but it may not be a Word document's body (a damaged or hand-made package).
    body = document.element.find(_W_BODY) if document.element.tag == qn("w:document") else None
    if body is None:
        raise CorruptDocument("this Word document is damaged: it has no body text")
    rendered = bool(_xpath(body, ".//w:lastRenderedPageBreak"))
    numbering = _Numbering(document)
    pages = _DocxPages()
    for block in _body_blocks(body):
        if block.tag == _W_TBL:
            _add_table(block, pages, rendered)
        else:
            _add_paragraph(block, pages, numbering, rendered)
    return pages.texts()


@dataclass
class _DocxPages:
    lines: list[list[str]] = field(default_factory=lambda: [[]])

    def add(self, line: str) -> None:
        self.lines[-1].append(line)

    def new_page(self) -> None:
        self.lines.append([])

    def texts(self) -> list[str]:
        return ["\n".join(page) for page in self.lines]


def _body_blocks(container: etree._Element) -> Iterator[etree._Element]:
    for child in container:
        if child.tag in (_W_P, _W_TBL):
            yield child
        elif child.tag in _BODY_CONTAINERS:
            yield from _body_blocks(child)


def _add_paragraph(
    paragraph: etree._Element, pages: _DocxPages, numbering: _Numbering, rendered: bool
) -> None:
    if not rendered and _xpath(paragraph, "./w:pPr/w:pageBreakBefore[not(@w:val='0' or @w:val='false')]"):
        pages.new_page()
    segments: list[list[str]] = [[]]
    for piece in _paragraph_pieces(paragraph, rendered):
        if isinstance(piece, _PageBreak):
            segments.append([])
        else:
            segments[-1].append(piece)
    label = numbering.label(paragraph)
    texts = ["".join(segment) for segment in segments]
    for index, text in enumerate(texts):
        if index:
            pages.new_page()
        # Word records a rendered break at the start of the first run on the new page, and an explicit
        # break often ends a paragraph: neither leaves an empty line behind.
        if text or len(texts) == 1:
            pages.add(f"{label} {text}" if label else text)
            label = ""
    if not rendered and _ends_section_on_new_page(paragraph):
        pages.new_page()


def _paragraph_pieces(element: etree._Element, rendered: bool) -> Iterator[str | _PageBreak]:
    for child in element:
        tag = child.tag
        if tag == _W_R:
            yield from _run_pieces(child, rendered)
        elif tag in _RUN_CONTAINERS:
            yield from _paragraph_pieces(child, rendered)


def _run_pieces(run: etree._Element, rendered: bool) -> Iterator[str | _PageBreak]:
    for child in run:
        tag = child.tag
        if tag == _W_T:
            yield child.text or ""
        elif tag == _W_TAB:
            yield "\t"
        elif tag == _W_NO_BREAK_HYPHEN:
            yield "-"
        elif tag == _W_CR:
            yield "\n"
        elif tag == _W_BR:
            if child.get(_W_TYPE) == "page":
                if not rendered:
                    yield _PAGE_BREAK
            else:
                yield "\n"
        elif tag == _W_RENDERED_BREAK and rendered:
            yield _PAGE_BREAK


def _ends_section_on_new_page(paragraph: etree._Element) -> bool:
    section_types = _xpath(paragraph, "./w:pPr/w:sectPr/w:type/@w:val")
    has_section = bool(_xpath(paragraph, "./w:pPr/w:sectPr"))
    # A section break starts a new page unless it says otherwise ("nextPage" is the default).
    return has_section and not (section_types and section_types[0] in ("continuous", "nextColumn"))


def _add_table(table: etree._Element, pages: _DocxPages, rendered: bool) -> None:
    for row in table.iterchildren(_W_TR):
        if rendered and _xpath(row, ".//w:lastRenderedPageBreak"):
            pages.new_page()
        cells = [_cell_text(cell) for cell in row.iterchildren(_W_TC)]
        if any(cells):
            pages.add(" | ".join(cells))


def _cell_text(cell: etree._Element) -> str:
    # Nested tables and several paragraphs are flattened: a row must stay one line.
    texts = (
        "".join(piece for piece in _paragraph_pieces(paragraph, rendered=False) if isinstance(piece, str))
        for paragraph in cell.iter(_W_P)
    )
    return " ".join(" ".join(text.split()) for text in texts if text.strip())


_ROMAN = (
    (1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
    (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"),
)  # fmt: skip
_LEVEL_PLACEHOLDER = re.compile(r"%([1-9])")


@dataclass(frozen=True)
class _Level:
    number_format: str
    text: str
    start: int


class _Numbering:
    """List labels ("1.", "a)", "2.1", "•") as Word would show them, counted per list (numId)."""

    def __init__(self, document: WordDocument) -> None:
        self._levels: dict[tuple[str, int], _Level] = {}
        self._counters: dict[str, list[int | None]] = {}
        # Not `numbering_part` or `styles`: python-docx cannot make the empty numbering part it would for a
        # document without lists, and either part may be missing or not XML in a damaged package.
        self._styles = _related_xml(document, RELATIONSHIP_TYPE.STYLES)
        numbering = _related_xml(document, RELATIONSHIP_TYPE.NUMBERING)
        if numbering is None:
            return
        abstract_levels: dict[str, dict[int, _Level]] = {}
        for abstract in numbering.findall(qn("w:abstractNum")):
            levels = {
                ilvl: _level(lvl)
                for lvl in abstract.findall(qn("w:lvl"))
                if (ilvl := _list_level(lvl.get(qn("w:ilvl"), "0"))) is not None
            }
            abstract_levels[abstract.get(qn("w:abstractNumId"), "")] = levels
        for num in numbering.findall(qn("w:num")):
            num_id = num.get(qn("w:numId"), "")
            abstract_id = _xpath(num, "string(./w:abstractNumId/@w:val)")
            for ilvl, level in abstract_levels.get(abstract_id, {}).items():
                self._levels[(num_id, ilvl)] = level
            for override in num.findall(qn("w:lvlOverride")):
                override_level = _list_level(override.get(qn("w:ilvl"), "0"))
                start = _word_number(_xpath(override, "string(./w:startOverride/@w:val)"))
                if override_level is None or start is None or (num_id, override_level) not in self._levels:
                    continue
                base = self._levels[(num_id, override_level)]
                self._levels[(num_id, override_level)] = _Level(base.number_format, base.text, start)

    def label(self, paragraph: etree._Element) -> str:
        num_id, ilvl = self._list_of(paragraph)
        if num_id is None or (num_id, ilvl) not in self._levels:
            return ""
        counters = self._counters.setdefault(num_id, [None] * 9)
        level = self._levels[(num_id, ilvl)]
        current = counters[ilvl]
        counters[ilvl] = level.start if current is None else current + 1
        for deeper in range(ilvl + 1, 9):
            counters[deeper] = None
        if level.number_format == "bullet":
            return "•"
        if level.number_format == "none":
            return ""

        def substitute(match: re.Match[str]) -> str:
            index = int(match.group(1)) - 1
            referenced = self._levels.get((num_id, index))
            value = counters[index]
            if referenced is None:
                return ""
            return _format_number(referenced.start if value is None else value, referenced.number_format)

        return _LEVEL_PLACEHOLDER.sub(substitute, level.text).strip()

    def _list_of(self, paragraph: etree._Element) -> tuple[str | None, int]:
        num_ids = _xpath(paragraph, "./w:pPr/w:numPr/w:numId/@w:val")
        levels = _xpath(paragraph, "./w:pPr/w:numPr/w:ilvl/@w:val")
        if not num_ids:
            num_ids, style_levels = self._style_list(paragraph)
            levels = levels or style_levels
        num_id = str(num_ids[0]) if num_ids else None
        ilvl = _list_level(str(levels[0])) if levels else 0
        # numId 0 switches numbering off for a paragraph whose style would number it.
        return (None if num_id == "0" or ilvl is None else num_id), ilvl or 0

    def _style_list(self, paragraph: etree._Element) -> tuple[list[str], list[str]]:
        style_ids = _xpath(paragraph, "./w:pPr/w:pStyle/@w:val")
        styles = self._styles
        if styles is None:
            return [], []
        seen: set[str] = set()
        style_id = str(style_ids[0]) if style_ids else None
        while style_id and style_id not in seen:
            seen.add(style_id)
            found = _xpath(styles, "./w:style[@w:styleId=$style_id]", style_id=style_id)
            if not found:
                break
            num_ids = _xpath(found[0], "./w:pPr/w:numPr/w:numId/@w:val")
            if num_ids:
                return [str(value) for value in num_ids], [
                    str(value) for value in _xpath(found[0], "./w:pPr/w:numPr/w:ilvl/@w:val")
                ]
            based_on = _xpath(found[0], "./w:basedOn/@w:val")
            style_id = str(based_on[0]) if based_on else None
        return [], []


def _related_xml(document: WordDocument, relationship: str) -> etree._Element | None:
    """The XML of the document's part of this kind, or None when there is none or it is not XML."""
    try:
        part = document.part.part_related_by(relationship)
    except KeyError:
        return None
    return part.element if isinstance(part, XmlPart) else None


def _level(lvl: etree._Element) -> _Level:
    number_format = _xpath(lvl, "string(./w:numFmt/@w:val)") or "decimal"
    text = _xpath(lvl, "string(./w:lvlText/@w:val)")
    start = _word_number(_xpath(lvl, "string(./w:start/@w:val)"))
    return _Level(str(number_format), str(text), 1 if start is None else start)


# Word writes list numbers as plain decimal integers; its own limit for a list's start is 32767.
_DECIMAL = re.compile(r"-?[0-9]{1,9}")
_MAX_LIST_NUMBER = 32767
_LIST_LEVELS = 9  # w:ilvl 0 to 8


def _word_number(value: object) -> int | None:
    """A number Word wrote, or None when the attribute holds something else; kept within Word's range, so
    a hostile start of a billion cannot make a label of millions of letters."""
    text = str(value).strip()
    if not _DECIMAL.fullmatch(text):
        return None
    return max(-_MAX_LIST_NUMBER, min(int(text), _MAX_LIST_NUMBER))


def _list_level(value: object) -> int | None:
    level = _word_number(value)
    return level if level is not None and 0 <= level < _LIST_LEVELS else None


def _format_number(value: int, number_format: str) -> str:
    if number_format in ("lowerLetter", "upperLetter"):
        letters = _letters(value)
        return letters if number_format == "lowerLetter" else letters.upper()
    if number_format in ("lowerRoman", "upperRoman"):
        roman = _roman(value)
        return roman if number_format == "lowerRoman" else roman.upper()
    if number_format == "decimalZero":
        return f"{value:02d}"
    return str(value)


def _letters(value: int) -> str:
    # Word repeats the letter past z: a..z, aa..zz, aaa...
    if value < 1:
        return str(value)
    return chr(ord("a") + (value - 1) % 26) * ((value - 1) // 26 + 1)


def _roman(value: int) -> str:
    if value < 1:
        return str(value)
    result = []
    for amount, numeral in _ROMAN:
        count, value = divmod(value, amount)
        result.append(numeral * count)
    return "".join(result)


# --- HTML -------------------------------------------------------------------------------------------

_INVISIBLE_TAGS = (
    "script",
    "style",
    "noscript",
    "template",
    "head",
    "nav",
    "iframe",
    "svg",
    "object",
    "embed",
)
_PAGE_FURNITURE_TAGS = ("header", "footer")
_BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "caption", "dd", "details", "dialog", "div", "dl", "dt",
        "fieldset", "figcaption", "figure", "form", "h1", "h2", "h3", "h4", "h5", "h6", "hgroup", "hr",
        "main", "p", "section", "summary", "body", "html",
    }
)  # fmt: skip
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_NON_TEXT_STRINGS = (Comment, Declaration, Doctype, ProcessingInstruction)
# Deeper than this an element's text is taken whole, as one run of words: real pages nest a few dozen deep,
# and walking a hostile page's thousands of levels a call each would exhaust Python's stack.
_MAX_HTML_DEPTH = 100


def _read_html(data: bytes) -> str:
    soup = BeautifulSoup(data, "lxml")
    for tag in soup.find_all(_INVISIBLE_TAGS):
        tag.decompose()
    # The site's banner and footer are furniture; an article's own header holds its title, so it stays.
    for tag in soup.find_all(_PAGE_FURNITURE_TAGS):
        if tag.find_parent(["article", "main"]) is None:
            tag.decompose()
    for tag in soup.find_all(_is_hidden):
        tag.decompose()
    writer = _HtmlTextWriter()
    writer.walk(soup)
    return writer.text()


def _is_hidden(tag: Tag) -> bool:
    return (
        tag.has_attr("hidden")
        or tag.get("aria-hidden") == "true"
        or bool(_HIDDEN_STYLE.search(str(tag.get("style", ""))))
    )


class _HtmlTextWriter:
    """Lays HTML out as lines: blocks, list items and table rows each start a line."""

    def __init__(self) -> None:
        self._lines: list[str] = []
        self._line: list[str] = []
        self._lists: list[list[int]] = []  # one entry per open list: [next number] for <ol>, [] for <ul>

    def text(self) -> str:
        self._end_line()
        return "\n".join(self._lines)

    def walk(self, node: Tag, depth: int = 0) -> None:
        for child in node.children:
            if isinstance(child, NavigableString):
                if not isinstance(child, _NON_TEXT_STRINGS):
                    self._line.append(str(child))
            elif isinstance(child, Tag):
                if depth < _MAX_HTML_DEPTH:
                    self._element(child, depth + 1)
                else:
                    self._line.append(f" {child.get_text(' ')} ")

    def _element(self, tag: Tag, depth: int) -> None:
        name = tag.name
        if name == "br":
            self._end_line()
        elif name == "pre":
            self._end_line()
            self._lines.extend(tag.get_text().strip("\n").split("\n"))
        elif name in ("ul", "ol", "menu"):
            self._end_line()
            self._lists.append([_list_start(tag)] if name == "ol" else [])
            self.walk(tag, depth)
            self._lists.pop()
            self._end_line()
        elif name == "li":
            self._end_line()
            self._line.append(self._list_label() + " ")
            self.walk(tag, depth)
            self._end_line()
        elif name == "table":
            self._end_line()
            for row in _table_rows(tag):
                cells = [_inline_text(cell) for cell in row.find_all(["td", "th"], recursive=False)]
                if any(cells):
                    self._lines.append(" | ".join(cells))
        elif name in _BLOCK_TAGS:
            self._end_line()
            self.walk(tag, depth)
            self._end_line()
        else:
            self.walk(tag, depth)

    def _list_label(self) -> str:
        indent = "  " * max(len(self._lists) - 1, 0)
        if not self._lists or not self._lists[-1]:
            return f"{indent}•"
        counter = self._lists[-1]
        counter[0] += 1
        return f"{indent}{counter[0] - 1}."

    def _end_line(self) -> None:
        line = " ".join("".join(self._line).split())
        self._line = []
        if line:
            self._lines.append(line)


def _list_start(ordered_list: Tag) -> int:
    start = str(ordered_list.get("start", "1")).strip()
    return int(start) if _DECIMAL.fullmatch(start) else 1


def _table_rows(table: Tag) -> list[Tag]:
    # Rows of nested tables belong to their cells, not to this table.
    return [row for row in table.find_all("tr") if row.find_parent("table") is table]


def _inline_text(element: Tag) -> str:
    return " ".join(element.get_text(" ").split())
