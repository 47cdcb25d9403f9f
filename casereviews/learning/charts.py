"""Charts as server-rendered SVG, drawn from a table's published figures only (never a suppressed count).

Each chart is an image with a title and a description that reads out the figures, and the page puts the table
beside it, so nothing depends on seeing the chart. Presentation attributes, not style attributes, so the
content security policy (no inline style) holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from html import escape

from django.utils.safestring import SafeString, mark_safe

from casereviews.learning.analysis import TOTAL, Table

FONT = 'font-family="Arial, Helvetica, sans-serif"'
BLUE, BLACK, GREY = "#1d70b8", "#0b0c0c", "#b1b4b6"
# Colour and dash pattern both tell the series apart, for readers who cannot tell the colours apart.
SERIES = [("#1d70b8", ""), ("#d4351c", "6 3"), ("#00703c", "2 3"), ("#4c2c92", "8 3 2 3"), ("#f47738", "1 2")]


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: suppressed, no bar
    text: str
    low: float | None = None
    high: float | None = None


def _svg(chart_id: str, width: int, height: int, title: str, description: str, body: list[str]) -> SafeString:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" id="{escape(chart_id)}" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" aria-labelledby="{escape(chart_id)}-title '
        f'{escape(chart_id)}-desc">'
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>'
        f'<desc id="{escape(chart_id)}-desc">{escape(description)}</desc>'
    )
    return mark_safe(head + "".join(body) + "</svg>")  # noqa: S308 - every piece of text above is escaped


def bars_for(table: Table) -> tuple[list[Bar], str]:
    """The bars a table is drawn as, and what their length measures."""
    bars = []
    if table.kind == "prevalence":
        for row in table.rows:
            if row.code == TOTAL:
                continue
            cell = row.cells[0]
            low, high = cell.interval_values or (None, None)
            bars.append(
                Bar(
                    row.label,
                    None if cell.suppressed else float(cell.percent_value or Decimal(0)),
                    cell.percent or cell.text,
                    float(low) if low is not None else None,
                    float(high) if high is not None else None,
                )
            )
        return bars, "percent"
    for row in table.rows:
        if row.code == TOTAL:
            continue
        cell = row.cells[-1]  # the row's total
        bars.append(Bar(row.label, None if cell.suppressed else float(cell.value or 0), cell.text))
    return bars, "count"


def bar_chart(table: Table, chart_id: str) -> SafeString:
    bars, measure = bars_for(table)
    label_width, bar_width, row_height, top = 230, 330, 30, 10
    width, height = label_width + bar_width + 110, top + row_height * max(len(bars), 1) + 10
    largest = 100.0 if measure == "percent" else max((b.value or 0 for b in bars), default=0) or 1.0
    body = []
    for index, bar in enumerate(bars):
        y = top + index * row_height
        body.append(
            f'<text x="{label_width - 8}" y="{y + 19}" text-anchor="end" font-size="14" {FONT} '
            f'fill="{BLACK}">{escape(bar.label[:34])}</text>'
        )
        length = 0.0 if bar.value is None else bar.value / largest * bar_width
        if bar.value is not None:
            body.append(
                f'<rect x="{label_width}" y="{y + 5}" width="{length:.1f}" height="{row_height - 10}" fill="{BLUE}"/>'
            )
        if bar.low is not None and bar.high is not None:
            x1, x2 = label_width + bar.low / largest * bar_width, label_width + bar.high / largest * bar_width
            body.append(
                f'<line x1="{x1:.1f}" x2="{x2:.1f}" y1="{y + 15}" y2="{y + 15}" stroke="{BLACK}" stroke-width="2"/>'
            )
            length = max(length, x2 - label_width)
        shown = bar.text if bar.value is not None else f"{bar.text} (not shown)"
        body.append(
            f'<text x="{label_width + length + 6:.1f}" y="{y + 19}" font-size="14" {FONT} '
            f'fill="{BLACK}">{escape(shown)}</text>'
        )
    body.insert(0, f'<line x1="{label_width}" x2="{label_width}" y1="{top}" y2="{height - 10}" stroke="{GREY}"/>')
    what = (
        "percentage of reviews, with the 95% confidence interval as a line"
        if measure == "percent"
        else "number of reviews"
    )
    description = f"Bar chart of the {what}. " + "; ".join(f"{b.label}: {b.text}" for b in bars) + "."
    return _svg(chart_id, width, height, table.title, description, body)


def line_chart(table: Table, chart_id: str) -> SafeString:
    """A crosstab whose rows are years, as one line per column: the trend over time. A suppressed point is a gap."""
    years = [row for row in table.rows if row.code != TOTAL]
    series = [(code, label) for code, label in table.columns if code != TOTAL]
    width, height, left, right, top, bottom = 680, 320, 50, 170, 15, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [c.value for row in years for c in row.cells if c.column != TOTAL and c.value is not None]
    largest = max(values, default=0) or 1
    step = plot_w / max(len(years) - 1, 1)
    body = [
        f'<line x1="{left}" x2="{left}" y1="{top}" y2="{top + plot_h}" stroke="{GREY}"/>',
        f'<line x1="{left}" x2="{left + plot_w}" y1="{top + plot_h}" y2="{top + plot_h}" stroke="{GREY}"/>',
        f'<text x="{left - 6}" y="{top + 5}" text-anchor="end" font-size="12" {FONT} fill="{BLACK}">{largest}</text>',
        f'<text x="{left - 6}" y="{top + plot_h}" text-anchor="end" font-size="12" {FONT} fill="{BLACK}">0</text>',
    ]
    for index, row in enumerate(years):
        x = left + index * step
        body.append(
            f'<text x="{x:.1f}" y="{top + plot_h + 18}" text-anchor="middle" font-size="12" {FONT} '
            f'fill="{BLACK}">{escape(row.label)}</text>'
        )
    described = []
    for number, (code, label) in enumerate(series):
        colour, dash = SERIES[number % len(SERIES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        segment: list[str] = []
        points = []
        for index, row in enumerate(years):
            cell = next(c for c in row.cells if c.column == code)
            points.append(f"{row.label} {cell.text}")
            if cell.value is None:
                if len(segment) > 1:
                    body.append(
                        f'<polyline points="{" ".join(segment)}" fill="none" stroke="{colour}" '
                        f'stroke-width="2"{dash_attr}/>'
                    )
                segment = []
                continue
            x, y = left + index * step, top + plot_h - cell.value / largest * plot_h
            segment.append(f"{x:.1f},{y:.1f}")
            body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>')
        if len(segment) > 1:
            body.append(
                f'<polyline points="{" ".join(segment)}" fill="none" stroke="{colour}" stroke-width="2"{dash_attr}/>'
            )
        legend_y = top + 10 + number * 20
        body.append(
            f'<line x1="{width - right + 15}" x2="{width - right + 40}" y1="{legend_y}" y2="{legend_y}" '
            f'stroke="{colour}" stroke-width="2"{dash_attr}/>'
        )
        body.append(
            f'<text x="{width - right + 46}" y="{legend_y + 4}" font-size="12" {FONT} fill="{BLACK}">'
            f"{escape(label)}</text>"
        )
        described.append(f"{label}: " + ", ".join(points))
    description = (
        "Line chart of the number of reviews each year, one line per outcome; a gap is a figure not "
        "shown. " + "; ".join(described) + "."
    )
    return _svg(chart_id, width, height, table.title, description, body)


def chart_for(table: Table, chart_id: str) -> SafeString:
    if table.key == "year_outcome":
        return line_chart(table, chart_id)
    return bar_chart(table, chart_id)
