"""A briefing as people read it: the page, the PDF (WeasyPrint), the Word file (python-docx) and the one-page
"7-minute briefing". All four are built from `briefing_view`, so they cite the same reviews the same way."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any, Final

from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode

from casereviews.learning import selectors
from casereviews.learning.models import Briefing

REFERENCES_SHOWN: Final = 12


@dataclass(frozen=True)
class Quote:
    number: int
    page: int | None
    text: str
    url: str | None


@dataclass(frozen=True)
class Statement:
    text: str
    references: list[int]  # numbers in the list of reviews
    more: int  # references not shown
    quotes: list[Quote]


@dataclass(frozen=True)
class Section:
    key: str
    heading: str
    statements: list[Statement]


@dataclass(frozen=True)
class BriefingView:
    briefing: Briefing
    sections: list[Section]
    references: list[selectors.Reference]


def evidence_url(report_id: int, page: int | None, start: Any, end: Any) -> str | None:
    """The public page viewer with the quotation marked, where the search app provides it."""
    if page is None:
        return None
    try:
        url = reverse("search:page", args=[report_id, page])
    except NoReverseMatch:
        return None
    return f"{url}?{urlencode({'start': start, 'end': end})}" if start is not None and end is not None else url


def briefing_view(briefing: Briefing) -> BriefingView:
    references = selectors.briefing_references(briefing)
    number_of = {reference.report_id: reference.number for reference in references}
    sections = []
    for section in briefing.content.get("sections", []):
        statements = []
        for statement in section["statements"]:
            numbers = sorted(number_of[r] for r in statement.get("reports", []) if r in number_of)
            quotes = [
                Quote(
                    number_of.get(q["report"], 0),
                    q.get("page"),
                    q.get("quote", ""),
                    evidence_url(q["report"], q.get("page"), q.get("start"), q.get("end")),
                )
                for q in statement.get("evidence", [])
                if q.get("quote")
            ]
            statements.append(
                Statement(
                    statement["text"], numbers[:REFERENCES_SHOWN], max(0, len(numbers) - REFERENCES_SHOWN), quotes
                )
            )
        sections.append(Section(section["key"], section["heading"], statements))
    return BriefingView(briefing, sections, references)


def briefing_pdf(briefing: Briefing, *, seven_minute: bool = False) -> bytes:
    from weasyprint import HTML  # imported here: loading Pango costs a moment that only downloads need

    template = "learning/briefing_seven.html" if seven_minute else "learning/briefing_print.html"
    html = render_to_string(template, {"view": briefing_view(briefing)})
    return HTML(string=html).write_pdf()


def briefing_docx(briefing: Briefing) -> bytes:
    from docx import Document

    view = briefing_view(briefing)
    document = Document()
    document.core_properties.title = briefing.title
    document.add_heading(briefing.title, level=0)
    document.add_paragraph(briefing.summary)
    for section in view.sections:
        if not section.statements:
            continue
        document.add_heading(section.heading, level=1)
        for statement in section.statements:
            cited = ", ".join(f"[{n}]" for n in statement.references)
            more = f" and {statement.more} more" if statement.more else ""
            document.add_paragraph(f"{statement.text} {cited}{more}".strip(), style="List Bullet")
            for quote in statement.quotes:
                page = f", page {quote.page}" if quote.page else ""
                document.add_paragraph(f"[{quote.number}]{page}: “{quote.text}”", style="Quote")
    document.add_heading("The reviews in the sample", level=1)
    for reference in view.references:
        year = f", {reference.year}" if reference.year else ""
        document.add_paragraph(
            f"[{reference.number}] {reference.title}, {reference.partnership or 'partnership not known'}{year}"
        )
    document.add_heading("How this briefing was made", level=1)
    document.add_paragraph(briefing.notes)
    if briefing.approved_by:
        document.add_paragraph(f"Approved by {briefing.approved_by.display_name}.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
