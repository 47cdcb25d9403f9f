"""Library reports built straight into the database for search tests: text in pages, values with a status."""

from __future__ import annotations

import hashlib
import itertools
from typing import Any

from casereviews.library.models import ExtractedValue, Report, ReportPage, ReportStatus, ValueStatus

CATALOGUE = {"partnership": "Northshire", "year_published": 2022, "framework": "england_2023", "review_type": "lcspr"}
_numbers = itertools.count(1)


def make_library_report(
    title: str,
    pages: list[str],
    *,
    status: str = ValueStatus.ACCEPTED,
    catalogue: dict[str, Any] | None = None,
    values: dict[str, Any] | None = None,
    codes: dict[str, list[str]] | None = None,
    code_status: str = ValueStatus.ACCEPTED,
) -> Report:
    """A report whose title and catalogue fields have `status`; `values` (other scalars) and `codes` have
    `code_status`. The default is a report in the public library."""
    text = "\f".join(pages)
    report = Report.objects.create(
        sha256=hashlib.sha256(f"{title}-{next(_numbers)}".encode()).hexdigest(),
        filename=f"{title}.txt",
        title=title,
        media_type="text/plain",
        size=len(text),
        text=text,
        page_count=len(pages),
        status=ReportStatus.READY,
    )
    start = 0
    for number, page in enumerate(pages, start=1):
        ReportPage.objects.create(report=report, number=number, start=start, end=start + len(page))
        start += len(page) + 1
    scalars = {"title": title, **CATALOGUE, **(catalogue or {})}
    for field, value in scalars.items():
        ExtractedValue.objects.create(report=report, field=field, proposed_value=value, status=status)
    for field, value in (values or {}).items():
        ExtractedValue.objects.create(report=report, field=field, proposed_value=value, status=code_status)
    for field, keys in (codes or {}).items():
        for key in keys:
            ExtractedValue.objects.create(report=report, field=field, key=key, proposed_value=True, status=code_status)
    return report
