"""The published PDF, made from the redacted text so that a redacted word is never in the file.

Covering text with a black box leaves it in the PDF, where copying or text extraction finds it. Here the
redacted characters never reach the PDF at all: each redacted span is replaced, before any drawing, by its label
(by default "[redacted]"), printed white on a black box. The label is real text, so a screen reader reads
"[redacted]" where the span was.

Each page of the final draft starts a new PDF page, so page references in the report still roughly hold. The
output is deterministic (reportlab's invariant mode): the same text and decisions give the same bytes, so the
preview a person checked is byte for byte the file that is published.
"""

from __future__ import annotations

import datetime
import io
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

import reportlab
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer

FONT = "CaseReviewsVera"
FONT_BOLD = "CaseReviewsVeraBold"
# Characters pypdfium2 and Word exports leave in text: a soft line-end hyphen, and other controls.
_LINE_END_HYPHEN = "\ufffe"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


@dataclass(frozen=True)
class Redaction:
    start: int
    end: int
    label: str


@dataclass(frozen=True)
class Segment:
    text: str
    redacted: bool


def merged(redactions: list[Redaction]) -> list[Redaction]:
    """Overlapping or touching redactions as one, labelled by the first; a span redacted twice is redacted once."""
    result: list[Redaction] = []
    for redaction in sorted(redactions, key=lambda r: (r.start, -r.end)):
        if result and redaction.start <= result[-1].end:
            last = result[-1]
            result[-1] = Redaction(last.start, max(last.end, redaction.end), last.label)
        else:
            result.append(redaction)
    return result


def redact_page(text: str, redactions: list[Redaction]) -> list[Segment]:
    """The page as kept text and labels; the redacted characters are not in the result."""
    segments: list[Segment] = []
    position = 0
    for redaction in merged(redactions):
        start, end = max(redaction.start, position), min(redaction.end, len(text))
        if start >= end:
            continue
        if start > position:
            segments.append(Segment(text[position:start], redacted=False))
        segments.append(Segment(redaction.label, redacted=True))
        position = end
    if position < len(text):
        segments.append(Segment(text[position:], redacted=False))
    return segments


def redacted_text(segments: list[Segment]) -> str:
    return "".join(segment.text for segment in segments)


@cache
def _register_fonts() -> None:
    # Bitstream Vera ships with reportlab: a TrueType font covers typographic quotes, dashes and accented
    # names, which the PDF standard fonts' encoding does not.
    fonts = Path(reportlab.__file__).resolve().parent / "fonts"
    pdfmetrics.registerFont(TTFont(FONT, str(fonts / "Vera.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(fonts / "VeraBd.ttf")))


def _clean(text: str) -> str:
    return _CONTROL.sub("", text.replace(_LINE_END_HYPHEN, "-").replace("\t", " ").replace("\r", ""))


def _markup(segments: list[Segment]) -> str:
    parts = []
    for segment in segments:
        if segment.redacted:
            parts.append(f'<font backColor="#0b0c0c" color="#ffffff">{escape(_clean(segment.text))}</font>')
        else:
            parts.append(escape(_clean(segment.text)))
    return "".join(parts)


@dataclass(frozen=True)
class PdfDetails:
    title: str  # "Local child safeguarding practice review: Child T"
    partnership: str
    published_on: datetime.date


def render_pdf(details: PdfDetails, pages: list[list[Segment]]) -> bytes:
    """A PDF of `pages` (each a list of segments from `redact_page`), one or more PDF pages per page."""
    _register_fonts()
    body = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=14, spaceAfter=6)
    heading = ParagraphStyle("heading", fontName=FONT_BOLD, fontSize=14, leading=18, spaceAfter=4)
    caption = ParagraphStyle("caption", fontName=FONT, fontSize=9, leading=12, spaceAfter=12)
    story: list[object] = [
        Paragraph(escape(details.title), heading),
        Paragraph(
            escape(f"{details.partnership}. Published {details.published_on.day} {details.published_on:%B %Y}."),
            caption,
        ),
    ]
    for number, segments in enumerate(pages):
        if number:
            story.append(PageBreak())
        markup = _markup(segments)
        paragraphs = [p for p in _PARAGRAPH_BREAK.split(markup) if p.strip()]
        if not paragraphs:
            story.append(Spacer(1, 1))
        for paragraph in paragraphs:
            story.append(Paragraph(paragraph.strip("\n").replace("\n", "<br/>"), body))

    footer = f"{details.partnership} – {details.title}"

    def draw_footer(canvas: Canvas, document: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.drawString(20 * mm, 12 * mm, footer[:120])
        canvas.drawRightString(A4[0] - 20 * mm, 12 * mm, f"Page {document.page}")
        canvas.restoreState()

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=22 * mm,
        title=details.title,
        author=details.partnership,
        subject="Published safeguarding practice review",
        creator="Case Reviews",
        invariant=1,
        lang="en-GB",
    )
    document.build(story, onFirstPage=draw_footer, onLaterPages=draw_footer)
    return buffer.getvalue()
