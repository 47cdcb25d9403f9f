"""Pages of the learning app: the public analysis and its downloads; briefings are in `briefing_views`.

The analysis needs no sign-in (docs/adr/0009-learning-analysis.md): it counts confirmed values of published
reports under disclosure control. The reviews behind a suppressed figure are listed only to library staff,
who see every report anyway.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe

from casereviews.learning import analysis, charts, exports, selectors
from casereviews.learning.forms import SelectionForm
from casereviews.library.services import can_manage_library

REVIEWS_PER_PAGE = 50


def _selection(request: HttpRequest) -> tuple[SelectionForm, selectors.Selection]:
    form = SelectionForm(request.GET or None)
    if request.GET and form.is_valid():
        return form, form.selection()
    return form, selectors.Selection()


def _cell_url(base: str, kept: dict[str, str], table: str, row: str, column: str) -> str:
    return base + urlencode({**kept, "table": table, "row": row, "column": column})


def _decorate(result: analysis.Analysis, selection: selectors.Selection, *, staff: bool) -> list[dict[str, Any]]:
    """Each table with its chart and, per cell, the link to the reviews it counts."""
    # The address and the selection's parameters once for the page, not once for each of its hundreds of cells.
    base, kept = reverse("learning:cell") + "?", selection.query()
    decorated = []
    for table in result.tables:
        links = {}
        for row in table.rows:
            for cell in row.cells:
                if cell.count > 0 and (staff or not cell.suppressed):
                    links[(row.code, cell.column)] = _cell_url(base, kept, table.key, row.code, cell.column)
        rows = [(row, [(cell, links.get((row.code, cell.column))) for cell in row.cells]) for row in table.rows]
        decorated.append({"table": table, "rows": rows, "chart": charts.chart_for(table, f"chart-{table.key}")})
    return decorated


@dataclass(frozen=True)
class RenderedAnalysis:
    """The tables of an analysis as its page shows them, rendered once for every visitor who asks the same."""

    reviews: int
    rounded: bool
    contents: list[tuple[str, str]]  # (key, title) of each table, for the page's list of tables
    html: SafeString  # each table with its chart (learning/_table.html)


# Each process keeps the analyses it rendered most recently under the records' stamp: the tables are the same for
# everyone who asks for the same selection (published reports only; library staff see suppressed cells' links),
# and rendering hundreds of cells was most of the page's time (ADR 0014). A change to any record changes the stamp.
_RENDERED_KEPT = 32
_rendered: OrderedDict[tuple[Any, ...], tuple[tuple[int, str], RenderedAnalysis]] = OrderedDict()
_rendered_lock = threading.Lock()


def rendered_analysis(selection: selectors.Selection, *, staff: bool, only: str | None = None) -> RenderedAnalysis:
    """The analysis of `selection` (or its table `only`), rendered; kept unless the selection is a search, whose
    matches change with the search index rather than the records."""
    key = (tuple(sorted(selection.query().items())), staff, only)
    stamp = None if selection.search else selectors.analysis_stamp()
    if stamp is not None:
        with _rendered_lock:
            kept = _rendered.get(key)
            if kept is not None and kept[0] == stamp:
                _rendered.move_to_end(key)
                return kept[1]
    if only is None:
        result = selectors.analysis_for(selection)
    else:
        table = analysis.build_table(
            analysis.TABLES_BY_KEY[only], selectors.analysis_rows(selection), rounded=selection.is_regional
        )
        result = analysis.Analysis([table], table.counted, selection.is_regional)
    decorated = _decorate(result, selection, staff=staff)
    rendered = RenderedAnalysis(
        reviews=result.reviews,
        rounded=result.rounded,
        contents=[(item["table"].key, item["table"].title) for item in decorated],
        html=mark_safe(  # noqa: S308 - our own templates, which escape what they show
            "".join(render_to_string("learning/_table.html", {"item": item}) for item in decorated)
        ),
    )
    if stamp is not None:
        with _rendered_lock:
            _rendered[key] = (stamp, rendered)
            _rendered.move_to_end(key)
            while len(_rendered) > _RENDERED_KEPT:
                _rendered.popitem(last=False)
    return rendered


def analysis_index(request: HttpRequest) -> HttpResponse:
    form, selection = _selection(request)
    return render(
        request,
        "learning/analysis.html",
        {
            "form": form,
            "selection": selection,
            "description": selection.describe(),
            "analysis": rendered_analysis(selection, staff=can_manage_library(request.user)),
            "query": urlencode(selection.query()),
        },
    )


def analysis_table(request: HttpRequest, key: str) -> HttpResponse:
    if key not in analysis.TABLES_BY_KEY:
        raise Http404
    form, selection = _selection(request)
    return render(
        request,
        "learning/analysis_table.html",
        {
            "form": form,
            "selection": selection,
            "description": selection.describe(),
            "analysis": rendered_analysis(selection, staff=can_manage_library(request.user), only=key),
            "key": key,
            "title": analysis.TABLES_BY_KEY[key].title,
            "query": urlencode(selection.query()),
        },
    )


def analysis_cell(request: HttpRequest) -> HttpResponse:
    _form, selection = _selection(request)
    key, row, column = (request.GET.get(name, "") for name in ("table", "row", "column"))
    if key not in analysis.TABLES_BY_KEY:
        raise Http404
    cell, members = selectors.cell_members(selection, key, row, column)
    if cell is None:
        raise Http404
    if cell.suppressed and not can_manage_library(request.user):
        raise PermissionDenied("This figure is suppressed to protect the children concerned")
    table = analysis.TABLES_BY_KEY[key]
    page_obj = Paginator(members, REVIEWS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "learning/analysis_cell.html",
        {
            "table": table,
            "cell": cell,
            "row_label": _label(key, row),
            "column_label": _column_label(key, column),
            "description": selection.describe(),
            "records": selectors.records_by_id(list(page_obj.object_list)),
            "page_obj": page_obj,
            "staff": can_manage_library(request.user),
            "query": urlencode(selection.query()),
        },
    )


def _label(key: str, code: str) -> str:
    spec = analysis.TABLES_BY_KEY[key]
    if code == analysis.TOTAL:
        return "All"
    return (spec.rows.labels or {}).get(code, code)


def _column_label(key: str, code: str) -> str:
    spec = analysis.TABLES_BY_KEY[key]
    if spec.columns is None or code == analysis.TOTAL:
        return "All"
    return (spec.columns.labels or {}).get(code, code)


def analysis_csv(request: HttpRequest) -> HttpResponse:
    _form, selection = _selection(request)
    body = exports.analysis_csv(selectors.analysis_for(selection), selection.describe())
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="analysis.csv"'
    return response


def analysis_xlsx(request: HttpRequest) -> HttpResponse:
    _form, selection = _selection(request)
    body = exports.analysis_xlsx(selectors.analysis_for(selection), selection.describe())
    response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="analysis.xlsx"'
    return response
