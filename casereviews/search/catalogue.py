"""The public catalogue: a report's entry in the shape practitioners know from the national repository, and the
browse lists (by theme, by year, by partnership, newest first).

An entry is read from `public_reports()` and the report's confirmed record only, so nothing a person has not
accepted or corrected reaches it. The browse lists read the search index, which holds the same material.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.http import QueryDict
from django.urls import reverse
from django.utils.text import slugify

from casereviews.learning import vocabulary
from casereviews.library.models import ExtractedValue, Report, ValueStatus
from casereviews.library.selectors import record_of
from casereviews.partnerships.models import Partnership
from casereviews.search.documents import FRAMEWORK_NATIONS, public_reports
from casereviews.search.selectors import (
    MAX_PAGE,
    ResultRow,
    SearchPage,
    SearchRequest,
    page_url,
    report_url,
    search_reports,
    value_label,
    whole_number,
)

SITE_NAME = "Case Reviews"
# The facets a practitioner browses by as themes, in the order the coding frame lists them.
THEME_FACETS = ("harm_types", "risk_factors", "practice_themes", "death_category")
BROWSE_PER_PAGE = 20

# "Child T", "Baby A", "Young Person C", "Siblings B and C"...: how reports name the child they are about.
_PSEUDONYM = re.compile(
    r"\b((?:Child(?:ren)?|Baby|Babies|Infant|Young Person|Young People|Siblings?|Family|Adolescent)"
    r"\s+[A-Z][\w'’-]{0,20}(?:\s+and\s+[A-Z][\w'’-]{0,20})?)"
)


@dataclass(frozen=True)
class Item:
    """A finding or recommendation as a person confirmed it, with where it came from in the report."""

    number: str
    text: str
    page: int | None
    url: str


@dataclass(frozen=True)
class Keyword:
    facet: str
    code: str
    label: str
    url: str


@dataclass(frozen=True)
class SectionLink:
    heading: str
    page: int
    url: str


@dataclass
class CatalogueEntry:
    report_id: int
    title: str
    partnership: str
    year: int | None
    pseudonym: str
    summary: str
    learning: list[Item]
    recommendations: list[Item]
    good_practice: list[SectionLink]
    methodology: str
    keywords: list[Keyword]
    fields: list[tuple[str, str]]
    page_count: int
    url: str
    citation: str
    facets: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def heading(self) -> str:
        """The record's heading as the national repository writes it: year – partnership – pseudonym."""
        return " – ".join(part for part in (str(self.year or ""), self.partnership, self.pseudonym) if part)


def pseudonym_of(title: str) -> str:
    match = _PSEUDONYM.search(title)
    return match.group(1) if match else ""


def absolute(url: str) -> str:
    return f"{settings.SITE_URL}{url}"


def citation_for(*, partnership: str, year: int | None, title: str, url: str) -> str:
    """Author (year) title. Publisher. Address: "Northshire Safeguarding Children Partnership (2024) Local child
    safeguarding practice review: Child T. Case Reviews. https://…"."""
    title = title.strip().rstrip(".")
    author = partnership.strip() or SITE_NAME
    return f"{author} ({year or 'n.d.'}) {title}. {SITE_NAME}. {url}"


def theme_url(facet: str, code: str) -> str:
    return reverse("search:theme", args=[facet, code])


def partnership_url(name: str) -> str:
    return reverse("search:partnership", args=[slugify(name) or "unnamed"])


def _item(report_id: int, value: ExtractedValue) -> Item:
    proposed = value.proposed_value if isinstance(value.proposed_value, dict) else {}
    current = value.current if isinstance(value.current, dict) else {}
    evidence = next((item for item in value.evidence or [] if item.get("page")), None)
    page = evidence["page"] if evidence else proposed.get("page")
    if evidence and "start" in evidence and "end" in evidence:
        url = page_url(report_id, evidence["page"], evidence["start"], evidence["end"])
    else:
        url = page_url(report_id, page) if page else ""
    number = str(proposed.get("number") or int(value.key or 0) or "")
    return Item(number=number, text=str(current.get("text", "")).strip(), page=page, url=url)


def _summary(record: dict[str, Any]) -> str:
    """The incident summary the national repository gives (who, what happened, the harm), in words, from the
    confirmed values alone; empty when none of them is confirmed."""
    sex = {"female": "girl", "male": "boy"}.get(str(record.get("child.sex") or ""), "child")
    band = str(record.get("child.age_band") or "")
    age = f" aged {vocabulary.AGE_BANDS[band].lower()}" if band in vocabulary.AGE_BANDS else ""
    outcome = {"died": " who died", "seriously_harmed": " who was seriously harmed"}.get(
        str(record.get("outcome") or ""), ""
    )
    sentences = []
    if age or outcome or sex != "child":
        sentences.append(f"A review about a {sex}{age}{outcome}.")
    if record.get("death_category") in vocabulary.DEATH_CATEGORIES:
        sentences.append(f"Category of death: {vocabulary.DEATH_CATEGORIES[record['death_category']].lower()}.")
    for name, words in (("harm_types", "Harm"), ("risk_factors", "Risk factors in the family")):
        labels = [value_label(name, code) for code in record.get(name) or []]
        if labels:
            sentences.append(f"{words}: {_sentence_list(labels)}.")
    return " ".join(sentences)


def _sentence_list(labels: list[str]) -> str:
    lowered = [labels[0], *(label[:1].lower() + label[1:] for label in labels[1:])]
    return lowered[0] if len(lowered) == 1 else f"{', '.join(lowered[:-1])} and {lowered[-1]}"


def _good_practice(report: Report) -> list[SectionLink]:
    """Where the report itself describes good practice: its own headings, linked to their pages."""
    sections = [section for section in report.sections or [] if section.get("kind") == "good_practice"]
    if not sections:
        return []
    pages = list(report.pages.order_by("number").values_list("number", "start"))
    starts = [start for _, start in pages]
    links = []
    for section in sections:
        index = bisect.bisect_right(starts, int(section.get("start", 0))) - 1
        if index >= 0:
            number = pages[index][0]
            links.append(SectionLink(str(section.get("heading", "")).strip(), number, page_url(report.pk, number)))
    return links


def _place(partnership: str, framework: str) -> tuple[str, str]:
    row = Partnership.objects.filter(name__iexact=partnership).values_list("nation", "region").first()
    nation, region = row if row else ("", "")
    return nation or FRAMEWORK_NATIONS.get(framework, ""), region


def catalogue_entry(report_id: int) -> CatalogueEntry | None:
    """The public catalogue entry of a report, or None when the report is not in the public library."""
    report = public_reports().filter(pk=report_id).only("pk", "title", "page_count", "sections").first()
    if report is None:
        return None
    # One read of the confirmed values serves the record and the findings and recommendations with their
    # evidence; `report` is among the fields so that the related manager does not load it once per value.
    values = list(
        report.values.filter(status__in=[ValueStatus.ACCEPTED, ValueStatus.CORRECTED])
        .only("report", "field", "key", "status", "proposed_value", "corrected_value", "evidence")
        .order_by("field", "key")
    )
    record = record_of(values)
    items: dict[str, list[Item]] = {"findings": [], "recommendations": []}
    for value in values:
        if value.field in items and isinstance(value.current, dict) and str(value.current.get("text", "")).strip():
            items[value.field].append(_item(report.pk, value))
    title = str(record.get("title") or report.title)
    partnership = str(record.get("partnership") or "").strip()
    year_text = str(record.get("year_published") or "")
    year = int(year_text) if year_text.isdigit() else None
    framework = str(record.get("framework") or "")
    nation, region = _place(partnership, framework) if partnership or framework else ("", "")
    methodology = value_label("methodology", str(record["methodology"])) if record.get("methodology") else ""
    keywords = [
        Keyword(name, code, value_label(name, code), theme_url(name, code))
        for name in THEME_FACETS
        for code in ([record[name]] if isinstance(record.get(name), str) else record.get(name) or [])
        if code
    ]
    band = str(record.get("child.age_band") or "")
    fields = [
        ("Partnership", partnership),
        ("Nation", vocabulary.NATIONS.get(nation, nation)),
        ("Region", region),
        ("Year published", str(year or "")),
        ("Framework", value_label("framework", framework) if framework else ""),
        ("Type of review", value_label("review_type", str(record["review_type"])) if record["review_type"] else ""),
        ("Methodology", methodology),
        ("Outcome for the child", value_label("outcome", str(record["outcome"])) if record["outcome"] else ""),
        ("Child's age", vocabulary.AGE_BANDS.get(band, "")),
        ("Child's sex", vocabulary.SEXES.get(str(record.get("child.sex") or ""), "")),
        ("Child's ethnicity", str(record.get("child.ethnicity") or "")),
        ("Agencies involved", ", ".join(record.get("agencies") or [])),
    ]
    url = report_url(report.pk)
    return CatalogueEntry(
        report_id=report.pk,
        title=title,
        partnership=partnership,
        year=year,
        pseudonym=pseudonym_of(title),
        summary=_summary(record),
        learning=items["findings"],
        recommendations=items["recommendations"],
        good_practice=_good_practice(report),
        methodology=methodology,
        keywords=keywords,
        fields=[(label, value) for label, value in fields if value],
        page_count=report.page_count,
        url=url,
        citation=citation_for(partnership=partnership, year=year, title=title, url=absolute(url)),
    )


# -- browsing -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BrowseOption:
    label: str
    count: int
    url: str


def library_counts() -> SearchPage:
    """Counts per facet value and per year over the whole public library: one search for a browse page."""
    return search_reports(SearchRequest(per_page=1, snippets=False))


def theme_groups(counts: SearchPage | None = None) -> list[tuple[str, str, list[BrowseOption]]]:
    """Each theme facet (name, label) with every value some public report carries, most common first."""
    page = counts or library_counts()
    groups = []
    for group in page.facets:
        if group.name in THEME_FACETS and group.options:
            options = [BrowseOption(o.label, o.count, theme_url(group.name, o.value)) for o in group.options]
            groups.append((group.name, group.label, options))
    groups.sort(key=lambda item: THEME_FACETS.index(item[0]))
    return groups


def year_options(counts: SearchPage | None = None) -> list[BrowseOption]:
    return [
        BrowseOption(year, count, reverse("search:year", args=[int(year)]))
        for year, count in (counts or library_counts()).years
        if str(year).isdigit() and int(year) > 0
    ]


def partnership_options(counts: SearchPage | None = None) -> list[BrowseOption]:
    group = next((group for group in (counts or library_counts()).facets if group.name == "partnership"), None)
    options = [BrowseOption(o.label, o.count, partnership_url(o.value)) for o in group.options] if group else []
    return sorted(options, key=lambda option: option.label.casefold())


def partnership_named(slug: str) -> str | None:
    """The partnership whose name gives this slug, among those with public reports."""
    group = next((group for group in library_counts().facets if group.name == "partnership"), None)
    return next((o.value for o in group.options if slugify(o.value) == slug), None) if group else None


def theme_label(facet: str, code: str) -> str | None:
    """The label of a theme code, or None when the facet is not a theme or the code is not in its vocabulary."""
    vocabularies: dict[str, dict[str, str]] = {
        "harm_types": vocabulary.HARM_TYPES,
        "risk_factors": vocabulary.RISK_FACTORS,
        "practice_themes": vocabulary.PRACTICE_THEMES,
        "death_category": vocabulary.DEATH_CATEGORIES,
    }
    return vocabularies[facet].get(code) if facet in vocabularies else None


def browse_page(*, page: int = 1, **filters: Any) -> SearchPage:
    """Public reports in this theme, year or partnership, newest first."""
    return search_reports(
        SearchRequest(sort="date", page=page, per_page=BROWSE_PER_PAGE, facets=False, snippets=False, **filters)
    )


def search_link(**filters: Any) -> str:
    """The search page with these filters chosen, to refine a browse list further."""
    return f"{reverse('search:search')}?{SearchRequest(**filters).to_params().urlencode()}"


def newest_reviews(limit: int = 5) -> list[ResultRow]:
    """The most recently published public reports (by year published, then the later upload)."""
    return search_reports(SearchRequest(sort="date", per_page=limit, facets=False, snippets=False)).rows


def query_page(params: QueryDict) -> int:
    number = whole_number(params.get("page", "1"))
    return min(max(number, 1), MAX_PAGE) if number is not None else 1
