"""What the index holds for a library report, read from the database: public reports, confirmed values only.

A report is in the public library once a person has confirmed its catalogue entry: its title is accepted or
corrected, and none of its catalogue fields (title, partnership, year, framework, review type) is still only
a machine's proposal. Only then is its text searchable, with snippets. Its facet values are the values a person
accepted or corrected; a proposal nobody has decided never reaches the index at all, so it cannot appear in a
result, a snippet, a facet count or an export. See docs/adr/0008-search.md.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from casereviews.learning import vocabulary
from casereviews.library.models import ExtractedValue, Report, ReportPage, ValueStatus
from casereviews.library.services import CODE_FIELDS
from casereviews.partnerships.models import Partnership
from casereviews.search.engine import IndexedReport, page_of

CATALOGUE_FIELDS = ("title", "partnership", "year_published", "framework", "review_type")
CONFIRMED = (ValueStatus.ACCEPTED, ValueStatus.CORRECTED)

# Which nation a framework belongs to, for a report whose partnership is not one we know.
FRAMEWORK_NATIONS = {
    "england_2015": "england",
    "england_2023": "england",
    "wales": "wales",
    "scotland": "scotland",
    "northern_ireland": "northern_ireland",
}

SCALAR_FACETS = {
    "framework": "framework",
    "review_type": "review_type",
    "methodology": "methodology",
    "outcome": "outcome",
    "death_category": "death_category",
    "sex": "child.sex",
    "ethnicity": "child.ethnicity",
}


def public_reports() -> QuerySet[Report]:
    """Reports in the public library (see the module's docstring for the rule)."""
    confirmed_title = ExtractedValue.objects.filter(report=OuterRef("pk"), field="title", status__in=CONFIRMED)
    pending_catalogue = ExtractedValue.objects.filter(
        report=OuterRef("pk"), field__in=CATALOGUE_FIELDS, status=ValueStatus.PROPOSED
    )
    return Report.objects.filter(Exists(confirmed_title)).exclude(Exists(pending_catalogue))


def _current(row: dict[str, Any]) -> Any:
    return row["corrected_value"] if row["status"] == ValueStatus.CORRECTED else row["proposed_value"]


def _places() -> dict[str, tuple[str, str]]:
    return {
        name.casefold(): (nation, region)
        for name, nation, region in Partnership.objects.values_list("name", "nation", "region")
    }


def _indexed(
    report_id: int,
    sha256: str,
    rows: list[dict[str, Any]],
    spans: list[tuple[int, int, int]],
    places: dict[str, tuple[str, str]],
    text: str | None,
) -> IndexedReport:
    scalars: dict[str, Any] = {}
    codes: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        value = _current(row)
        if row["field"] in CODE_FIELDS:
            if value:
                codes[row["field"]].append(row["key"])
        elif not row["key"]:
            scalars[row["field"]] = value
    facets: dict[str, tuple[str, ...]] = {}
    for facet, source in SCALAR_FACETS.items():
        value = scalars.get(source)
        if value not in (None, ""):
            facets[facet] = (str(value),)
    for name in CODE_FIELDS:
        if codes[name]:
            facets[name] = tuple(sorted(codes[name]))
    band = scalars.get("child.age_band")
    if not band and isinstance(scalars.get("child.age_years"), int | float):
        band = vocabulary.age_band(float(scalars["child.age_years"]))
    if band:
        facets["age_band"] = (str(band),)
    partnership = str(scalars.get("partnership") or "").strip()
    nation, region = places.get(partnership.casefold(), ("", ""))
    nation = nation or FRAMEWORK_NATIONS.get(str(scalars.get("framework") or ""), "")
    for facet, value in (("partnership", partnership), ("nation", nation), ("region", region)):
        if value:
            facets[facet] = (value,)
    year = scalars.get("year_published")
    pages = tuple(page_of(number, start, text[start:end]) for number, start, end in spans) if text is not None else ()
    return IndexedReport(
        report_id=report_id,
        source_sha256=sha256,
        title=str(scalars.get("title") or ""),
        year=int(year) if isinstance(year, int | float | str) and str(year).isdigit() else None,
        facets=facets,
        page_spans=tuple(spans),
        pages=pages,
    )


def indexed_reports(
    report_ids: Iterable[int] | None = None, *, with_text: bool = True, chunk: int = 100
) -> Iterator[IndexedReport]:
    """What the index should hold for each public report among `report_ids` (all when None), in chunks so that
    a rebuild of the whole library never holds every text in memory at once."""
    reports = public_reports()
    if report_ids is not None:
        reports = reports.filter(pk__in=list(report_ids))
    ids = list(reports.order_by("pk").values_list("pk", flat=True))
    places = _places()
    for begin in range(0, len(ids), chunk):
        some = ids[begin : begin + chunk]
        fields = ["pk", "sha256", "text"] if with_text else ["pk", "sha256"]
        rows = {row["pk"]: row for row in Report.objects.filter(pk__in=some).values(*fields)}
        values: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for value in ExtractedValue.objects.filter(report_id__in=some, status__in=CONFIRMED).values(
            "report_id", "field", "key", "status", "proposed_value", "corrected_value"
        ):
            values[value["report_id"]].append(dict(value))
        spans: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
        for report_id, number, start, end in (
            ReportPage.objects.filter(report_id__in=some)
            .order_by("report_id", "number")
            .values_list("report_id", "number", "start", "end")
        ):
            spans[report_id].append((number, start, end))
        for report_id in some:
            row = rows[report_id]
            yield _indexed(
                report_id,
                row["sha256"],
                values[report_id],
                spans[report_id],
                places,
                row["text"] if with_text else None,
            )


def indexed_report_for(report: Report) -> IndexedReport:
    """This report's confirmed values and text as the index would hold them, whether or not it is public yet:
    what "similar reviews" compares with the public library."""
    rows = [
        dict(row)
        for row in ExtractedValue.objects.filter(report=report, status__in=CONFIRMED).values(
            "report_id", "field", "key", "status", "proposed_value", "corrected_value"
        )
    ]
    spans = list(report.pages.order_by("number").values_list("number", "start", "end"))
    text = Report.objects.filter(pk=report.pk).values_list("text", flat=True).first() or ""
    return _indexed(report.pk, report.sha256, rows, spans, _places(), text)
