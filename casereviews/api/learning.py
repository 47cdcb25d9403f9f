"""The learning API: the analysis tables as the pages show them, and (for library staff) briefings.

Mounted under /api/learning/ by `casereviews.api.urls`. The analysis is public, like its pages: it carries only
published figures (a suppressed figure is "c" with a null value, never its count).
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.urls import path, reverse
from django.utils.http import urlencode
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from casereviews.api.base import ApiView
from casereviews.learning import analysis, selectors
from casereviews.learning.forms import SelectionForm
from casereviews.library.services import can_manage_library

SELECTION_PARAMETERS = [
    OpenApiParameter(
        name,
        int if name.endswith(("_from", "_to")) or name == "partnership" else str,
        required=False,
        description=description,
    )
    for name, description in (
        ("published_from", "First year of publication"),
        ("published_to", "Last year of publication"),
        ("incident_from", "First year of the incident"),
        ("incident_to", "Last year of the incident"),
        ("nation", "england, wales, scotland or northern_ireland"),
        ("region", "A region, as the tables name it"),
        ("partnership", "A partnership's id"),
        ("framework", "A framework code, such as england_2023"),
        ("review_type", "A type of review, as the reports name it"),
    )
]


class CellSerializer(serializers.Serializer[Any]):
    column = serializers.CharField()
    text = serializers.CharField(help_text='The figure as published: a number, or "c" where suppressed')
    value = serializers.IntegerField(
        allow_null=True, help_text="The published number (rounded where regional); null where suppressed"
    )
    suppressed = serializers.BooleanField()
    percent = serializers.CharField(allow_blank=True)
    interval = serializers.CharField(allow_blank=True, help_text="95% Wilson score interval, for prevalence")
    reviews = serializers.CharField(allow_null=True, help_text="Where to list the reviews this figure counts")


class TableRowSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # the row's label in the payload, not the field's
    cells = CellSerializer(many=True)


class TableSerializer(serializers.Serializer[Any]):
    key = serializers.CharField()
    title = serializers.CharField()
    kind = serializers.ChoiceField(choices=["crosstab", "distribution", "prevalence"])
    row_heading = serializers.CharField()
    columns = serializers.ListField(child=serializers.ListField(child=serializers.CharField()))
    rows = TableRowSerializer(many=True)
    counted = serializers.IntegerField()
    unconfirmed = serializers.IntegerField()
    unknown = serializers.IntegerField()
    rounded = serializers.BooleanField()
    notes = serializers.ListField(child=serializers.CharField())


class AnalysisSerializer(serializers.Serializer[Any]):
    selection = serializers.CharField()
    reviews = serializers.IntegerField()
    rounded = serializers.BooleanField()
    tables = TableSerializer(many=True)


def _selection(request: Request) -> selectors.Selection:
    form = SelectionForm(request.query_params or None)
    if not request.query_params:
        return selectors.Selection()
    if not form.is_valid():
        raise ValidationError(
            {name: [error["message"] for error in errors] for name, errors in form.errors.get_json_data().items()}
        )
    return form.selection()


def table_payload(table: analysis.Table, selection: selectors.Selection, *, staff: bool) -> dict[str, Any]:
    def reviews_url(row: str, cell: analysis.Cell) -> str | None:
        if cell.count == 0 or (cell.suppressed and not staff):
            return None
        query = urlencode({**selection.query(), "table": table.key, "row": row, "column": cell.column})
        return f"{reverse('api:learning_reviews')}?{query}"

    return {
        "key": table.key,
        "title": table.title,
        "kind": table.kind,
        "row_heading": table.row_heading,
        "columns": [list(column) for column in table.columns],
        "rows": [
            {
                "code": row.code,
                "label": row.label,
                "cells": [
                    {
                        "column": cell.column,
                        "text": cell.text,
                        "value": cell.value,
                        "suppressed": cell.suppressed,
                        "percent": cell.percent,
                        "interval": cell.interval,
                        "reviews": reviews_url(row.code, cell),
                    }
                    for cell in row.cells
                ],
            }
            for row in table.rows
        ],
        "counted": table.counted,
        "unconfirmed": table.unconfirmed,
        "unknown": table.unknown,
        "rounded": table.rounded,
        "notes": table.notes,
    }


class AnalysisView(ApiView):
    """Every table of the analysis for a selection of reviews."""

    permission_classes = [AllowAny]

    @extend_schema(operation_id="learning_analysis", parameters=SELECTION_PARAMETERS, responses=AnalysisSerializer)
    def get(self, request: Request) -> Response:
        selection = _selection(request)
        result = selectors.analysis_for(selection)
        staff = can_manage_library(request.user)
        return Response(
            {
                "selection": selection.describe(),
                "reviews": result.reviews,
                "rounded": result.rounded,
                "tables": [table_payload(table, selection, staff=staff) for table in result.tables],
            }
        )


class AnalysisTableView(ApiView):
    """One table of the analysis."""

    permission_classes = [AllowAny]

    @extend_schema(operation_id="learning_analysis_table", parameters=SELECTION_PARAMETERS, responses=TableSerializer)
    def get(self, request: Request, key: str) -> Response:
        if key not in analysis.TABLES_BY_KEY:
            raise Http404
        selection = _selection(request)
        table = analysis.build_table(
            analysis.TABLES_BY_KEY[key], selectors.analysis_rows(selection), rounded=selection.is_regional
        )
        return Response(table_payload(table, selection, staff=can_manage_library(request.user)))


class ReviewSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    title = serializers.CharField()
    partnership = serializers.CharField()
    year_published = serializers.IntegerField(allow_null=True)


class AnalysisReviewsView(ApiView):
    """The reviews one figure counts (`table`, `row` and `column` as the table gives them)."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            *SELECTION_PARAMETERS,
            OpenApiParameter("table", str, required=True),
            OpenApiParameter("row", str, required=True),
            OpenApiParameter("column", str, required=True),
        ],
        responses=ReviewSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        key = request.query_params.get("table", "")
        if key not in analysis.TABLES_BY_KEY:
            raise Http404
        selection = _selection(request)
        cell, members = selectors.cell_members(
            selection, key, request.query_params.get("row", ""), request.query_params.get("column", "")
        )
        if cell is None:
            raise Http404
        if cell.suppressed and not can_manage_library(request.user):
            raise PermissionDenied("This figure is suppressed to protect the children concerned")
        records = selectors.records_by_id(members)
        return Response(
            [
                {
                    "id": r.report_id,
                    "title": r.title,
                    "partnership": r.partnership_name,
                    "year_published": r.year_published,
                }
                for r in records
            ]
        )


class BriefingSerializer(serializers.Serializer[Any]):
    slug = serializers.CharField()
    title = serializers.CharField()
    summary = serializers.CharField()
    theme_kind = serializers.CharField()
    theme_code = serializers.CharField()
    published_at = serializers.DateTimeField()
    approved_by = serializers.CharField(source="approved_by.display_name", allow_null=True)
    sample = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="The reviews (report ids) cited, in the order of their reference numbers",
    )
    content = serializers.JSONField(help_text="Sections of statements, each with the reviews it cites and quotes")
    notes = serializers.CharField(help_text="How the briefing was made")


class BriefingList(ApiView):
    """Published briefings, newest first."""

    permission_classes = [AllowAny]

    @extend_schema(responses=BriefingSerializer(many=True))
    def get(self, request: Request) -> Response:
        briefings = selectors.published_briefings().select_related("approved_by")
        return Response(BriefingSerializer(briefings, many=True).data)


class BriefingDetail(ApiView):
    """One published briefing."""

    permission_classes = [AllowAny]

    @extend_schema(responses=BriefingSerializer)
    def get(self, request: Request, slug: str) -> Response:
        briefing = selectors.published_briefings().select_related("approved_by").filter(slug=slug).first()
        if briefing is None:
            raise Http404
        return Response(BriefingSerializer(briefing).data)


urlpatterns = [
    path("briefings/", BriefingList.as_view(), name="learning_briefings"),
    path("briefings/<slug:slug>/", BriefingDetail.as_view(), name="learning_briefing"),
    path("analysis/", AnalysisView.as_view(), name="learning_analysis"),
    path("analysis/reviews/", AnalysisReviewsView.as_view(), name="learning_reviews"),
    path("analysis/<slug:key>/", AnalysisTableView.as_view(), name="learning_table"),
]
