"""Build synthetic test documents at run time: PDFs (reportlab), DOCX (python-docx) and zip bombs.

All text is invented and only written to look like a UK child safeguarding practice review.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence

import docx
from docx.enum.text import WD_BREAK
from PIL import Image
from reportlab.lib import colors, pdfencrypt
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas
from reportlab.platypus import Table, TableStyle

PAGE_WIDTH, PAGE_HEIGHT = A4
LEFT_MARGIN = 72
LINE_HEIGHT = 14

RUNNING_HEADER = "Northshire Safeguarding Children Partnership"
RUNNING_FOOTER = "Northshire SCR Child A – Page {page} of {pages}"


def report_pdf(
    pages: Sequence[Sequence[str]],
    header: str | None = RUNNING_HEADER,
    footer: str | None = RUNNING_FOOTER,
) -> bytes:
    """A PDF with one text line per entry, a running header and a numbered footer on every page."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    for number, lines in enumerate(pages, start=1):
        if header:
            pdf.drawString(LEFT_MARGIN, PAGE_HEIGHT - 40, header)
        y = PAGE_HEIGHT - 90
        for line in lines:
            pdf.drawString(LEFT_MARGIN, y, line)
            y -= LINE_HEIGHT
        if footer:
            pdf.drawString(LEFT_MARGIN, 30, footer.format(page=number, pages=len(pages)))
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def table_pdf(rows: Sequence[Sequence[str]], before: str, after: str) -> bytes:
    """One page: a paragraph, a ruled grid table, another paragraph."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.drawString(LEFT_MARGIN, PAGE_HEIGHT - 90, before)
    table = Table([list(row) for row in rows])
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black)]))
    _, height = table.wrapOn(pdf, PAGE_WIDTH - 2 * LEFT_MARGIN, PAGE_HEIGHT)
    table_top = PAGE_HEIGHT - 120
    table.drawOn(pdf, LEFT_MARGIN, table_top - height)
    pdf.drawString(LEFT_MARGIN, table_top - height - 30, after)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def encrypted_pdf(text: str) -> bytes:
    """A PDF that needs a password to open."""
    buffer = io.BytesIO()
    encryption = pdfencrypt.StandardEncryption("user-password", ownerPassword="owner-password")
    pdf = canvas.Canvas(buffer, pagesize=A4, encrypt=encryption)
    pdf.drawString(LEFT_MARGIN, PAGE_HEIGHT - 90, text)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def image_only_pdf(page_count: int = 2) -> bytes:
    """A PDF as a scanner makes it: every page one picture, no text layer."""
    picture = Image.new("RGB", (200, 280), "white")
    for x in range(20, 180):
        for y in range(40, 44):
            picture.putpixel((x, y), (0, 0, 0))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    for _ in range(page_count):
        pdf.drawImage(ImageReader(picture), 0, 0, width=PAGE_WIDTH, height=PAGE_HEIGHT)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def report_docx() -> bytes:
    """A DOCX with a heading, a numbered list, a table, a header and footer, and an explicit page break."""
    document = docx.Document()
    section = document.sections[0]
    section.header.paragraphs[0].text = "OFFICIAL SENSITIVE – Northshire Header Text"
    section.footer.paragraphs[0].text = "Northshire Footer Text"
    document.add_heading("Recommendations", level=1)
    document.add_paragraph("The review makes the following recommendations:")
    document.add_paragraph("The partnership should review its escalation policy", style="List Number")
    document.add_paragraph("Health agencies should record who lives in the household", style="List Number")
    document.add_paragraph("Schools should share attendance concerns promptly", style="List Number")
    document.add_paragraph("Learning is shared across agencies", style="List Bullet")
    table = document.add_table(rows=2, cols=3)
    for cell, text in zip(table.rows[0].cells, ("Agency", "Contacts", "Concern"), strict=True):
        cell.text = text
    for cell, text in zip(table.rows[1].cells, ("Health visiting", "12", "Weight loss"), strict=True):
        cell.text = text
    breaking = document.add_paragraph("End of the first page.")
    breaking.runs[0].add_break(WD_BREAK.PAGE)
    document.add_paragraph("Appendix text on the second page.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def docx_bomb(zero_bytes: int) -> bytes:
    """A zip that looks like a DOCX and hides a run of zeros that compresses about a thousand times."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("word/document.xml", '<?xml version="1.0"?><document/>')
        with archive.open("word/media/padding.bin", "w") as member:
            chunk = bytes(1024 * 1024)
            for _ in range(zero_bytes // len(chunk)):
                member.write(chunk)
    return buffer.getvalue()


def zip_with_members(count: int) -> bytes:
    """A DOCX-looking zip with very many tiny parts."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
        for index in range(count):
            archive.writestr(f"word/part{index}.xml", "<p/>")
    return buffer.getvalue()


def callout_pdf(heading: str, title: str, lines: Sequence[str]) -> bytes:
    """One page: an underlined heading, then a shaded call-out box with a rule under its title."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    y = PAGE_HEIGHT - 90
    pdf.drawString(LEFT_MARGIN, y, heading)
    pdf.line(LEFT_MARGIN, y - 3, LEFT_MARGIN + pdf.stringWidth(heading), y - 3)
    box_top = y - 20
    box_height = LINE_HEIGHT * (len(lines) + 2)
    box_width = PAGE_WIDTH - 2 * LEFT_MARGIN
    pdf.setFillColor(colors.HexColor("#e8f0f8"))
    pdf.rect(LEFT_MARGIN, box_top - box_height, box_width, box_height, stroke=1, fill=1)
    pdf.setFillColor(colors.black)
    text_y = box_top - LINE_HEIGHT
    pdf.drawString(LEFT_MARGIN + 8, text_y, title)
    pdf.line(LEFT_MARGIN, text_y - 5, LEFT_MARGIN + box_width, text_y - 5)
    for line in lines:
        text_y -= LINE_HEIGHT
        pdf.drawString(LEFT_MARGIN + 8, text_y - 4, line)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def shaded_cells_pdf(rows: Sequence[Sequence[str]], column_width: float = 120) -> bytes:
    """One page: a table drawn only as filled cell rectangles, one point apart, with no lines at all."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    top = PAGE_HEIGHT - 100
    for row_index, row in enumerate(rows):
        for column_index, text in enumerate(row):
            left = LEFT_MARGIN + column_index * column_width
            bottom = top - (row_index + 1) * 20
            pdf.setFillColor(colors.HexColor("#dddddd"))
            pdf.rect(left, bottom, column_width - 1, 19, stroke=0, fill=1)
            pdf.setFillColor(colors.black)
            pdf.drawString(left + 4, bottom + 6, text)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def two_column_tables_pdf(left_rows: Sequence[Sequence[str]], right_rows: Sequence[Sequence[str]]) -> bytes:
    """One page of two columns with ruled tables side by side, as a designed report lays them out.

    The left column has a sentence above its table; the right column's table starts at the top of the
    column, higher than the sentence, and a sentence follows it.
    """
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    column_width = (PAGE_WIDTH - 2 * LEFT_MARGIN - 20) / 2
    right_column = LEFT_MARGIN + column_width + 20
    pdf.drawString(LEFT_MARGIN, PAGE_HEIGHT - 90, "Column 1 introduces its table.")
    for left, rows, top in (
        (LEFT_MARGIN, left_rows, PAGE_HEIGHT - 100),
        (right_column, right_rows, PAGE_HEIGHT - 75),
    ):
        table = Table([list(row) for row in rows], colWidths=[column_width / 2] * 2)
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black)]))
        _, height = table.wrapOn(pdf, column_width, PAGE_HEIGHT)
        table.drawOn(pdf, left, top - height)
    pdf.drawString(right_column, PAGE_HEIGHT - 75 - height - 20, "Column 2 continues below its table.")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
