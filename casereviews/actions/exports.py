"""A review's plan and the board's dashboard as tables, written as CSV or Excel.

Text that begins like a formula (=, +, -, @, tab, carriage return) is written with a leading apostrophe,
so that opening a download in a spreadsheet never runs something an agency typed into an update.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Sequence

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Font

from casereviews.actions.models import STATUS_URGENCY, Action, ActionStatus
from casereviews.actions.selectors import DashboardRow, Plan

Cell = str | int | datetime.date | None

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

PLAN_HEADER = [
    "Review",
    "Finding",
    "Finding text",
    "Recommendation",
    "Recommendation text",
    "Recommendation to",
    "Action",
    "What will be done",
    "Owner agency",
    "Lead",
    "Due on",
    "Expected change",
    "How success will be measured",
    "Status",
    "Latest update",
    "Evidence accepted by",
    "Evidence accepted on",
]


def safe_cell(value: Cell) -> Cell:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _accepted(action: Action) -> tuple[str, datetime.date | None]:
    if action.evidence_accepted_at is None or action.evidence_accepted_by is None:
        return "", None
    return action.evidence_accepted_by.display_name, action.evidence_accepted_at.date()


def plan_table(plan: Plan) -> list[list[Cell]]:
    rows: list[list[Cell]] = [list(PLAN_HEADER)]
    for plan_finding in plan.findings:
        finding = plan_finding.finding
        for plan_recommendation in plan_finding.recommendations:
            recommendation = plan_recommendation.recommendation
            base: list[Cell] = [
                plan.review.reference,
                finding.number if finding else None,
                finding.text if finding else "",
                recommendation.number,
                recommendation.text,
                recommendation.addressee,
            ]
            if not plan_recommendation.actions:
                rows.append(base + [None] * (len(PLAN_HEADER) - len(base)))
            for action, status in plan_recommendation.actions:
                accepted_by, accepted_on = _accepted(action)
                latest_at = getattr(action, "latest_posted_at", None)
                rows.append(
                    [
                        *base,
                        action.label,
                        action.description,
                        action.owner_agency.name,
                        action.lead_name,
                        action.due_on,
                        action.expected_change,
                        action.success_measure,
                        status.label,
                        latest_at.date() if latest_at else None,
                        accepted_by,
                        accepted_on,
                    ]
                )
    return rows


def dashboard_table(rows: Sequence[DashboardRow]) -> list[list[Cell]]:
    table: list[list[Cell]] = [
        ["Review", "Partnership", "Review status", *[status.label for status in STATUS_URGENCY], "Actions"]
    ]
    for row in rows:
        table.append(
            [
                row.review.reference,
                row.review.partnership.name,
                row.review.get_status_display(),
                *[row.counts[ActionStatus(status)] for status in STATUS_URGENCY],
                row.total,
            ]
        )
    return table


def csv_response(table: list[list[Cell]], filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    writer = csv.writer(response)
    for row in table:
        writer.writerow(
            [
                "" if value is None else safe_cell(value.isoformat() if isinstance(value, datetime.date) else value)
                for value in row
            ]
        )
    return response


def xlsx_response(table: list[list[Cell]], filename: str, sheet_title: str) -> HttpResponse:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = sheet_title[:31]  # Excel's limit on a sheet's name
    for row in table:
        sheet.append([safe_cell(value) for value in row])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response
