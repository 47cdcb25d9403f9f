"""A small hand-built library whose answers are known: reports with values a person has (or has not) confirmed.

Values are written straight to the library's tables, then the report is saved as analysed once, which is how
the worker finishes a report; the signals under test rebuild its analysis record from there.
"""

from __future__ import annotations

import itertools
from typing import Any

from django.utils import timezone

from casereviews.library.models import ExtractedValue, Report, ReportStatus, ValueStatus

_numbers = itertools.count(1)

CODE_FIELDS = {"harm_types", "risk_factors", "practice_themes", "agencies"}
ITEM_FIELDS = {"findings", "recommendations"}


def quote(text: str, page: int = 2) -> dict[str, Any]:
    return {"page": page, "start": 100, "end": 100 + len(text), "quote": text}


def make_report(
    *,
    pending: tuple[str, ...] = (),
    reviewed: bool = True,
    rejected: tuple[str, ...] = (),
    decided_by: Any = None,
    title: str | None = None,
    **values: Any,
) -> Report:
    """A report with `values` (field name with "." spelt "__": `child__sex="female"`) confirmed by a person.

    Fields in `pending` are machine proposals nobody has decided on yet; fields in `rejected` were rejected.
    List values (`risk_factors=["domestic_abuse"]`) become one confirmed code each. `reviewed=False` leaves every
    value a proposal."""
    number = next(_numbers)
    report = Report.objects.create(
        sha256=f"{number:064x}",
        filename=f"report-{number}.txt",
        title=title or f"Review {number}",
        media_type="text/plain",
        size=1,
        text="",
        page_count=1,
        status=ReportStatus.QUEUED,
    )
    rows = []
    now = timezone.now()
    for name, value in values.items():
        field = name.replace("__", ".")
        status = ValueStatus.ACCEPTED if reviewed and field not in pending else ValueStatus.PROPOSED
        if field in rejected:
            status = ValueStatus.REJECTED
        decided = {"decided_by": decided_by, "decided_at": now} if status != ValueStatus.PROPOSED else {}
        if field in CODE_FIELDS:
            rows += [
                ExtractedValue(
                    report=report,
                    field=field,
                    key=code,
                    proposed_value=True,
                    status=status,
                    evidence=[quote(f"There was {code.replace('_', ' ')} in the family.")],
                    **decided,
                )
                for code in value
            ]
        elif field in ITEM_FIELDS:
            rows += [
                ExtractedValue(
                    report=report,
                    field=field,
                    key=f"{n:03d}",
                    proposed_value={"text": text, "page": 2},
                    evidence=[quote(text)],
                    status=status,
                    **decided,
                )
                for n, text in enumerate(value, start=1)
            ]
        else:
            rows.append(
                ExtractedValue(report=report, field=field, key="", proposed_value=value, status=status, **decided)
            )
    ExtractedValue.objects.bulk_create(rows)
    report.status = ReportStatus.READY
    report.save()
    return report


def make_reports(count: int, **values: Any) -> list[Report]:
    return [make_report(**values) for _ in range(count)]
