"""The search service: what the search page, the API and the exports call.

It reads only the index, which holds nothing but the public library's confirmed material (documents.py), so a
search needs no database query and cannot return a draft, an unpublished report or an unconfirmed proposal.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.http import QueryDict
from django.urls import get_script_prefix, reverse
from django.utils.safestring import SafeString, mark_safe

from casereviews.learning import vocabulary
from casereviews.search import engine
from casereviews.search.query import QueryError, parse_query
from casereviews.search.services import index_root

PER_PAGE = 20
MAX_PER_PAGE = 100
# The engine sets aside room for every hit before the page asked for: page 100,000,000 asked for 32 GB and
# aborted the process. Nobody reads past a thousand pages; a later one shows the thousandth.
MAX_PAGE = 1000
EXPORT_LIMIT = 5000
SORTS = {"relevance": "Relevance", "date": "Most recent"}


def whole_number(raw: str) -> int | None:
    """`raw` as a whole number, or None: ASCII digits only, since str.isdigit() also passes "²", which int() refuses."""
    raw = raw.strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 9 else None


FACET_LABELS: dict[str, str] = {
    "nation": "Nation",
    "region": "Region",
    "partnership": "Partnership",
    "framework": "Framework",
    "review_type": "Type of review",
    "outcome": "Outcome for the child",
    "death_category": "Category of death",
    "harm_types": "Type of harm",
    "age_band": "Child's age",
    "sex": "Child's sex",
    "ethnicity": "Child's ethnicity",
    "risk_factors": "Risk factors",
    "practice_themes": "Practice themes",
    "methodology": "Methodology",
}

_VOCABULARIES: dict[str, dict[str, str]] = {
    "nation": vocabulary.NATIONS,
    "outcome": vocabulary.OUTCOMES,
    "death_category": vocabulary.DEATH_CATEGORIES,
    "harm_types": vocabulary.HARM_TYPES,
    "age_band": vocabulary.AGE_BANDS,
    "sex": vocabulary.SEXES,
    "risk_factors": vocabulary.RISK_FACTORS,
    "practice_themes": vocabulary.PRACTICE_THEMES,
    "methodology": vocabulary.METHODOLOGIES,
}


@lru_cache(maxsize=1)
def _framework_labels() -> tuple[dict[str, str], dict[str, str]]:
    """Framework and review-type names from the shipped definitions (read once; they change with a release)."""
    from casereviews.frameworks.services import shipped_definitions

    frameworks: dict[str, str] = {}
    review_types: dict[str, str] = {}
    for code, definition in shipped_definitions().items():
        data = definition.model_dump()
        frameworks[code] = str(data.get("name") or code)
        for review_type in data.get("review_types") or []:
            review_types.setdefault(str(review_type["id"]), str(review_type["label"]))
    return frameworks, review_types


def value_label(facet: str, value: str) -> str:
    if facet in _VOCABULARIES:
        return _VOCABULARIES[facet].get(value, value)
    if facet == "framework":
        return _framework_labels()[0].get(value, value)
    if facet == "review_type":
        return _framework_labels()[1].get(value, value.replace("_", " ").capitalize())
    return value


@dataclass(frozen=True)
class SearchRequest:
    q: str = ""
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    year_from: int | None = None
    year_to: int | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = PER_PAGE
    facets: bool = True
    snippets: bool = True

    @classmethod
    def from_params(
        cls, params: QueryDict, *, max_per_page: int = MAX_PER_PAGE
    ) -> tuple[SearchRequest, dict[str, str]]:
        """The request a query string describes, and a message for each parameter that made no sense."""
        errors: dict[str, str] = {}
        years: dict[str, int | None] = {}
        for name, words in (("year_from", "from"), ("year_to", "to")):
            raw = (params.get(name) or "").strip()
            years[name] = None
            if raw:
                year = whole_number(raw)
                if year is not None and 1900 <= year <= 2200:
                    years[name] = year
                else:
                    errors[name] = f"Enter the year {words} as four digits, like 2021"
        if years["year_from"] and years["year_to"] and years["year_from"] > years["year_to"]:
            errors["year_to"] = "The year to must be the same as or after the year from"
        filters = {
            name: tuple(dict.fromkeys(value.strip() for value in params.getlist(name) if value.strip()))
            for name in engine.FACETS
            if params.getlist(name)
        }
        sort = params.get("sort", "relevance")
        page = whole_number(params.get("page", "1"))
        per_page = whole_number(params.get("per_page", str(PER_PAGE)))
        return cls(
            q=(params.get("q") or "").strip(),
            filters={name: values for name, values in filters.items() if values},
            year_from=years["year_from"],
            year_to=years["year_to"] if "year_to" not in errors else None,
            sort=sort if sort in SORTS else "relevance",
            page=min(max(page, 1), MAX_PAGE) if page is not None else 1,
            per_page=min(max(per_page, 1), max_per_page) if per_page is not None else PER_PAGE,
        ), errors

    def to_params(self, **changes: Any) -> QueryDict:
        """This request as a query string, with `changes` (a facet name to a tuple of values, or a plain field)."""
        params = QueryDict(mutable=True)
        values = {
            "q": self.q,
            "year_from": self.year_from,
            "year_to": self.year_to,
            "sort": self.sort,
            **{key: value for key, value in changes.items() if key not in engine.FACETS},
        }
        for key, value in values.items():
            if value not in (None, "") and not (key == "sort" and value == "relevance"):
                params[key] = str(value)
        filters = {**self.filters, **{key: value for key, value in changes.items() if key in engine.FACETS}}
        for name in engine.FACETS:
            for value in filters.get(name, ()):
                params.appendlist(name, value)
        return params


@dataclass(frozen=True)
class ResultRow:
    report_id: int
    title: str
    year: int | None
    url: str
    facets: dict[str, tuple[str, ...]]
    snippet_html: SafeString | None
    snippet_text: str
    snippet_page: int | None
    snippet_url: str

    @property
    def partnership(self) -> str:
        return ", ".join(self.facets.get("partnership", ()))

    @property
    def review_type_labels(self) -> list[str]:
        return [value_label("review_type", value) for value in self.facets.get("review_type", ())]


@dataclass(frozen=True)
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool


@dataclass(frozen=True)
class FacetGroup:
    name: str
    label: str
    options: list[FacetOption]

    @property
    def selected_count(self) -> int:
        return sum(option.selected for option in self.options)


@dataclass(frozen=True)
class ActiveFilter:
    label: str
    remove_url: str


@dataclass
class SearchPage:
    request: SearchRequest
    total: int = 0
    rows: list[ResultRow] = field(default_factory=list)
    facets: list[FacetGroup] = field(default_factory=list)
    years: list[tuple[str, int]] = field(default_factory=list)
    error: str = ""
    index_missing: bool = False
    elapsed_ms: float = 0.0

    @property
    def page_count(self) -> int:
        return max(1, -(-self.total // self.request.per_page))


def snippet_html(snippet: engine.Snippet) -> SafeString:
    """The fragment with its matched words in <mark>: each piece of report text is escaped, so text can
    never become markup."""
    parts, position = [], 0
    for start, end in snippet.highlights:
        parts.append(html.escape(snippet.fragment[position:start]))
        parts.append(f"<mark>{html.escape(snippet.fragment[start:end])}</mark>")
        position = end
    parts.append(html.escape(snippet.fragment[position:]))
    return mark_safe("".join(parts))  # noqa: S308 - every piece above is escaped


@lru_cache(maxsize=8)
def _page_url_pattern(prefix: str) -> str:
    # reverse() costs about 0.1 ms; a result page needs forty of these links, so the pattern is worked out once.
    return reverse("search:page", args=[101, 202]).replace("/101/", "/{report}/").replace("/202/", "/{page}/")


@lru_cache(maxsize=8)
def _report_url_pattern(prefix: str) -> str:
    return reverse("search:report", args=[101]).replace("/101/", "/{report}/")


def report_url(report_id: int) -> str:
    """The report's entry in the public catalogue."""
    return _report_url_pattern(get_script_prefix()).format(report=report_id)


def page_url(report_id: int, page: int, start: int | None = None, end: int | None = None) -> str:
    url = _page_url_pattern(get_script_prefix()).format(report=report_id, page=page)
    return f"{url}?start={start}&end={end}#evidence" if start is not None and end is not None else url


def _row(hit: engine.Hit) -> ResultRow:
    snippet = hit.snippet
    return ResultRow(
        report_id=hit.report_id,
        title=hit.title,
        year=hit.year,
        url=report_url(hit.report_id),
        facets=hit.facets,
        snippet_html=snippet_html(snippet) if snippet else None,
        snippet_text=snippet.fragment if snippet else "",
        snippet_page=snippet.page if snippet else None,
        snippet_url=page_url(hit.report_id, snippet.page, snippet.start, snippet.end) if snippet else "",
    )


def _facet_groups(request: SearchRequest, counts: dict[str, dict[str, int]]) -> list[FacetGroup]:
    groups = []
    for name in engine.FACETS:
        selected = set(request.filters.get(name, ()))
        found = counts.get(name, {})
        # A chosen value stays on the list even when nothing matches it now, so it can be unticked.
        values = {**{value: 0 for value in selected}, **found}
        options = [
            FacetOption(value=value, label=value_label(name, value), count=count, selected=value in selected)
            for value, count in values.items()
        ]
        options.sort(key=lambda option: (-option.count, option.label.casefold()))
        groups.append(FacetGroup(name=name, label=FACET_LABELS[name], options=options))
    return groups


def search_reports(request: SearchRequest, *, limit: int | None = None) -> SearchPage:
    """One page of results (or `limit` results from the first, for an export)."""
    page = SearchPage(request=request)
    try:
        tree = parse_query(request.q)
    except QueryError as error:
        page.error = error.message
        return page
    index = engine.reader_for(index_root()).index()
    if index is None:
        page.index_missing = True
        return page
    try:
        result = engine.search(
            index,
            tree,
            filters=engine.Filters(values=request.filters, year_from=request.year_from, year_to=request.year_to),
            sort=request.sort,
            offset=0 if limit else (min(request.page, MAX_PAGE) - 1) * request.per_page,
            limit=limit or request.per_page,
            facets=request.facets,
            snippets=request.snippets,
        )
    except QueryError as error:
        page.error = error.message
        return page
    page.total = result.total
    page.rows = [_row(hit) for hit in result.hits]
    page.elapsed_ms = result.elapsed_ms
    if request.facets:
        page.facets = _facet_groups(request, result.facets)
        page.years = sorted(result.facets.get("year", {}).items(), reverse=True)
    return page


def active_filters(request: SearchRequest, base_url: str) -> list[ActiveFilter]:
    """Each filter in force, with the link that removes just that one."""
    active = []
    for name, values in request.filters.items():
        for value in values:
            remaining = tuple(other for other in values if other != value)
            params = request.to_params(**{name: remaining})
            active.append(
                ActiveFilter(f"{FACET_LABELS[name]}: {value_label(name, value)}", f"{base_url}?{params.urlencode()}")
            )
    for name, words in (("year_from", "From"), ("year_to", "To")):
        year = getattr(request, name)
        if year is not None:
            active.append(
                ActiveFilter(f"{words} {year}", f"{base_url}?{request.to_params(**{name: None}).urlencode()}")
            )
    return active


@dataclass(frozen=True)
class SimilarReview:
    report_id: int
    title: str
    year: int | None
    shared: list[str]  # the labels of the codes both reports carry
    url: str


def similar_reviews(report: Any, *, limit: int = 5) -> list[SimilarReview]:
    """Public reports most like `report`, by shared codes and distinctive words; never `report` itself."""
    from casereviews.search.documents import indexed_report_for

    index = engine.reader_for(index_root()).index()
    if index is None:
        return []
    mine = indexed_report_for(report)
    similar = []
    for hit in engine.similar(index, mine, limit=limit):
        shared = [
            value_label(name, value)
            for name in ("harm_types", "risk_factors", "practice_themes", "death_category")
            for value in hit.facets.get(name, ())
            if value in mine.facets.get(name, ())
        ]
        similar.append(SimilarReview(hit.report_id, hit.title, hit.year, shared, report_url(hit.report_id)))
    return similar
