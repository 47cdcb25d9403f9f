"""Reads of the learning app.

The analysis is public: it counts only values a person has confirmed about published reports, under disclosure
control, so it needs no sign-in (docs/adr/0009-learning-analysis.md). Briefing drafts are for library staff.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from django.db import connection
from django.db.models import Count, Max, QuerySet

from casereviews.learning import analysis
from casereviews.learning.models import AnalysisRecord, Briefing, BriefingStatus
from casereviews.partnerships.models import Partnership, Role
from casereviews.partnerships.selectors import is_analyst, partnerships_where


@dataclass(frozen=True)
class Selection:
    """Which reviews an analysis covers. Empty fields select everything."""

    published_from: int | None = None
    published_to: int | None = None
    incident_from: int | None = None
    incident_to: int | None = None
    nation: str = ""
    region: str = ""
    partnership: int | None = None
    framework: str = ""
    review_type: str = ""
    # A search as the search page writes it in its address ("q=neglect&risk_factors=domestic_abuse"), which is
    # also what a saved search stores: only the reviews it matches are analysed.
    search: str = ""

    @property
    def is_regional(self) -> bool:
        """Figures for a region or a single partnership are regional figures and are rounded."""
        return bool(self.region or self.partnership)

    def query(self) -> dict[str, str]:
        """The selection as query-string parameters, for links that keep it."""
        return {name: str(value) for name, value in asdict(self).items() if value not in (None, "")}

    def describe(self) -> str:
        parts = []
        if self.published_from or self.published_to:
            parts.append(f"published {self.published_from or '…'} to {self.published_to or '…'}")
        if self.incident_from or self.incident_to:
            parts.append(f"incident {self.incident_from or '…'} to {self.incident_to or '…'}")
        for name in ("nation", "region", "framework", "review_type"):
            if getattr(self, name):
                parts.append(f"{name.replace('_', ' ')}: {getattr(self, name)}")
        if self.partnership:
            partnership = Partnership.objects.filter(pk=self.partnership).first()
            parts.append(f"partnership: {partnership or 'none'}")
        if self.search:
            from casereviews.search.alerts import describe as describe_search

            parts.append(f"matching the search “{describe_search(self.search)}”")
        return "; ".join(parts) or "all reviews"


SELECTION_FIELDS = [f.name for f in fields(Selection)]


def analysis_records(selection: Selection) -> QuerySet[AnalysisRecord]:
    records = AnalysisRecord.objects.all()
    if selection.published_from is not None:
        records = records.filter(year_published__gte=selection.published_from)
    if selection.published_to is not None:
        records = records.filter(year_published__lte=selection.published_to)
    if selection.incident_from is not None:
        records = records.filter(year_incident__gte=selection.incident_from)
    if selection.incident_to is not None:
        records = records.filter(year_incident__lte=selection.incident_to)
    for name in ("nation", "region", "framework", "review_type"):
        if getattr(selection, name):
            records = records.filter(**{name: getattr(selection, name)})
    if selection.partnership is not None:
        records = records.filter(partnership_id=selection.partnership)
    if selection.search:
        from casereviews.search.alerts import matching_report_ids

        # The search index holds only public, confirmed reports; while it is being built nothing matches, rather
        # than everything, so a table never claims to describe a search it did not apply.
        records = records.filter(report_id__in=matching_report_ids(selection.search) or [])
    return records


def analysis_rows(selection: Selection) -> list[analysis.Row]:
    return _rows_of(analysis_records(selection))


def _rows_of(records: QuerySet[AnalysisRecord]) -> list[analysis.Row]:
    """One query: the compact rows every table is computed from. Read through the cursor, as plain tuples: for
    10,000 reports the ORM's per-row work would cost more than the tables themselves."""
    sql, params = records.order_by().values_list(*analysis.Row._fields).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(map(analysis.Row._make, cursor.fetchall()))


def analysis_stamp() -> tuple[int, str]:
    """Changes whenever the records the analysis counts change: every write sets a record's `refreshed_at` to now
    (analysis_record_build) and a removal lowers the count. One aggregate query."""
    stamp = AnalysisRecord.objects.aggregate(count=Count("pk"), latest=Max("refreshed_at"))
    return stamp["count"], stamp["latest"].isoformat() if stamp["latest"] else ""


def analysis_for(selection: Selection) -> analysis.Analysis:
    return analysis.analyse(analysis_rows(selection), rounded=selection.is_regional)


def cell_members(selection: Selection, table_key: str, row: str, column: str) -> tuple[analysis.Cell | None, list[int]]:
    """The cell as the table shows it, and the reports it counts, newest first then by title."""
    spec = analysis.TABLES_BY_KEY[table_key]
    records = analysis_records(selection)  # once: a selection by search runs the search to build it
    rows = _rows_of(records)
    table = analysis.build_table(spec, rows, rounded=selection.is_regional)
    members = set(analysis.cell_members(spec, rows, row, column))
    order = records.order_by("-year_published", "title", "report_id").values_list("report_id", flat=True)
    return table.cell(row, column), [report_id for report_id in order if report_id in members]


def records_by_id(report_ids: list[int]) -> list[AnalysisRecord]:
    """The records of a page of reports, in the order given."""
    found = AnalysisRecord.objects.select_related("partnership").in_bulk(report_ids)
    return [found[report_id] for report_id in report_ids if report_id in found]


def selection_choices() -> dict[str, list[Any]]:
    """What the filters offer: the values the analysed reports have."""
    records = AnalysisRecord.objects.order_by()
    return {
        "nation": sorted(v for v in records.values_list("nation", flat=True).distinct() if v),
        "region": sorted(v for v in records.values_list("region", flat=True).distinct() if v),
        "framework": sorted(v for v in records.values_list("framework", flat=True).distinct() if v),
        "review_type": sorted(v for v in records.values_list("review_type", flat=True).distinct() if v),
        "partnership": list(
            Partnership.objects.filter(
                pk__in=records.filter(partnership__isnull=False).values("partnership")
            ).values_list("pk", "name")
        ),
    }


def briefings_visible_to(user: Any) -> QuerySet[Briefing]:
    """Drafts and approved briefings are staff-only: a national analyst sees every one, a business manager those
    of their partnership. Published briefings are public (`published_briefings`)."""
    if not user.is_authenticated:
        return Briefing.objects.none()
    if user.is_superuser or is_analyst(user):
        return Briefing.objects.all()
    return Briefing.objects.filter(partnership__in=partnerships_where(user, {Role.BUSINESS_MANAGER}))


def published_briefings() -> QuerySet[Briefing]:
    return Briefing.objects.filter(status=BriefingStatus.PUBLISHED).order_by("-published_at", "-pk")


@dataclass(frozen=True)
class Reference:
    number: int
    report_id: int
    title: str
    partnership: str
    year: int | None


def briefing_references(briefing: Briefing) -> list[Reference]:
    """The reviews of the sample, numbered in the order the briefing lists them, for its citations."""
    records = AnalysisRecord.objects.in_bulk(briefing.sample)
    references = []
    for number, report_id in enumerate(briefing.sample, start=1):
        record = records.get(report_id)
        references.append(
            Reference(
                number,
                report_id,
                record.title if record else "A report no longer in the library",
                record.partnership_name if record else "",
                record.year_published if record else None,
            )
        )
    return references
