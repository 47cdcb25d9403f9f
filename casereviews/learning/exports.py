"""The analysis as CSV and Excel: the published figures of every table (a suppressed figure is "c"), its notes
and the selection, exactly as the page shows them."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from casereviews.learning.analysis import Analysis, Table


def table_header(table: Table) -> list[str]:
    if table.kind == "crosstab":
        return [table.row_heading, *(label for _, label in table.columns)]
    if table.kind == "prevalence":
        return [table.row_heading, "Reviews", "Percentage", "95% confidence interval"]
    return [table.row_heading, "Reviews", "Percentage"]


def table_lines(table: Table) -> list[list[Any]]:
    """Each row as published: numbers where shown, "c" where suppressed."""
    lines: list[list[Any]] = []
    for row in table.rows:
        first = row.cells[0]
        number: Any = first.value if first.value is not None else first.text
        if table.kind == "crosstab":
            lines.append([row.label, *(c.value if c.value is not None else c.text for c in row.cells)])
        elif table.kind == "prevalence":
            lines.append([row.label, number, first.percent, first.interval])
        else:
            lines.append([row.label, number, first.percent])
    return lines


def analysis_csv(analysis: Analysis, description: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Analysis of confirmed review reports", description])
    writer.writerow([])
    for table in analysis.tables:
        writer.writerow([table.title])
        writer.writerow(table_header(table))
        writer.writerows(table_lines(table))
        for note in table.notes:
            writer.writerow([note])
        writer.writerow([])
    return out.getvalue()


def analysis_xlsx(analysis: Analysis, description: str) -> bytes:
    workbook = Workbook()
    about = workbook.active
    assert about is not None
    about.title = "About"
    about.append(["Analysis of confirmed review reports"])
    about["A1"].font = Font(bold=True, size=14)
    about.append(["Selection", description])
    about.append(["Reviews in the selection", analysis.reviews])
    about.append([])
    about.append(["Sheet", "Table"])
    for index, table in enumerate(analysis.tables, start=1):
        about.append([f"Table {index}", table.title])
    for index, table in enumerate(analysis.tables, start=1):
        sheet = workbook.create_sheet(f"Table {index}")
        sheet.append([table.title])
        sheet["A1"].font = Font(bold=True, size=12)
        sheet.append(table_header(table))
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for line in table_lines(table):
            sheet.append(line)
        sheet.append([])
        for note in table.notes:
            sheet.append([note])
        sheet.column_dimensions["A"].width = 42
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
