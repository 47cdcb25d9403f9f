"""The public search page, its exports, and the public page viewer that a snippet links to.

No sign-in: everything here reads the index, which holds only the public library's confirmed material, and the
page viewer shows only reports in the public library (anything else is 404, so a report's existence is not
disclosed).
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from html import escape
from typing import Any
from urllib.parse import urlencode

from django.db.models import F
from django.db.models.functions import Substr
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from casereviews.core.errors import DomainError
from casereviews.library.models import ReportPage
from casereviews.library.views import _span_on
from casereviews.search import alerts, catalogue, engine, oai, pagecache
from casereviews.search.documents import public_reports
from casereviews.search.forms import AlertForm
from casereviews.search.selectors import (
    EXPORT_LIMIT,
    FACET_LABELS,
    SORTS,
    FacetGroup,
    FacetOption,
    ResultRow,
    SearchPage,
    SearchRequest,
    active_filters,
    search_reports,
)

EXPORT_FIELDS = ["id", "title", "year", *engine.FACETS, "url"]


def _pages_around(current: int, last: int) -> list[int | None]:
    """Page numbers to offer, with None for a gap: the first, the last, and two either side of this one."""
    wanted = sorted({1, last, *range(max(1, current - 2), min(last, current + 2) + 1)})
    shown: list[int | None] = []
    for number in wanted:
        if shown and shown[-1] is not None and number - shown[-1] > 1:
            shown.append(None)
        shown.append(number)
    return shown


@dataclass(frozen=True)
class FacetGroupView:
    name: str
    label: str
    options: list[FacetOption]
    selected_count: int
    options_html: SafeString


def facet_options_html(group: FacetGroup) -> SafeString:
    """A facet's checkboxes, built here rather than in the template: a facet can have hundreds of values, and the
    template engine took 30 ms a page for them. Every value is escaped, so no value can become markup."""
    name = escape(group.name)
    items = []
    for number, option in enumerate(group.options, start=1):
        checked = " checked" if option.selected else ""
        items.append(
            f'<div class="govuk-checkboxes__item"><input class="govuk-checkboxes__input" id="{name}-{number}" '
            f'name="{name}" type="checkbox" value="{escape(option.value)}"{checked}>'
            f'<label class="govuk-label govuk-checkboxes__label" for="{name}-{number}">{escape(option.label)} '
            f'<span class="app-facet-count">({option.count})</span></label></div>'
        )
    return mark_safe("\n".join(items))  # noqa: S308 - every value above is escaped


@require_GET
@pagecache.public_page
def search(request: HttpRequest) -> HttpResponse:
    search_request, errors = SearchRequest.from_params(request.GET)
    page = search_reports(search_request) if not errors else SearchPage(request=search_request)
    if page.error:
        errors["q"] = page.error
    base = reverse("search:search")
    number = min(search_request.page, page.page_count)
    unfiltered: dict[str, Any] = {**dict.fromkeys(engine.FACETS, ()), "year_from": None, "year_to": None}
    return render(
        request,
        "search/search.html",
        {
            "result": page,
            "facet_groups": [
                FacetGroupView(g.name, g.label, g.options, g.selected_count, facet_options_html(g)) for g in page.facets
            ],
            "search_request": search_request,
            "errors": errors,
            "active": active_filters(search_request, base),
            "clear_url": f"{base}?{search_request.to_params(**unfiltered).urlencode()}",
            "sorts": SORTS.items(),
            "page_number": number,
            "page_links": [
                (n, f"{base}?{search_request.to_params(page=n).urlencode()}" if n else "")
                for n in _pages_around(number, page.page_count)
            ],
            "previous_url": f"{base}?{search_request.to_params(page=number - 1).urlencode()}" if number > 1 else "",
            "next_url": (
                f"{base}?{search_request.to_params(page=number + 1).urlencode()}" if number < page.page_count else ""
            ),
            "export_csv": f"{reverse('search:export', args=['csv'])}?{search_request.to_params().urlencode()}",
            "export_json": f"{reverse('search:export', args=['json'])}?{search_request.to_params().urlencode()}",
            "analysis_url": f"{reverse('learning:analysis')}?"
            + urlencode({"search": search_request.to_params(sort="relevance").urlencode()}),
            "alert_url": f"{reverse('search:alert_new')}?{search_request.to_params(sort='relevance').urlencode()}",
            "feed_url": f"{reverse('search:feed')}?{search_request.to_params(sort='relevance').urlencode()}"
            if not errors
            else "",
        },
    )


def _export_row(request: HttpRequest, row: ResultRow) -> dict[str, Any]:
    data: dict[str, Any] = {"id": row.report_id, "title": row.title, "year": row.year}
    for name in engine.FACETS:
        data[name] = list(row.facets.get(name, ()))
    data["url"] = request.build_absolute_uri(row.url)
    return data


def _cell(value: Any) -> str:
    text = "; ".join(value) if isinstance(value, list) else "" if value is None else str(value)
    # A spreadsheet runs a cell that starts with one of these as a formula.
    return f"'{text}" if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text


@require_GET
def export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The whole result set (up to EXPORT_LIMIT reports) with each report's confirmed values, as CSV or JSON."""
    if fmt not in {"csv", "json"}:
        raise Http404("No such format")
    search_request, errors = SearchRequest.from_params(request.GET)
    if errors:
        return HttpResponse("; ".join(errors.values()), status=400, content_type="text/plain; charset=utf-8")
    search_request = SearchRequest(**{**search_request.__dict__, "facets": False, "snippets": False})
    page = search_reports(search_request, limit=EXPORT_LIMIT)
    if page.error:
        return HttpResponse(page.error, status=400, content_type="text/plain; charset=utf-8")
    rows = [_export_row(request, row) for row in page.rows]
    if fmt == "json":
        body = {"query": search_request.q, "total": page.total, "exported": len(rows), "results": rows}
        response = HttpResponse(json.dumps(body, indent=1), content_type="application/json")
        response["Content-Disposition"] = 'attachment; filename="search-results.json"'
        return response
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="search-results.csv"'
    writer = csv.writer(response)
    writer.writerow([FACET_LABELS.get(name, name.capitalize()) for name in EXPORT_FIELDS])
    for row in rows:
        writer.writerow([_cell(row[name]) for name in EXPORT_FIELDS])
    return response


@require_GET
@pagecache.public_page
def report_page(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """One page of a report in the public library, with the span a snippet came from marked."""
    report = get_object_or_404(public_reports().only("pk", "title", "page_count"), pk=pk)
    # Only this page's text is read, not the whole report's (a long report is hundreds of kilobytes).
    page = get_object_or_404(
        ReportPage.objects.filter(report_id=report.pk, number=number).annotate(
            page_text=Substr("report__text", F("start") + 1, F("end") - F("start"))
        ),
        number=number,
    )
    # getattr: django-stubs types the annotation but not as an attribute of the instance.
    text = str(getattr(page, "page_text", "") or "")
    span = _span_on(page, request.GET)
    if span is None:
        before, marked, after = text, "", ""
    else:
        start, end = span[0] - page.start, span[1] - page.start
        before, marked, after = text[:start], text[start:end], text[end:]
    return render(
        request,
        "search/page.html",
        {
            "report": report,
            "page": page,
            "before": before,
            "marked": marked,
            "after": after,
            "previous_number": number - 1 if number > 1 else None,
            "next_number": number + 1 if number < report.page_count else None,
        },
    )


# -- the public catalogue ------------------------------------------------------------------------------------------


@require_GET
@pagecache.public_page
def report_entry(request: HttpRequest, pk: int) -> HttpResponse:
    """A report's public catalogue entry: only reports in the public library, only confirmed values."""
    entry = catalogue.catalogue_entry(pk)
    if entry is None:
        raise Http404("No such report")
    return render(request, "search/report.html", {"entry": entry})


def _browse(request: HttpRequest, *, title: str, caption: str, refine_url: str, **filters: Any) -> HttpResponse:
    number = catalogue.query_page(request.GET)
    page = catalogue.browse_page(page=number, **filters)
    if page.index_missing:
        return render(request, "search/browse_list.html", {"title": title, "result": page}, status=503)
    if not page.total:
        raise Http404("No public reports here")
    number = min(number, page.page_count)
    here = request.path
    return render(
        request,
        "search/browse_list.html",
        {
            "title": title,
            "caption": caption,
            "result": page,
            "refine_url": refine_url,
            "page_number": number,
            "page_links": [(n, f"{here}?page={n}" if n else "") for n in _pages_around(number, page.page_count)],
            "previous_url": f"{here}?page={number - 1}" if number > 1 else "",
            "next_url": f"{here}?page={number + 1}" if number < page.page_count else "",
        },
    )


@require_GET
@pagecache.public_page
def browse(request: HttpRequest) -> HttpResponse:
    counts = catalogue.library_counts()
    return render(
        request,
        "search/browse.html",
        {
            "themes": catalogue.theme_groups(counts),
            "years": catalogue.year_options(counts),
            "partnerships": catalogue.partnership_options(counts),
        },
    )


@require_GET
@pagecache.public_page
def browse_theme(request: HttpRequest, facet: str, code: str) -> HttpResponse:
    label = catalogue.theme_label(facet, code)
    if label is None:
        raise Http404("No such theme")
    filters: dict[str, Any] = {"filters": {facet: (code,)}}
    return _browse(
        request, title=label, caption=FACET_LABELS[facet], refine_url=catalogue.search_link(**filters), **filters
    )


@require_GET
@pagecache.public_page
def browse_year(request: HttpRequest, year: int) -> HttpResponse:
    filters: dict[str, Any] = {"year_from": year, "year_to": year}
    return _browse(
        request,
        title=f"Reviews published in {year}",
        caption="Year published",
        refine_url=catalogue.search_link(**filters),
        **filters,
    )


@require_GET
@pagecache.public_page
def browse_partnership(request: HttpRequest, slug: str) -> HttpResponse:
    name = catalogue.partnership_named(slug)
    if name is None:
        raise Http404("No such partnership")
    filters: dict[str, Any] = {"filters": {"partnership": (name,)}}
    return _browse(request, title=name, caption="Partnership", refine_url=catalogue.search_link(**filters), **filters)


# -- harvesting -----------------------------------------------------------------------------------------------------


@csrf_exempt  # OAI-PMH allows POST from any harvester; the endpoint only reads public material
@require_http_methods(["GET", "POST"])
def oai_pmh(request: HttpRequest) -> HttpResponse:
    params = request.POST if request.method == "POST" else request.GET
    body = oai.respond({name: params.getlist(name) for name in params})
    return HttpResponse(body, content_type="text/xml; charset=utf-8")


# Pages that need a sign-in, or cost a crawler's visit more than they give it, are kept out of crawls.
ROBOTS_DISALLOW = ("/accounts/", "/admin/", "/api/", "/search/export.")


@require_GET
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in ROBOTS_DISALLOW)]
    lines.append(f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


# -- saved searches and their alerts -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def alert_new(request: HttpRequest) -> HttpResponse:
    """Ask for e-mail alerts for the search in the query string (the search page links here with its own)."""
    params = request.GET
    try:
        canonical = alerts.canonical_params(params)
    except DomainError as error:
        return HttpResponse(error.message, status=400, content_type="text/plain; charset=utf-8")
    form = AlertForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            alerts.saved_search_subscribe(email=form.cleaned_data["email"], params=params)
        except DomainError as error:
            for name, messages_ in error.field_errors.items() or {"email": [error.message]}.items():
                for message in messages_:
                    form.add_error(name, message)
        else:
            return redirect("search:alert_sent")
    return render(
        request,
        "search/alert_new.html",
        {"form": form, "described": alerts.describe(canonical), "search_url": alerts.search_url(canonical)},
        status=400 if form.errors else 200,
    )


@require_GET
def alert_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "search/alert_sent.html")


def _alert_step(request: HttpRequest, token: str, *, step: str) -> HttpResponse:
    """A link from an e-mail: GET shows a button, POST acts, so a mail scanner that opens links changes nothing."""
    template = f"search/alert_{step}.html"
    if request.method != "POST":
        return render(request, template, {"done": False})
    try:
        if step == "confirm":
            saved = alerts.saved_search_confirm(token=token)
        else:
            saved = alerts.saved_search_unsubscribe(token=token)
    except DomainError as error:
        return render(request, template, {"done": False, "error": error.message}, status=400)
    return render(
        request,
        template,
        {"done": True, "described": alerts.describe(saved.params), "search_url": alerts.search_url(saved.params)},
    )


@require_http_methods(["GET", "POST"])
def alert_confirm(request: HttpRequest, token: str) -> HttpResponse:
    return _alert_step(request, token, step="confirm")


@require_http_methods(["GET", "POST"])
def alert_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    return _alert_step(request, token, step="unsubscribe")
